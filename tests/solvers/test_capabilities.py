"""Every capability a backend declares is proved here on a program with a known optimum (the README table)."""

from __future__ import annotations

import pytest

from ftgames.solvers import BACKENDS, Capability, CapabilityError, Layer, Status, check_backend, solve

from .programs import PROGRAMS

DECLARED = [
    (name, layer, cap)
    for name, backend in BACKENDS.items()
    for layer, caps in backend.capabilities.items()
    for cap in sorted(caps)
]


def _available(name: str, layer: Layer) -> bool:
    return BACKENDS[name].availability(layer).available


@pytest.mark.parametrize(("name", "layer", "cap"), DECLARED, ids=lambda v: str(v))
def test_declared_capability_solves_reference_program(name: str, layer: Layer, cap: Capability) -> None:
    if not _available(name, layer):
        pytest.skip(BACKENDS[name].availability(layer).reason)
    assert (layer, cap) in PROGRAMS, f"no reference program proves {cap} on {layer}"
    build, optimum = PROGRAMS[(layer, cap)]
    result = solve(build(), requires={cap}, solver=name, formulation=f"reference_{cap}")
    assert result.ok, result.message
    if BACKENDS[name].global_optimality:
        assert result.status is Status.OPTIMAL and result.is_global
        assert result.objective == pytest.approx(optimum, abs=1e-5)
    else:  # a local method: a KKT point, never labelled global on a nonconvex program
        assert result.status is Status.LOCALLY_OPTIMAL and not result.is_global
        if cap not in (Capability.NONCONVEX_QUADRATIC,):
            assert result.objective == pytest.approx(optimum, abs=1e-5)


def test_local_solver_on_nonconvex_program_is_not_called_global() -> None:
    build, optimum = PROGRAMS[(Layer.PYOMO, Capability.NONCONVEX_QUADRATIC)]
    result = solve(build(), requires={Capability.NONCONVEX_QUADRATIC}, solver="ipopt")
    assert result.status is Status.LOCALLY_OPTIMAL and not result.is_global


@pytest.mark.parametrize(
    ("name", "layer", "cap"),
    [("highs", Layer.PYOMO, Capability.MIQP), ("highs", Layer.PYOMO, Capability.SOS1),
     ("clarabel", Layer.PYOMO, Capability.LP), ("ipopt", Layer.PYOMO, Capability.MILP),
     ("scs", Layer.CVXPY, Capability.MILP)],
)
def test_incapable_backend_is_refused_before_building(name: str, layer: Layer, cap: Capability) -> None:
    with pytest.raises(CapabilityError) as info:
        check_backend(name, layer, {cap}, formulation="demo")
    message = str(info.value)
    assert name in message and "demo" in message and "would work" in message


def test_build_callable_is_not_called_when_backend_is_incapable() -> None:
    calls = []

    def build():
        calls.append(1)
        return PROGRAMS[(Layer.PYOMO, Capability.MIQP)][0]()

    build.layer = "pyomo"
    with pytest.raises(CapabilityError):
        solve(None, build=build, requires={Capability.MIQP}, solver="highs")
    assert calls == []
    result = solve(None, build=build, requires={Capability.MIQP}, solver="scip")
    assert calls == [1] and result.ok and result.build_time > 0


def test_readme_table_matches_declared_capabilities() -> None:
    from pathlib import Path

    from ftgames.cli import capability_markdown

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("<!-- capability-table:start -->")[1].split("<!-- capability-table:end -->")[0]
    assert block.strip() == capability_markdown()
