"""The two formulations agree: enumeration (closed form / grid) and the KKT form solved globally by SCIP."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from ftgames.formulations.openness.equilibrium import solve_equilibrium
from ftgames.formulations.openness.kkt import build_regime_bilevel, build_regime_kkt, solve_regime_bilevel
from ftgames.models.openness import (
    ConcaveQuadraticBenefit,
    ExponentialDiscountCost,
    LinearBenefit,
    LinearLeakCost,
    OpennessDiscountedCost,
    OpennessGame,
    PowerProductionCost,
    QuadraticLeakCost,
)
from ftgames.models.outcomes import Level

from .conftest import example_game, interior_game

SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_agree(game: OpennessGame, formulation_options: dict) -> None:
    enum = solve_equilibrium(game)
    kkt = solve_equilibrium(game, "kkt", **formulation_options)
    assert kkt.proof == "global" and kkt.certified and kkt.certificate.level == Level.GLOBAL
    assert kkt.formulation == "kkt:sos1" and kkt.backend == "scip"
    for name in ("comply", "pay"):
        a, b = enum.regime_value(name), kkt.regime_value(name)
        assert a.feasible == b.feasible
        if a.feasible:
            assert b.U_G == pytest.approx(a.U_G, abs=1e-6)
    gap = abs(enum.regime_value("comply").U_G - enum.regime_value("pay").U_G)
    if gap > 1e-5 and abs(max(enum.regime_value("comply").U_G, enum.regime_value("pay").U_G)) > 1e-5:
        assert kkt.regime == enum.regime
    assert kkt.U_G == pytest.approx(enum.U_G, abs=1e-6)
    # U_G is flat at an interior optimum, so ω (and U_D, first order in ω) agree only to about √tolerance
    assert kkt.U_D == pytest.approx(enum.U_D, abs=1e-3) or gap <= 1e-5


default_games = st.builds(
    lambda kappa0, lam, eps, c_o, c_p, alpha0, delta, theta, penalty: OpennessGame(
        alpha0=alpha0, delta=delta, fine_tuning_cost=OpennessDiscountedCost(kappa0=kappa0, lam=lam),
        benefit=LinearBenefit(eps), operation_cost=LinearLeakCost(c_o), production_cost=PowerProductionCost(c_p),
    ).with_regulation(theta, penalty),
    st.floats(0.2, 3.0), st.floats(0.0, 0.9), st.floats(0.0, 0.3), st.floats(0.0, 1.0), st.floats(0.0, 0.5),
    st.floats(0.0, 2.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 0.3),
)

swapped_games = st.builds(
    lambda kappa0, lam, eps, curvature, c_o, alpha0, delta, theta, penalty: OpennessGame(
        alpha0=alpha0, delta=delta, fine_tuning_cost=ExponentialDiscountCost(kappa0=kappa0, lam=lam),
        benefit=ConcaveQuadraticBenefit(eps, curvature), operation_cost=QuadraticLeakCost(c_o),
    ).with_regulation(theta, penalty),
    st.floats(0.2, 3.0), st.floats(0.0, 2.0), st.floats(0.0, 0.5), st.floats(0.0, 0.5), st.floats(0.0, 1.0),
    st.floats(0.1, 2.0), st.floats(0.0, 0.95), st.floats(0.0, 1.0), st.floats(0.0, 0.1),
)


@SETTINGS
@given(default_games)
def test_closed_form_and_kkt_agree_on_default_forms(game: OpennessGame) -> None:
    _assert_agree(game, {})


@SETTINGS
@given(swapped_games)
def test_grid_enumeration_and_kkt_agree_on_swapped_forms(game: OpennessGame) -> None:
    _assert_agree(game, {})


@pytest.mark.parametrize(("formulation", "options"), [
    ("kkt:bigm", {"encoding": "bigm"}),
    ("kkt_direct:sos1", {"via": "pyomo"}),
    ("kkt_direct:bigm", {"via": "pyomo", "encoding": "bigm"}),
])
def test_other_encodings_and_direct_pyomo_agree(formulation: str, options: dict) -> None:
    for game in (example_game().with_regulation(0.5, 0.05), interior_game().with_regulation(0.8, 0.02)):
        enum = solve_equilibrium(game)
        kkt = solve_equilibrium(game, formulation)
        assert kkt.formulation == formulation
        assert kkt.proof in ("global", "local")
        # the certificate level follows the regimes' proofs: global iff every regime's optimum is proved global
        proved = all(v.proof == "global" for v in kkt.regimes if v.feasible)
        assert kkt.certified == proved
        assert kkt.certificate.level == (Level.GLOBAL if proved else Level.LOCAL)
        assert kkt.regime == enum.regime and kkt.U_G == pytest.approx(enum.U_G, abs=1e-6)
        # the older keywords (encoding=, via=) name the same formulation
        old = solve_equilibrium(game, "kkt", **options)
        assert old.formulation == formulation and old.proof == kkt.proof
        assert old.U_G == pytest.approx(kkt.U_G, abs=1e-9)


def test_the_direct_kkt_program_reports_every_regime_at_the_exact_point() -> None:
    """examples/openness_exemption.toml: the direct program's "pay" regime came back with ω 1.2e-4 off the exact
    optimum (within SCIP's tolerance of D's response) and labelled global; ω is now sharpened on V(ω) with D's exact
    response substituted, and every regime's ω, U_G and U_D equal the enumeration's."""
    from ftgames.games.openness_regulation import FRONT_END
    from ftgames.io.gamefile import load_game_file

    game = FRONT_END.parse(load_game_file("examples/openness_exemption.toml"))
    exact = {v.regime: v for v in solve_equilibrium(game).regimes if v.feasible}
    for formulation in ("kkt_direct:sos1", "kkt_direct:bigm"):
        for v in solve_equilibrium(game, formulation).regimes:
            if v.feasible:
                e = exact[v.regime]
                assert v.omega == pytest.approx(e.omega, abs=1e-7), (formulation, v.regime)
                assert v.U_G == pytest.approx(e.U_G, abs=1e-10) and v.U_D == pytest.approx(e.U_D, abs=1e-8)


def test_kkt_program_is_an_inspectable_bilevel_model() -> None:
    game = example_game().with_regulation(0.4, 0.05)
    bm = build_regime_bilevel(game, "comply")
    assert bm.model.omega.bounds == (0.4, 1.0)
    assert [f.name for f in bm.followers] == ["fine_tuning"]
    assert build_regime_bilevel(game.with_regulation(0.0, 0.05), "pay") is None
    direct = build_regime_kkt(game, "pay")
    assert direct.model.omega.bounds == (0.0, 0.4)
    value = solve_regime_bilevel(game, "comply")
    assert value.proof == "global" and value.status == "optimal" and value.backend == "scip"
    assert math.isclose(value.omega, 1.0, abs_tol=1e-7)


def test_custom_callables_run_through_both_formulations() -> None:
    game = example_game(fine_tuning_cost=lambda step, omega: 0.5 * (1 - 0.6 * omega) * step**2,
                        benefit=lambda omega: 0.1 * omega).with_regulation(0.5, 0.2)
    enum = solve_equilibrium(game)
    kkt = solve_equilibrium(game, "kkt")
    assert enum.regime == kkt.regime == "comply"
    assert kkt.U_G == pytest.approx(enum.U_G, abs=1e-6)
    reference = solve_equilibrium(example_game().with_regulation(0.5, 0.2))
    assert enum.U_G == pytest.approx(reference.U_G, abs=1e-7)


def test_kkt_refuses_a_callable_that_is_not_expressible_in_pyomo() -> None:
    import numpy as np

    game = example_game(benefit=lambda omega: 0.1 * np.sqrt(np.asarray(omega, dtype=float)))
    with pytest.raises(ValueError, match="formulation='enumeration'"):
        solve_equilibrium(game, "kkt")


def test_a_failed_kkt_solve_is_reported_not_taken_as_an_empty_regime(monkeypatch) -> None:
    from ftgames.formulations.openness import kkt as kkt_module
    from ftgames.solvers import SolveFailed, SolveResult, Status

    def failing_solve(*args, **kwargs):
        return SolveResult(Status.TIME_LIMIT, "scip", message="time limit reached")

    monkeypatch.setattr(kkt_module, "solve", failing_solve)
    with pytest.raises(SolveFailed, match="time_limit"):
        solve_equilibrium(example_game().with_regulation(0.5, 0.05), "kkt", via="pyomo")


def test_local_ipopt_solve_is_labelled_local_and_agrees_here() -> None:
    game = example_game().with_regulation(0.5, 0.05)
    local = solve_equilibrium(game, "kkt:product", solver="ipopt")
    assert local.proof == "local" and local.formulation == "kkt:product" and local.backend == "ipopt"
    assert not local.certified and local.certificate.level == Level.LOCAL and local.certificate.reasons
    assert {v.status for v in local.regimes} == {"locally_optimal"}
    assert local.U_G == pytest.approx(solve_equilibrium(game).U_G, abs=1e-6)


def test_custom_callables_with_ops_use_exp_in_both_layers() -> None:
    def cost(step, omega, ops):
        return 0.5 * ops.exp(-0.8 * omega) * step**2

    game = interior_game(fine_tuning_cost=cost).with_regulation(0.8, 0.02)
    reference = solve_equilibrium(interior_game().with_regulation(0.8, 0.02))
    enum, kkt = solve_equilibrium(game), solve_equilibrium(game, "kkt")
    assert enum.U_G == pytest.approx(reference.U_G, abs=1e-7)
    assert kkt.U_G == pytest.approx(enum.U_G, abs=1e-6) and kkt.regime == enum.regime
