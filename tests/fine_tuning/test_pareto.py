"""The Pareto set of δ: an interval in the quadratic game, disconnected with entry costs (checked exactly)."""

from __future__ import annotations

import numpy as np
import pytest

from ftgames.formulations.bargaining import bargain, equilibrium_table, nondominated, pareto_set
from ftgames.formulations.equilibrium import solve_equilibrium
from ftgames.models import FineTuningGame, Regime

from . import closed_forms as cf


def _exact(game, delta):
    eq = solve_equilibrium(game, delta, "enumeration")
    assert eq.certificate.certified
    return np.array([eq.U_G, *eq.U_D])


def _dominates(u, v) -> bool:
    return bool(np.all(u >= v) and np.any(u > v))


@pytest.mark.parametrize(("c0", "c1"), [(1, 2), (3, 1), (1, 4), (2, 1)])
def test_quadratic_pareto_set_is_the_closed_form_interval(c0, c1) -> None:
    low, high = cf.pareto_interval(c0, c1)
    assert pareto_set(FineTuningGame.quadratic(c0, [c1])).intervals() == [pytest.approx([low, high], abs=2e-5)]


def test_vectorized_table_matches_enumeration() -> None:
    game = FineTuningGame.quadratic(6.242, [4.88, 0.609], [0.968, 2.256], entry_cost=[0.004, 1.393])
    deltas = np.random.default_rng(0).uniform(0, 1, (40, 2))
    table = equilibrium_table(game, deltas)
    for row, delta in enumerate(deltas):
        assert table.utilities[row] == pytest.approx(_exact(game, delta), abs=1e-12)


ONE_SPECIALIST_DISCONNECTED = dict(c0=0.3, costs=[0.2], marginal_cost=[0.1], entry_cost=[0.07])


def test_disconnected_pareto_set_one_specialist() -> None:
    """b = 0.1, F = 0.07: D contributes for δ ≲ 0.89, then free-rides; near δ ≈ 0.958 G raises α0 to hold D at its
    entry threshold (U_D = 0) and reaches its highest utility.  Pareto set: [0, 0.675] ∪ [0.9546, 0.9561] ∪ {0.958}.
    """
    kw = dict(ONE_SPECIALIST_DISCONNECTED)
    game = FineTuningGame.quadratic(kw.pop("c0"), kw.pop("costs"), **kw)
    pieces = pareto_set(game).intervals()
    assert len(pieces) == 3
    assert pieces[0] == pytest.approx([0.0, 0.675], abs=1e-4)
    assert pieces[1] == pytest.approx([0.95459, 0.95607], abs=1e-4)
    assert pieces[2] == pytest.approx([0.958, 0.958], abs=1e-4)
    # Exact checks (enumeration over participation sets, not the sampled table):
    # gap points are dominated by explicit points of the components,
    for gap, witness in ((0.8, 0.56), (0.9, 0.5), (0.95, 0.61), (0.957, 0.958)):
        assert _dominates(_exact(game, [witness]), _exact(game, [gap])), (gap, witness)
    # and points of each component are dominated by no point of a fine grid.
    grid = np.linspace(0.0, 1.0, 4001)
    utils = equilibrium_table(game, grid[:, None]).utilities
    for inside in (0.3, 0.955, 0.958):
        u = _exact(game, [inside])
        assert not np.any(np.all(utils >= u + 1e-12, axis=1) & np.any(utils > u + 1e-12, axis=1)), inside
    assert solve_equilibrium(game, [0.958], "enumeration").regimes == (Regime.FREE_RIDE,)
    assert solve_equilibrium(game, [0.99], "enumeration").regimes == (Regime.ABSTAIN,)


def test_generalist_optimal_sits_on_the_isolated_point() -> None:
    kw = dict(ONE_SPECIALIST_DISCONNECTED)
    game = FineTuningGame.quadratic(kw.pop("c0"), kw.pop("costs"), **kw)
    outcome = bargain(game, "generalist_optimal")
    assert outcome.formulation == "frontier" and not outcome.is_global
    assert outcome.delta[0] == pytest.approx(0.958, abs=1e-3)
    assert pareto_set(game).contains(outcome.delta)


def test_two_specialist_example_of_the_spec_is_disconnected() -> None:
    """Spec §5: n = 2, c0 = 6.242, c = (4.88, 0.609), r = (0.968, 2.256), F = (0.004, 1.393), 121×121 grid.
    The grid's Pareto cells form several 8-connected components (our count: 4; the spec describes two, with a
    sliver at δ_2 ≈ 0.408 that our exact equilibria place among dominated cells)."""
    game = FineTuningGame.quadratic(6.242, [4.88, 0.609], [0.968, 2.256], entry_cost=[0.004, 1.393])
    pareto = pareto_set(game, points_per_axis=121)
    assert len(pareto.components) >= 2
    big, second = pareto.components[0], pareto.components[1]
    a, b = np.array(big.points[len(big.points) // 2]), np.array(second.points[len(second.points) // 2])
    grid_utils = equilibrium_table(game, np.vstack([big.points, second.points])).utilities
    for rep in (a, b):  # each representative is Pareto-optimal among the cells of both components (exactly)
        u = _exact(game, rep)
        assert not np.any(np.all(grid_utils >= u, axis=1) & np.any(grid_utils > u + 1e-12, axis=1))
    # every straight path between the components leaves the Pareto set: a point on it is dominated exactly
    samples = np.linspace(0, 1, 41)[1:-1]
    path = a[None, :] + samples[:, None] * (b - a)[None, :]
    mask = nondominated(np.vstack([equilibrium_table(game, path).utilities,
                                   equilibrium_table(game, np.vstack([big.points, second.points])).utilities]))
    assert not mask[: len(path)].all()
