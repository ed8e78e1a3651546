"""The bargaining instances of spec/bilevel-instances.md (catalogue data) solved by the utility-set programs, and
the axioms: Pareto optimality, symmetry, affine invariance (Nash, KS), IIA (Nash), monotonicity (KS)."""

from __future__ import annotations

import math

import cvxpy as cp
import pytest

from ftgames.catalogue import BARGAINING_INSTANCES
from ftgames.formulations.bargaining import bargaining_point
from ftgames.models import ModelError

TOL = 5e-5  # interior-point accuracy on a flat Nash product


def _feasible(frontier: str, n: int):
    if frontier == "linear":
        return lambda u: [cp.sum(u) <= 1]
    if frontier == "quadratic":
        return lambda u: [u[1] + cp.square(u[0]) <= 1]
    raise ValueError(frontier)


@pytest.mark.parametrize("instance", BARGAINING_INSTANCES, ids=lambda i: i.key)
def test_catalogue_instances(instance) -> None:
    feasible = _feasible(instance.frontier, instance.players)
    for solution, expected in instance.solutions.items():
        forms = ("log", "geo_mean") if solution == "nash" else ("log",)
        for form in forms:
            point = bargaining_point(solution, instance.players, feasible, weights=instance.weights,
                                     disagreement=instance.disagreement, formulation=form)
            assert point.utilities == pytest.approx(expected, abs=TOL), (solution, form)
            assert point.is_global


def test_nash_and_ks_differ_on_the_quadratic_frontier() -> None:
    feasible = _feasible("quadratic", 2)
    nash = bargaining_point("nash", 2, feasible).utilities
    ks = bargaining_point("kalai_smorodinsky", 2, feasible)
    golden = (math.sqrt(5) - 1) / 2
    assert nash == pytest.approx((1 / math.sqrt(3), 2 / 3), abs=TOL)
    assert ks.utilities == pytest.approx((golden, golden), abs=1e-7)
    assert ks.ideal == pytest.approx((1.0, 1.0), abs=1e-7)
    assert abs(nash[0] - ks.utilities[0]) > 0.03
    for spelling in ("conic:log", "geo_mean", "conic:geo_mean"):  # bargain's spellings are accepted too
        assert bargaining_point("nash", 2, feasible, formulation=spelling).utilities == pytest.approx(nash, abs=TOL)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_symmetric_players_split_equally(n) -> None:
    for solution in ("nash", "kalai_smorodinsky", "egalitarian"):
        point = bargaining_point(solution, n, lambda u: [cp.sum(u) <= 1])
        assert point.utilities == pytest.approx([1 / n] * n, abs=TOL), solution


def test_pareto_optimality_on_the_frontier() -> None:
    for solution in ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian"):
        u = bargaining_point(solution, 2, _feasible("quadratic", 2)).utilities
        assert u[1] == pytest.approx(1 - u[0] ** 2, abs=1e-6), solution


def test_affine_invariance_of_nash_and_ks() -> None:
    """Rescale player 1: v1 = 2 u1 + 0.1 (and its disagreement value alike): the solution maps along."""
    base = _feasible("quadratic", 2)

    def scaled(v):
        return [v[1] + cp.square((v[0] - 0.1) / 2) <= 1]

    for solution in ("nash", "kalai_smorodinsky"):
        u = bargaining_point(solution, 2, base).utilities
        v = bargaining_point(solution, 2, scaled, disagreement=[0.1, 0.0]).utilities
        assert v[0] == pytest.approx(2 * u[0] + 0.1, abs=2 * TOL), solution
        assert v[1] == pytest.approx(u[1], abs=TOL), solution


def test_independence_of_irrelevant_alternatives_for_nash() -> None:
    full = bargaining_point("nash", 2, lambda u: [cp.sum(u) <= 1], disagreement=[0.2, 0.1]).utilities
    smaller = bargaining_point("nash", 2, lambda u: [cp.sum(u) <= 1, u[0] <= 0.6],
                               disagreement=[0.2, 0.1]).utilities
    assert smaller == pytest.approx(full, abs=TOL)


def test_kalai_smorodinsky_monotonicity() -> None:
    """Enlarge the set only where player 2 gains (same ideal for player 1): player 2 is not worse off."""
    small = bargaining_point("kalai_smorodinsky", 2, lambda u: [cp.sum(u) <= 1]).utilities
    large = bargaining_point("kalai_smorodinsky", 2, lambda u: [u[0] + 0.5 * u[1] <= 1, u[1] <= 1]).utilities
    assert large[1] >= small[1] - 1e-7


def test_bad_input() -> None:
    with pytest.raises(ModelError, match="solution must be one of"):
        bargaining_point("raiffa", 2, lambda u: [cp.sum(u) <= 1])
    with pytest.raises(ModelError, match="weights must be 2 numbers > 0"):
        bargaining_point("nash", 2, lambda u: [cp.sum(u) <= 1], weights=[1, -1])
