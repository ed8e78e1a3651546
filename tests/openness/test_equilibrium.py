"""Qualitative facts of the spec, checked against independently coded closed forms (default forms, k = 2)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ftgames.formulations.openness.enumeration import equilibrium_arrays
from ftgames.formulations.openness.equilibrium import compliance_loss, solve_equilibrium, unregulated_openness
from ftgames.formulations.openness.follower import fine_tuning_step, leader_value, utilities
from ftgames.models.openness import CustomTerm, OpennessGame, PowerProductionCost
from ftgames.models.outcomes import Level

from .conftest import example_game, interior_game


def closed_form_step(game: OpennessGame, omega, delta):
    """Δ* = (1 − δ) r / (2 κ0 (1 − λ ω)) (derived by hand for the default forms)."""
    c = game.fine_tuning_cost
    return (1 - delta) * game.revenue.r / (2 * c.kappa0 * (1 - c.lam * omega))


def closed_form_value(game: OpennessGame, omega, delta):
    """V(ω) = δ r (α0 + Δ*) + ε ω − c_P α0² − c_O ω α0."""
    return (delta * game.revenue.r * (game.alpha0 + closed_form_step(game, omega, delta))
            + game.benefit.epsilon * omega - game.production_cost.c_P * game.alpha0**2
            - game.operation_cost.c_O * omega * game.alpha0)


def test_follower_closed_form_matches_hand_formula_and_bisection(game: OpennessGame) -> None:
    omegas, deltas = np.linspace(0, 1, 7), np.linspace(0, 1, 5)[:, None]
    expected = closed_form_step(game, omegas, deltas)
    assert np.allclose(fine_tuning_step(game, omegas, deltas), expected)
    cost = game.fine_tuning_cost
    numeric = game.replace(fine_tuning_cost=CustomTerm("fine_tuning_cost", lambda s, w: cost(s, w)))
    assert not numeric.closed_form_follower
    assert np.allclose(fine_tuning_step(numeric, omegas, deltas), expected, atol=1e-6)


@pytest.mark.parametrize("make", [example_game, interior_game])
def test_specialist_utility_is_non_decreasing_in_openness(make) -> None:
    game = make()
    omegas = np.linspace(0, 1, 101)
    for delta in (0.1, 0.5, 0.9):
        _, u_d = utilities(game, omegas, fine_tuning_step(game, omegas, delta), delta)
        assert np.all(np.diff(u_d) >= -1e-12)


def test_unregulated_openness_threshold_matches_closed_form(game: OpennessGame) -> None:
    """ω* = 1 iff A λ/(1 − λ) + ε ≥ c_O α0 with A = δ(1 − δ) r² / (2 κ0) (V convex: compare the ends)."""
    c = game.fine_tuning_cost
    a = game.delta * (1 - game.delta) * game.revenue.r**2 / (2 * c.kappa0)
    threshold = (a * c.lam / (1 - c.lam) + game.benefit.epsilon) / game.operation_cost.c_O
    alpha0s = np.array([0.5 * threshold, 0.99 * threshold, 1.01 * threshold, 2 * threshold])
    assert unregulated_openness(game, alpha0s).tolist() == [1.0, 1.0, 0.0, 0.0]


@pytest.mark.parametrize("make", [example_game, interior_game])
def test_unregulated_openness_is_non_increasing_in_baseline(make) -> None:
    game = make()
    alpha0s = np.linspace(0.05, 2.5, 40)
    omega = unregulated_openness(game, alpha0s)
    assert np.all(np.isfinite(omega))
    assert np.all(np.diff(omega) <= 1e-6)
    assert omega[0] > omega[-1]


def test_interior_game_has_interior_optimum_and_complies_at_the_threshold() -> None:
    game = interior_game()
    free = solve_equilibrium(game)
    assert 0.05 < free.omega < 0.95
    # V‴ ≥ 0: the stationary point of the concave part against the ends is exact, so the certificate is global
    assert free.proof == "concave_convex" and free.regime_value("comply").proof == "concave_convex"
    assert free.certificate.level == Level.GLOBAL and free.certified and not free.certificate.reasons
    assert free.backend is None and free.formulation == "enumeration"
    dense = np.linspace(0.0, 1.0, 200001)  # an independent dense search of G's payoff over ω
    assert free.U_G == pytest.approx(leader_value(game, dense).max(), abs=1e-9)
    assert free.U_G >= leader_value(game, dense).max() - 1e-12
    theta = min(free.omega + 0.2, 1.0)
    regulated = solve_equilibrium(game.with_regulation(theta, 10.0))
    assert regulated.regime == "comply" and regulated.omega == pytest.approx(theta, abs=1e-9)


def test_convex_endpoint_comparison_is_a_global_certificate(game: OpennessGame) -> None:
    """V is convex in ω for the default forms, so comparing each regime's ends is exact: certified global."""
    eq = solve_equilibrium(game.with_regulation(0.5, 0.05))
    assert eq.proof == "convex_endpoints" and eq.certified and eq.certificate.level == Level.GLOBAL
    assert eq.certificate.checks["regime_proofs"] == {"comply": "convex_endpoints", "pay": "convex_endpoints"}
    assert eq.certificate.reasons == () and eq.backend is None
    assert {v.status for v in eq.regimes} == {"optimal"}


def test_compliance_loss_matches_closed_form(game: OpennessGame) -> None:
    dense = np.linspace(0, 1, 20001)
    values = closed_form_value(game, dense, game.delta)
    for theta in (0.1, 0.3, 0.6, 0.95):
        expected = values.max() - values[dense >= theta].max()
        assert compliance_loss(game.with_regulation(theta, 0.0)) == pytest.approx(expected, abs=1e-7)


@pytest.mark.parametrize("make", [example_game, interior_game])
def test_generalist_complies_iff_penalty_covers_its_compliance_loss(make) -> None:
    game = make()
    rng = np.random.default_rng(7)
    checked = 0
    for theta, penalty in rng.uniform([0.05, 0.0], [1.0, 0.15], size=(40, 2)):
        regulated = game.with_regulation(theta, penalty)
        loss = compliance_loss(regulated)
        if abs(penalty - loss) < 1e-6:
            continue
        eq = solve_equilibrium(regulated)
        assert eq.regime == ("comply" if penalty >= loss else "pay")
        checked += 1
    assert checked > 30


def test_switching_curve_separates_pay_from_comply(game: OpennessGame) -> None:
    for theta in np.linspace(0.05, 1.0, 12):
        loss = compliance_loss(game.with_regulation(theta, 0.0))
        assert loss > 0
        below = equilibrium_arrays(game.with_regulation(theta, loss * (1 - 1e-6)))
        above = equilibrium_arrays(game.with_regulation(theta, loss * (1 + 1e-6)))
        assert (below.regime[0], above.regime[0]) == (1, 0)  # pay below the curve, comply above


def test_paying_keeps_the_unregulated_release_and_costs_exactly_the_penalty(game: OpennessGame) -> None:
    free = solve_equilibrium(game)
    paid = solve_equilibrium(game.with_regulation(0.5, 0.01))
    assert paid.regime == "pay" and paid.omega == free.omega
    assert paid.U_G == pytest.approx(free.U_G - 0.01) and paid.U_D == pytest.approx(free.U_D)


def test_abstention_when_regulation_makes_release_unprofitable(game: OpennessGame) -> None:
    free_value = solve_equilibrium(game).U_G
    loss = compliance_loss(game.with_regulation(0.6, 0.0))
    # a production cost that leaves G half its compliance loss as margin without regulation
    c_p = game.production_cost.c_P + (free_value - 0.5 * loss) / game.alpha0**2
    marginal = game.replace(production_cost=PowerProductionCost(c_P=c_p))
    assert solve_equilibrium(marginal).regime == "comply"
    eq = solve_equilibrium(marginal.with_regulation(0.6, 1.0))
    comply = eq.regime_value("comply")
    assert comply.U_G < 0 and eq.regime == "abstain" and eq.U_G == eq.U_D == 0.0
    hopeless = game.replace(production_cost=PowerProductionCost(c_P=100.0))
    assert solve_equilibrium(hopeless).regime == "abstain"


def test_no_regulation_when_theta_or_penalty_is_zero(game: OpennessGame) -> None:
    free = solve_equilibrium(game)
    for theta, penalty in ((0.0, 5.0), (0.7, 0.0)):
        eq = solve_equilibrium(game.with_regulation(theta, penalty))
        assert eq.U_G == pytest.approx(free.U_G) and eq.U_D == pytest.approx(free.U_D)


# ------------------------------------------------------------------------------ the facts on random parameters
def _random_game(data) -> OpennessGame:
    from ftgames.models.openness import make_term

    cost = data.draw(st.sampled_from(["openness_discounted", "exponential_discount"]))
    benefit = data.draw(st.sampled_from(["linear", "concave_quadratic"]))
    leak = data.draw(st.sampled_from(["linear_leak", "quadratic_leak"]))
    unit = st.floats(0.0, 1.0)
    return OpennessGame(
        alpha0=1.0, delta=data.draw(st.floats(0.0, 0.95)),
        fine_tuning_cost=make_term("fine_tuning_cost", {"family": cost, "kappa0": data.draw(st.floats(0.2, 3.0)),
                                                        "lam": data.draw(st.floats(0.0, 0.9))}),
        benefit=make_term("benefit", {"family": benefit, "epsilon": data.draw(unit) * 0.4}),
        operation_cost=make_term("operation_cost", {"family": leak, "c_O": data.draw(st.floats(0.05, 1.0))}),
        production_cost=PowerProductionCost(c_P=0.0),
    )


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_openness_non_increasing_in_baseline_for_random_families(data) -> None:
    """With linear revenue D's step does not depend on α0 and ∂²U_G/∂ω∂α0 = −∂²O/∂ω∂α0 ≤ 0 (decreasing
    differences), so ω*(α0) is non-increasing (Topkis)."""
    game = _random_game(data)
    omega = unregulated_openness(game, np.linspace(0.05, 3.0, 25))
    assert np.all(np.diff(omega) <= 1e-6)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_specialist_gains_from_openness_for_random_families(data) -> None:
    """Envelope theorem: dU_D/dω = −∂C/∂ω ≥ 0 since both cost families fall with ω."""
    game = _random_game(data)
    omegas = np.linspace(0.0, 1.0, 51)
    _, u_d = utilities(game, omegas, fine_tuning_step(game, omegas, game.delta), game.delta)
    assert np.all(np.diff(u_d) >= -1e-12)


def test_welfare_counts_a_paid_penalty_only_as_a_transfer(game: OpennessGame) -> None:
    from ftgames.models.openness import Regulation

    lost = solve_equilibrium(game.with_regulation(0.5, 0.01))
    moved = solve_equilibrium(game.replace(regulation=Regulation(0.5, 0.01, penalty_is_transfer=True)))
    assert lost.regime == moved.regime == "pay" and lost.penalty_paid == 0.01
    assert lost.welfare == pytest.approx(lost.U_G + lost.U_D)
    assert moved.welfare == pytest.approx(moved.U_G + moved.U_D + 0.01)
