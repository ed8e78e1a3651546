"""Bargaining: every numerical formulation agrees with the closed forms; axioms and properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from ftgames.formulations.bargaining import bargain, first_best
from ftgames.models import FineTuningGame, ModelError
from ftgames.solvers import SolveConfig

from . import closed_forms as cf

cost = st.floats(0.25, 4.0)
FAST = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                phases=[Phase.explicit, Phase.generate])
SOLUTIONS = ("utilitarian", "nash", "egalitarian", "kalai_smorodinsky")


@FAST
@given(c0=cost, c1=cost, r=st.floats(0.5, 2.0))
def test_every_formulation_agrees_with_closed_form(c0, c1, r) -> None:
    game = FineTuningGame.quadratic(c0, [c1], [r])
    for name in SOLUTIONS:
        expected = cf.CLOSED_FORMS[name](c0, c1)
        forms = ["conic", "single_level", "frontier"] + (["log", "geo_mean"] if name == "nash" else [])
        for form in forms:
            outcome = bargain(game, name, formulation=form)
            assert outcome.delta[0] == pytest.approx(expected, abs=1e-6), (name, form)


@FAST
@given(c0=cost, c1=cost)
def test_global_single_level_agrees(c0, c1) -> None:
    game = FineTuningGame.quadratic(c0, [c1])
    for name in ("nash", "egalitarian"):
        outcome = bargain(game, name, formulation="single_level", solver="scip", config=SolveConfig(time_limit=60))
        assert outcome.is_global and outcome.delta[0] == pytest.approx(cf.CLOSED_FORMS[name](c0, c1), abs=1e-6)


@FAST
@given(c0=cost, c1=cost)
def test_role_symmetry(c0, c1) -> None:
    game, mirror = FineTuningGame.quadratic(c0, [c1]), FineTuningGame.quadratic(c1, [c0])
    for name in SOLUTIONS:
        assert bargain(game, name).delta[0] == pytest.approx(1 - bargain(mirror, name).delta[0], abs=1e-7), name
    for d in (0.1, 0.5, 0.8):  # U_G(δ; c0, c1) = U_D(1 − δ; c1, c0)
        assert cf.u_g(d, c0, c1) == pytest.approx(cf.u_d(1 - d, c1, c0))


@FAST
@given(c0=cost, c1=cost)
def test_solutions_in_pareto_set_and_egalitarian_equalizes(c0, c1) -> None:
    game = FineTuningGame.quadratic(c0, [c1])
    low, high = cf.pareto_interval(c0, c1)
    for name in SOLUTIONS:
        delta = bargain(game, name).delta[0]
        assert low - 1e-7 <= delta <= high + 1e-7, name
    eq = bargain(game, "egalitarian").equilibrium
    assert eq.U_G == pytest.approx(eq.U_D[0], abs=1e-8)


@FAST
@given(c0=cost, c1=cost, c2=cost, r2=st.floats(0.3, 3.0), f2=st.floats(0.0, 0.3))
def test_first_best_dominates_every_contract(c0, c1, c2, r2, f2) -> None:
    game = FineTuningGame.quadratic(c0, [c1, c2], [1.0, r2], entry_cost=[0.0, f2])
    best = first_best(game).surplus
    for name in ("utilitarian", "nash", "egalitarian", "generalist_optimal", "max_performance"):
        outcome = bargain(game, name, points_per_axis=41)
        assert outcome.equilibrium.total_surplus <= best + 1e-9, name


def test_nash_weights_and_disagreement_point() -> None:
    game = FineTuningGame.quadratic(1, [2])
    plain = bargain(game, "nash").delta[0]
    tilted = bargain(game, "nash", weights=[2.0, 1.0]).delta[0]
    assert tilted > plain  # more weight on G: a larger share for G
    for form in ("log", "geo_mean", "single_level"):
        outcome = bargain(game, "nash", formulation=form, disagreement=[0.02, 0.05])
        eq = outcome.equilibrium
        assert eq.U_G > 0.02 and eq.U_D[0] > 0.05
        ref = bargain(game, "nash", formulation="log", disagreement=[0.02, 0.05]).delta[0]
        assert outcome.delta[0] == pytest.approx(ref, abs=1e-6), form


def test_n_specialist_nash_never_gives_everything_to_g() -> None:
    game = FineTuningGame.quadratic(1, [1, 2], [1, 1])
    nash = bargain(game, "nash")
    assert all(d < 1 - 1e-6 for d in nash.delta)
    assert bargain(game, "kalai_smorodinsky").equilibrium.U_G > 0


def test_bad_bargaining_input() -> None:
    game = FineTuningGame.quadratic(1, [2])
    with pytest.raises(ModelError, match="bargaining solution must be one of"):
        bargain(game, "rubinstein")
    with pytest.raises(ModelError, match=r"weights must have 2 entries"):
        bargain(game, "nash", weights=[1, 1, 1])
    with pytest.raises(ModelError, match=r"weights\[0\] must be > 0"):
        bargain(game, "nash", weights=[0, 1])
    with pytest.raises(ModelError, match="'single_level' or 'frontier'"):
        bargain(FineTuningGame.quadratic(1, [2, 1]), "egalitarian", formulation="conic")
    with pytest.raises(ModelError, match="no entry decisions"):
        bargain(FineTuningGame.quadratic(1, [2], entry_cost=[0.1]), "nash", formulation="single_level")


@pytest.mark.parametrize("costs", [[2.0], [2.0, 3.0]])
def test_max_performance_lands_on_the_vertex_exactly(costs: list[float]) -> None:
    """Quadratic costs: α*(δ) is affine in δ and its maximum is a vertex of the box (the exact ``vertices``
    program's); the conic program's interior point is put on it, so D's utility at δ = 1 is exactly 0."""
    game = FineTuningGame.quadratic(c0=1.0, costs=costs)
    conic = bargain(game, "max_performance", formulation="conic")
    exact = bargain(game, "max_performance", formulation="vertices")
    assert conic.equilibrium.delta == exact.equilibrium.delta
    assert all(u == 0.0 for u, d in zip(conic.equilibrium.U_D, conic.equilibrium.delta, strict=True) if d == 1.0)
