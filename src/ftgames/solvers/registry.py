"""Backend lookup, capability checks made before anything is built, and the one ``solve`` entry point."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from .base import Backend
from .capabilities import Capability, Layer, layer_of
from .result import SolveResult


class CapabilityError(ValueError):
    """The chosen backend cannot solve what the formulation needs."""


class BackendUnavailable(RuntimeError):
    """The chosen backend is not installed or not built on this machine."""


def _all_backends() -> dict[str, Backend]:
    from .clarabel import ClarabelBackend
    from .gurobi import GurobiBackend
    from .highs import HighsBackend
    from .ipopt import IpoptBackend
    from .scip import ScipBackend
    from .scs import ScsBackend

    return {b.name: b for b in (IpoptBackend(), HighsBackend(), ScipBackend(), ClarabelBackend(), ScsBackend(),
                                GurobiBackend())}


BACKENDS: dict[str, Backend] = _all_backends()


def backend_names() -> list[str]:
    return list(BACKENDS)


def get_backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        raise CapabilityError(f"solver: unknown backend {name!r}; valid: {', '.join(BACKENDS)}") from None


def capable_backends(layer: Layer, requires: Iterable[Capability], *, available_only: bool = True) -> list[str]:
    req = frozenset(requires)
    return [n for n, b in BACKENDS.items()
            if b.supports(layer, req) and (not available_only or b.availability(layer).available)]


def check_backend(name: str, layer: Layer | str, requires: Iterable[Capability], formulation: str = "") -> Backend:
    """Fail before any model is built if backend ``name`` cannot take a ``layer`` program needing ``requires``."""
    layer = Layer(layer)
    req = frozenset(requires)
    backend = get_backend(name)
    what = f"formulation {formulation!r}" if formulation else "this program"
    if not backend.supports(layer, req):
        missing = sorted(req - backend.capabilities.get(layer, frozenset()))
        alternatives = capable_backends(layer, req)
        raise CapabilityError(
            f"solver {name!r} cannot solve {what}: it needs {', '.join(sorted(req))} on {layer}, and {name} lacks "
            f"{', '.join(missing) if layer in backend.capabilities else 'a ' + str(layer) + ' interface'}; "
            f"backends that would work: {', '.join(alternatives) or 'none available'}"
        )
    avail = backend.availability(layer)
    if not avail.available:
        raise BackendUnavailable(f"solver {name!r} is not available: {avail.reason}")
    return backend


def solve(
    program: Any,
    *,
    requires: Iterable[Capability],
    config: Any = None,
    solver: str | None = None,
    default_solver: str | None = None,
    convex: bool = False,
    formulation: str = "",
    build: Callable[[], Any] | None = None,
) -> SolveResult:
    """Solve a Pyomo model or CVXPY problem with the configured backend and return one :class:`SolveResult`.

    ``requires`` is what the program needs; the backend is checked against it first.  ``convex`` declares that the
    program is convex, so a local solver's optimum is global.  If ``program`` is None, ``build()`` is called after
    the check and timed as ``build_time`` (so an incapable backend fails before anything is built).
    """
    from .config import SolveConfig

    config = config or SolveConfig()
    name = solver or config.solver or default_solver
    if name is None:
        raise CapabilityError("solver: no backend chosen and the formulation names no default")
    if program is None:
        if build is None:
            raise ValueError("solve: give a program or a build() callable")
        layer = _declared_layer(build)
        backend = check_backend(name, layer, requires, formulation)
        t0 = time.perf_counter()
        program = build()
        build_time = time.perf_counter() - t0
    else:
        backend = check_backend(name, layer_of(program), requires, formulation)
        build_time = 0.0
    result = backend.solve(program, layer_of(program), config, convex=convex, formulation=formulation)
    result.build_time = build_time
    return result


def _declared_layer(build: Callable[[], Any]) -> Layer:
    layer = getattr(build, "layer", None)
    if layer is None:
        raise ValueError("solve: a build() callable must carry a .layer attribute ('pyomo' or 'cvxpy')")
    return Layer(layer)
