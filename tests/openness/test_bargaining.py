"""Bargaining over δ in the openness game, and the effects of regulation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.optimize import brentq, minimize_scalar

from ftgames.formulations.openness.bargaining import SOLUTIONS, bargain
from ftgames.formulations.openness.effects import classify, regulation_effect
from ftgames.formulations.openness.enumeration import equilibrium_arrays
from ftgames.models.openness import LinearBenefit, LinearLeakCost, OpennessDiscountedCost, PowerProductionCost
from ftgames.models.outcomes import Level

from .conftest import example_game

R, KAPPA0, ALPHA0, C_P = 1.0, 0.8, 0.3, 0.1


def no_openness_game():
    """λ = ε = c_O = 0: ω is irrelevant and U(δ) has the closed forms below."""
    return example_game(alpha0=ALPHA0, fine_tuning_cost=OpennessDiscountedCost(kappa0=KAPPA0, lam=0.0),
                        benefit=LinearBenefit(0.0), operation_cost=LinearLeakCost(0.0),
                        production_cost=PowerProductionCost(c_P=C_P))


def u_g(d):
    return d * R * (ALPHA0 + (1 - d) * R / (2 * KAPPA0)) - C_P * ALPHA0**2


def u_d(d):
    return (1 - d) * R * ALPHA0 + (1 - d) ** 2 * R**2 / (4 * KAPPA0)


def test_one_sided_and_utilitarian_solutions_match_closed_forms() -> None:
    game = no_openness_game()
    delta_g = min(1.0, 0.5 * (1 + 2 * KAPPA0 * ALPHA0 / R))  # dU_G/dδ = r α0 + (1 − 2δ) r² / (2κ0) = 0
    assert bargain(game, "generalist_optimal").delta == pytest.approx(delta_g, abs=1e-6)
    # U_D, U_G + U_D (derivative −δ r²/(2κ0)) and α1 all fall with δ, but below the share where U_G = 0 the
    # generalist abstains and everyone gets 0: the optimum is that participation threshold
    participation = brentq(u_g, 0.0, 0.5)
    for solution in ("specialist_optimal", "utilitarian", "max_performance"):
        outcome = bargain(game, solution)
        assert outcome.delta == pytest.approx(participation, abs=1e-6)
        assert outcome.equilibrium.regime == "comply"


def test_nash_and_egalitarian_match_independent_scalar_solves() -> None:
    game = no_openness_game()
    lo = brentq(u_g, 1e-9, 0.5)  # U_G > 0 above this share
    nash = minimize_scalar(lambda d: -(np.log(u_g(d)) + np.log(u_d(d))), bounds=(lo + 1e-12, 1 - 1e-12),
                           method="bounded", options={"xatol": 1e-10})
    assert bargain(game, "nash").delta == pytest.approx(nash.x, abs=1e-6)
    weighted = minimize_scalar(lambda d: -(2 * np.log(u_g(d)) + np.log(u_d(d))), bounds=(lo + 1e-12, 1 - 1e-12),
                               method="bounded", options={"xatol": 1e-10})
    assert bargain(game, "nash", weights=(2.0, 1.0)).delta == pytest.approx(weighted.x, abs=1e-6)
    equal = brentq(lambda d: u_g(d) - u_d(d), 0.0, 1.0)
    outcome = bargain(game, "egalitarian")
    assert outcome.delta == pytest.approx(equal, abs=1e-6)
    assert outcome.equilibrium.U_G == pytest.approx(outcome.equilibrium.U_D, abs=1e-6)


@pytest.mark.parametrize("solution", [s for s in SOLUTIONS if s not in ("fixed", "max_performance")])
def test_every_solution_is_pareto_optimal_on_the_grid(solution: str) -> None:
    game = example_game().with_regulation(0.5, 0.05)
    outcome = bargain(game, solution, grid=501)
    grid = equilibrium_arrays(game, np.linspace(0, 1, 501))
    eq = outcome.equilibrium
    dominated = (grid.U_G >= eq.U_G + 1e-9) & (grid.U_D >= eq.U_D + 1e-9)
    assert not dominated.any()
    spacing = 1 / 500  # the refined δ may sit between the grid's Pareto cells
    assert outcome.pareto_deltas.min() - spacing <= outcome.delta <= outcome.pareto_deltas.max() + spacing


def test_kalai_smorodinsky_gives_equal_fractions_of_the_ideal_gains() -> None:
    game = no_openness_game()
    outcome = bargain(game, "kalai_smorodinsky")
    ideal_g = bargain(game, "generalist_optimal").equilibrium.U_G
    ideal_d = bargain(game, "specialist_optimal").equilibrium.U_D
    eq = outcome.equilibrium
    assert eq.U_G / ideal_g == pytest.approx(eq.U_D / ideal_d, abs=2e-3)


def test_no_deal_when_the_generalist_never_gains() -> None:
    game = example_game(production_cost=PowerProductionCost(c_P=50.0))
    outcome = bargain(game, "nash", grid=101)
    assert not outcome.agreement
    assert outcome.equilibrium.U_G == outcome.equilibrium.U_D == 0.0


def test_bargained_outcome_can_be_re_solved_by_kkt() -> None:
    game = example_game(alpha0=0.6).with_regulation(0.5, 0.2)
    enum, kkt = bargain(game, "nash", grid=401), bargain(game, "nash", grid=401, formulation="kkt")
    assert kkt.delta == enum.delta and kkt.search == enum.search == "exact"
    assert kkt.equilibrium.formulation == "kkt:sos1" and enum.equilibrium.formulation == "enumeration"
    assert kkt.equilibrium.proof == "global" and kkt.equilibrium.certified
    assert kkt.equilibrium.certificate.level == Level.GLOBAL and kkt.equilibrium.backend == "scip"
    assert kkt.equilibrium.U_G == pytest.approx(enum.equilibrium.U_G, abs=1e-6)


# ------------------------------------------------------------------------------------------------- effects
def test_at_a_fixed_share_regulation_never_raises_the_generalists_utility() -> None:
    rng = np.random.default_rng(3)
    for alpha0, theta, penalty in rng.uniform([0.2, 0.0, 0.0], [1.5, 1.0, 0.3], size=(30, 3)):
        effect = regulation_effect(example_game(alpha0=alpha0).with_regulation(theta, penalty), "fixed")
        assert effect.change_U_G <= 1e-12
        assert effect.effect != "pareto_improvement"


def test_paying_the_penalty_is_a_deadweight_loss() -> None:
    effect = regulation_effect(example_game().with_regulation(0.5, 0.05), "fixed")
    assert effect.regulated.equilibrium.regime == "pay"
    assert effect.effect == "deadweight_loss"
    assert effect.change_U_G == pytest.approx(-0.05) and effect.change_U_D == pytest.approx(0.0)


def test_a_definition_below_the_unregulated_openness_changes_nothing() -> None:
    game = example_game(alpha0=0.4)  # below the threshold: ω* = 1 ≥ θ
    assert regulation_effect(game.with_regulation(0.8, 0.1), "fixed").effect == "no_change"


def test_forced_openness_with_rebargaining_is_a_pareto_improvement_near_the_threshold() -> None:
    game = example_game(alpha0=0.6).with_regulation(0.5, 0.2)
    effect = regulation_effect(game, "nash", grid=801)
    assert effect.unregulated.equilibrium.omega == 0.0 and effect.regulated.equilibrium.omega == 1.0
    assert effect.effect == "pareto_improvement"
    assert effect.change_U_G > 0 and effect.change_U_D > 0
    far = regulation_effect(example_game(alpha0=1.0).with_regulation(0.5, 0.05), "nash", grid=801)
    assert far.effect == "deadweight_loss"


def test_classification() -> None:
    assert classify(0.0, 0.0) == "no_change"
    assert classify(0.1, 0.0) == "pareto_improvement"
    assert classify(-0.1, 0.0) == "deadweight_loss"
    assert classify(-0.1, 0.2) == "redistribution"


# ------------------------------------------------------------------------------------- exact vs grid search
EXACT_SOLUTIONS = ("nash", "utilitarian", "egalitarian", "generalist_optimal", "specialist_optimal",
                   "max_performance")


@settings(max_examples=12, deadline=None)
@given(kappa0=st.floats(0.2, 2.0), lam=st.floats(0.0, 0.9), eps=st.floats(0.0, 0.3), c_o=st.floats(0.0, 1.0),
       c_p=st.floats(0.0, 0.5), alpha0=st.floats(0.1, 1.5), theta=st.floats(0.0, 1.0), penalty=st.floats(0.0, 0.3))
def test_exact_search_is_never_beaten_by_the_grid(kappa0, lam, eps, c_o, c_p, alpha0, theta, penalty) -> None:
    game = example_game(alpha0=alpha0, fine_tuning_cost=OpennessDiscountedCost(kappa0=kappa0, lam=lam),
                        benefit=LinearBenefit(eps), operation_cost=LinearLeakCost(c_o),
                        production_cost=PowerProductionCost(c_P=c_p)).with_regulation(theta, penalty)
    for solution in EXACT_SOLUTIONS:
        exact = bargain(game, solution, search="exact", pareto=False, grid=401)
        grid = bargain(game, solution, search="grid", pareto=False, grid=401)
        assert exact.search == "exact" and grid.search == "grid"
        if np.isfinite(grid.objective):
            # a supremum approached only from one side of a switch is evaluated 1e-9 beside it
            assert exact.objective >= grid.objective - 1e-7
            assert exact.objective <= grid.objective + 1e-3 * (1 + abs(grid.objective))
    # KS: the grid search is not refined (it is restricted to Pareto grid cells), so compare to its resolution
    exact, grid = bargain(game, "kalai_smorodinsky", search="exact", pareto=False), bargain(game, "kalai_smorodinsky")
    assert exact.equilibrium.U_G == pytest.approx(grid.equilibrium.U_G, abs=5e-3)
    assert exact.equilibrium.U_D == pytest.approx(grid.equilibrium.U_D, abs=5e-3)


def test_exact_search_refuses_other_forms() -> None:
    from ftgames.models.openness import ConcaveQuadraticBenefit

    game = example_game(benefit=ConcaveQuadraticBenefit(0.1, 0.3))
    with pytest.raises(ValueError, match="search='grid'"):
        bargain(game, "nash", search="exact")
    assert bargain(game, "nash", grid=201).search == "grid"
    assert bargain(game, "fixed").search == "fixed"
