"""The S-decomposition (issue 13): certified bargaining for n specialists, checked against independent answers —
a dense grid over δ at n = 2 and 3, SCIP's single-level program, the spec's reference values — on random games,
with the certificate levels and the reasons where no certificate is given."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ftgames.formulations.bargaining import bargain, decomposition as dc
from ftgames.formulations.equilibrium import solve_equilibrium
from ftgames.formulations.equilibrium.leader import exact_leader
from ftgames.formulations.equilibrium.vectorised import equilibrium_arrays
from ftgames.models import FineTuningGame, ModelError


def random_game(rng: np.random.Generator, n: int, exponent: float) -> FineTuningGame:
    return FineTuningGame.polynomial(round(rng.uniform(0.3, 3.0), 4), np.round(rng.uniform(0.3, 3.0, n), 4),
                                     np.round(rng.uniform(0.3, 3.0, n), 4), exponent=exponent)


def grid_best(game: FineTuningGame, solution: str, points: int) -> float:
    """Brute force: the criterion's best value over a regular grid of δ, from exact equilibria."""
    axis = np.linspace(0.0, 1.0, points)
    best = -np.inf
    for delta in itertools.product(axis, repeat=game.n):
        eq = solve_equilibrium(game, list(delta))
        value = eq.U_G if solution == "generalist_optimal" else eq.U_G + sum(eq.U_D)
        best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("solution", ["utilitarian", "generalist_optimal"])
def test_certified_optimum_is_at_least_every_grid_point(seed: int, solution: str) -> None:
    rng = np.random.default_rng(700 + seed)
    n = 2 + seed % 2
    game = random_game(rng, n, 2.0 if seed < 3 else 3.0)
    out = bargain(game, solution, formulation="decomposition")
    assert out.certified and out.certificate.level == "global"
    brute = grid_best(game, solution, 41 if n == 2 else 17)
    assert out.objective >= brute - 1e-9 * max(1.0, abs(brute))
    # and the value is what the exact equilibrium at the answer gives
    eq = solve_equilibrium(game, list(out.delta))
    value = eq.U_G if solution == "generalist_optimal" else eq.U_G + sum(eq.U_D)
    assert value == pytest.approx(out.objective, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("solution", ["utilitarian", "generalist_optimal"])
def test_agrees_with_scip_single_level(seed: int, solution: str) -> None:
    rng = np.random.default_rng(800 + seed)
    game = random_game(rng, 2 + seed % 2, 2.0 if seed % 2 else 3.0)
    ours = bargain(game, solution, formulation="decomposition")
    scip = bargain(game, solution, formulation="single_level", solver="scip")
    assert ours.certified
    assert ours.objective >= scip.objective - 1e-7 * max(1.0, abs(scip.objective))
    if scip.certified:
        assert ours.objective == pytest.approx(scip.objective, rel=1e-7, abs=1e-9)
        assert np.allclose(ours.delta, scip.delta, atol=1e-4)


def test_reference_values_of_the_spec() -> None:
    three = FineTuningGame.quadratic(1.0, [1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    out = bargain(three, "utilitarian", formulation="decomposition")
    assert np.allclose(out.delta, (1.0, 5 / 6, 5 / 9), atol=1e-9) and out.certified
    assert out.equilibrium.U_G == pytest.approx(6.083333, abs=1e-5)
    two = FineTuningGame.quadratic(1.0, [1.0, 1.0])
    assert np.allclose(bargain(two, "utilitarian", formulation="decomposition").delta, (2 / 3, 2 / 3), atol=1e-9)
    cubic = FineTuningGame.polynomial(1.0, [2.0], exponent=3.0)  # spec §6, k = 3: utilitarian 0.5575
    assert bargain(cubic, "utilitarian", formulation="decomposition").delta[0] == pytest.approx(0.5575, abs=1e-4)


def test_kalai_smorodinsky_one_specialist_matches_the_closed_form() -> None:
    game = FineTuningGame.quadratic(1.0, [2.0])
    out = bargain(game, "kalai_smorodinsky", formulation="decomposition")
    assert out.delta[0] == pytest.approx((1 + 2 * np.sqrt(7)) / 9, abs=1e-6)
    assert out.certified


def test_specialist_ideals_match_a_dense_scan() -> None:
    rng = np.random.default_rng(5)
    game = random_game(rng, 3, 3.0)
    problem = dc.Problem(game, "utilitarian", np.ones(4), np.zeros(4))
    ideals, gap = dc.specialist_ideals(problem)
    for i in range(3):
        best = -np.inf
        for x in np.linspace(0.0, 1.0, 2001):
            delta = np.ones(3)
            delta[i] = x
            best = max(best, solve_equilibrium(game, delta.tolist()).U_D[i])
        assert ideals[i] >= best - 1e-12 and ideals[i] <= best + 1e-3 * max(1.0, best)
    assert gap < 1e-9


def test_default_for_several_specialists_and_reasons_where_it_does_not_apply() -> None:
    cubic = FineTuningGame.polynomial(1.0, [1.0, 2.0, 3.0], exponent=3.0)
    out = bargain(cubic, "utilitarian")
    assert out.formulation == "decomposition" and out.certified
    flat = FineTuningGame.polynomial(1.0, [1.0, 2.0], exponent=1.5)
    assert "exponent is below 2" in dc.why_not(flat, "utilitarian", [1.0] * 3, [0.0] * 3)
    with pytest.raises(ModelError, match="does not apply: .*exponent is below 2"):
        bargain(flat, "utilitarian", formulation="decomposition")
    entry = FineTuningGame.quadratic(1.0, [1.0, 2.0], entry_cost=[0.01, 0.0])
    assert "entry threshold" in dc.why_not(entry, "utilitarian", [1.0] * 3, [0.0] * 3)
    assert dc.why_not(entry, "nash", [1.0] * 3, [0.0] * 3) is None
    local = bargain(FineTuningGame.quadratic(1.0, [1.0, 2.0]), "nash", formulation="single_level", solver="ipopt")
    assert not local.certified and any("decomposition" in r for r in local.certificate.reasons)


@pytest.mark.parametrize("seed", range(40))
def test_vectorised_equilibrium_equals_the_exact_leader(seed: int) -> None:
    """The O(n log n) equilibrium (sorted thresholds) against the piecewise enumeration that loops in Python, with
    entry costs, marginal costs and several exponents."""
    rng = np.random.default_rng(900 + seed)
    n = int(rng.integers(1, 6))
    game = FineTuningGame.polynomial(rng.uniform(0.2, 3), rng.uniform(0.2, 3, n), rng.uniform(0.2, 3, n),
                                     exponent=float(rng.choice([1.5, 2.0, 3.0])),
                                     entry_cost=rng.uniform(0, 0.5, n) * (rng.random(n) < 0.7),
                                     marginal_cost=rng.uniform(0, 0.5, n) * (rng.random(n) < 0.5))
    delta = rng.uniform(0, 1, n)
    fast, slow = equilibrium_arrays(game, delta), exact_leader(game, delta)
    assert fast.alpha0 == pytest.approx(slow.alpha0, abs=1e-9)
    assert fast.utility_generalist == pytest.approx(slow.value, abs=1e-9)
    assert fast.participates.tolist() == [r.participates for r in slow.responses]


def test_equilibrium_of_many_specialists_is_certified_by_its_first_order_checks() -> None:
    n = 5000
    game = FineTuningGame.quadratic(1.0, np.linspace(1.0, 2.0, n), np.linspace(0.5, 1.5, n))
    eq = solve_equilibrium(game, np.full(n, 0.5))
    assert eq.certificate.level == "global" and "first-order" in eq.certificate.checks["check"]
    s = 0.5 * np.linspace(0.5, 1.5, n).sum()
    assert eq.alpha0 == pytest.approx(s / 2.0, rel=1e-12)


def criterion(solution: str, utilities: np.ndarray, disagreement: np.ndarray, weights: np.ndarray) -> float:
    gains = utilities - disagreement
    if solution == "nash":  # a gain within rounding of 0 (a specialist held at its entry threshold) counts as none
        return float(np.sum(weights * np.log(gains))) if np.all(gains > 1e-12) else -np.inf
    return float(gains.min())


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("solution", ["nash", "egalitarian", "kalai_smorodinsky"])
def test_second_order_bounds_agree_with_scip_single_level(seed: int, solution: str) -> None:
    """Nash (random weights), egalitarian and Kalai–Smorodinsky (random disagreement points) against SCIP's global
    single-level program: same δ, same criterion, both certified."""
    rng = np.random.default_rng(1300 + seed)
    n = 2 + seed % 2
    game = random_game(rng, n, (2.0, 3.0, 2.5, 2.0)[seed])
    kw: dict = {"disagreement": list(np.round(rng.uniform(0.0, 0.05, n + 1), 3))}
    if solution == "nash":
        kw["weights"] = list(np.round(rng.uniform(0.5, 2.0, n + 1), 3))
    ours = bargain(game, solution, **kw)
    scip = bargain(game, solution, formulation="single_level", solver="scip", **kw)
    assert ours.formulation == "decomposition" and ours.certified and scip.certified
    assert ours.objective == pytest.approx(scip.objective, rel=1e-7, abs=1e-8)
    assert np.allclose(ours.delta, scip.delta, atol=1e-4)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("solution", ["nash", "egalitarian"])
def test_with_entry_costs_no_grid_point_beats_the_certified_bargain(seed: int, solution: str) -> None:
    """Entry costs: the search runs in the regime where everyone takes part; a dense grid of exact equilibria
    (every regime) finds nothing better, and the answer is within the grid's resolution of its best point."""
    rng = np.random.default_rng(1400 + seed)
    game = FineTuningGame.polynomial(round(rng.uniform(0.3, 3.0), 3), np.round(rng.uniform(0.3, 3.0, 2), 3),
                                     np.round(rng.uniform(0.3, 3.0, 2), 3), exponent=(2.0, 3.0, 2.0)[seed],
                                     entry_cost=np.round(rng.uniform(0.0, 0.2, 2), 3))
    out = bargain(game, solution)
    axis = np.linspace(0.0, 1.0, 161)
    zero, ones = np.zeros(3), np.ones(3)
    best = -np.inf
    for x, y in itertools.product(axis, axis):
        eq = equilibrium_arrays(game, np.array([x, y]))
        best = max(best, criterion(solution, np.array([eq.utility_generalist, *eq.utility_specialists]), zero, ones))
    if out.formulation == "frontier":  # no bargain where everyone takes part gives everyone a positive gain
        reason = out.details["why_not_global"]
        if solution == "nash":  # proved by the search: every gain positive is impossible
            assert "no δ gives every player" in reason and best == -np.inf
        else:  # the least gain is at most 0 in every regime (an abstaining D_i gains its outside option, 0)
            assert "leaves someone no gain" in reason and best <= 1e-9
            assert out.objective >= best - 1e-3 * max(1.0, abs(best))
        return
    assert out.formulation == "decomposition" and out.certified
    assert out.objective >= best - 1e-9
    assert out.objective <= best + 1e-2 * max(1.0, abs(best))


def test_no_bargain_with_positive_gains_falls_back_with_the_reason() -> None:
    """A specialist whose entry cost exceeds anything it can earn: no δ gives everyone a positive gain, which the
    search proves; the default falls back to the sampled frontier and says why, the named formulation refuses."""
    game = FineTuningGame.quadratic(2.5, [1.5, 2.3], [1.0, 0.3], entry_cost=[0.0, 0.29])
    out = bargain(game, "nash")
    assert out.formulation == "frontier" and not out.certified
    assert "no δ gives every player" in out.details["why_not_global"]
    with pytest.raises(ModelError, match="no δ gives every player"):
        bargain(game, "nash", formulation="decomposition")


@pytest.mark.parametrize("solution", ["nash", "egalitarian", "kalai_smorodinsky"])
def test_fifty_specialists_are_certified_by_default(solution: str) -> None:
    rng = np.random.default_rng(1500)
    game = random_game(rng, 50, 2.0)
    out = bargain(game, solution)
    assert out.formulation == "decomposition" and out.certified and out.certificate.level == "global"
    assert out.details["gap"] <= 1e-8 * max(1.0, abs(out.details["bound"]))
    # no single-share perturbation of the answer does better (a necessary condition of the certified optimum)
    base = np.array(out.delta)
    d, w = np.zeros(51), np.ones(51)
    for i in range(0, 50, 7):
        for step in (-1e-3, 1e-3):
            trial = base.copy()
            trial[i] = np.clip(trial[i] + step, 0.0, 1.0)
            eq = equilibrium_arrays(game, trial)
            us = np.array([eq.utility_generalist, *eq.utility_specialists])
            if solution == "kalai_smorodinsky":
                ideal = np.array(out.details["ideal"])
                value = float(np.min(us / ideal))
                assert value <= out.details["normalized_gain"] + 1e-9
            else:
                assert criterion(solution, us, d, w) <= out.objective + 1e-9


@pytest.mark.parametrize("solution", ["utilitarian", "generalist_optimal"])
def test_entry_costs_with_many_specialists_get_a_labelled_local_answer_not_an_error(solution: str) -> None:
    """Above 12 specialists the sampled frontier cannot be a grid (3^n points): it samples δ at random, adds the
    decomposition's all-participate answer, and says why nothing is certified; the answer is at least as good as
    every constant share (among its samples) and as that candidate."""
    rng = np.random.default_rng(1600)
    n = 20
    game = FineTuningGame.quadratic(1.0, np.round(rng.uniform(0.5, 2.0, n), 3), np.round(rng.uniform(0.5, 2.0, n), 3),
                                    entry_cost=np.round(rng.uniform(0.0, 0.1, n), 3))
    out = bargain(game, solution)
    assert out.formulation == "frontier" and not out.certified and "entry" in out.details["why_not_global"]

    def value(delta) -> float:
        eq = equilibrium_arrays(game, np.asarray(delta, dtype=float))
        return eq.utility_generalist + (eq.utility_specialists.sum() if solution == "utilitarian" else 0.0)

    assert out.objective == pytest.approx(value(out.delta), rel=1e-12)
    for share in np.linspace(0.0, 1.0, 21):
        assert out.objective >= value(np.full(n, share)) - 1e-12
    candidate = dc.solve(game, solution, [1.0] * (n + 1), [0.0] * (n + 1))
    assert out.objective >= value(candidate.delta) - 1e-12
