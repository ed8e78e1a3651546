"""The utility frontier over δ: the exact equilibrium at many shares at once (``equilibrium_table``), the
non-dominated rows of a utility table (``nondominated``), and the grids the sampled methods use.  The Pareto set
itself, as components with a membership test, is :mod:`.pareto`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ..equilibrium.enumeration import exact_leader
from ..equilibrium.power import leader_batch


@dataclass(frozen=True)
class EquilibriumTable:
    """Equilibrium at each row of ``delta`` (shape (N, n)): investments, participation and utilities."""

    delta: np.ndarray
    alpha0: np.ndarray
    alpha: np.ndarray
    participates: np.ndarray
    utility_generalist: np.ndarray
    utility_specialists: np.ndarray

    @property
    def utilities(self) -> np.ndarray:
        """(N, n + 1): U_G then U_D1..U_Dn."""
        return np.column_stack([self.utility_generalist, self.utility_specialists])


def equilibrium_table(game: FineTuningGame, delta: np.ndarray) -> EquilibriumTable:
    """Exact SPE at every row of δ: vectorized enumeration of participation sets for linear revenue, the batched
    leader search of :func:`~ftgames.formulations.equilibrium.power.leader_batch` for power revenue (the method of
    ``exact_leader``, every row at once)."""
    delta = np.atleast_2d(np.asarray(delta, dtype=float))
    if delta.shape[1] != game.n:
        raise ValueError(f"delta must have {game.n} columns, got {delta.shape[1]}")
    if game.linear_revenue and game.generalist.outside_option == 0:
        return _linear_table(game, delta)
    if not game.linear_revenue:
        batch = leader_batch(game, delta)
        g_part = batch.generalist_participates
        return _finish(game, delta, np.where(g_part, batch.alpha0, 0.0), batch.increment,
                       batch.participates & g_part[:, None])
    return per_point_table(game, delta)


def per_point_table(game: FineTuningGame, delta: np.ndarray) -> EquilibriumTable:
    """The same table row by row through :func:`~ftgames.formulations.equilibrium.leader.exact_leader` (the path
    ``equilibrium_table`` took for power revenue before the batched search; kept as its reference and for the
    benchmark ``benchmarks/parametric.py``)."""
    delta = np.atleast_2d(np.asarray(delta, dtype=float))
    rows = [exact_leader(game, d) for d in delta]
    a0 = np.array([r.alpha0 if r.generalist_participates else 0.0 for r in rows])
    part = np.array([[p.participates and r.generalist_participates for p in r.responses] for r in rows])
    inc = np.array([[p.increment for p in r.responses] for r in rows])
    return _finish(game, delta, a0, inc, part)


def _linear_table(game: FineTuningGame, delta: np.ndarray) -> EquilibriumTable:
    n = game.n
    rate = np.array([rev.rate for rev in game.revenues])
    share = (1.0 - delta) * rate  # marginal revenue D_i keeps
    inc = np.zeros_like(delta)
    base = np.zeros_like(delta)  # D_i's surplus at α0 = 0, net of entry cost and outside option
    for i, (cost, spec) in enumerate(zip(game.specialist_costs, game.specialists, strict=True)):
        m = np.maximum(share[:, i] - cost.linear, 0.0)
        inc[:, i] = (m / (cost.exponent * cost.coefficient)) ** (1.0 / (cost.exponent - 1.0))
        base[:, i] = (share[:, i] * inc[:, i] - cost.coefficient * inc[:, i] ** cost.exponent
                      - cost.linear * inc[:, i] - spec.entry_cost - spec.outside_option)
    with np.errstate(divide="ignore", invalid="ignore"):
        thresholds = np.where(base >= -1e-12, 0.0, np.where(share > 0, -base / np.where(share > 0, share, 1.0),
                                                            np.inf))
    g = game.generalist_cost

    def value(a0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        part = share * a0[:, None] + base >= -1e-12
        income = np.sum(np.where(part, delta * rate * (a0[:, None] + inc), 0.0), axis=1)
        return income - g.coefficient * a0 ** g.exponent, part

    order = np.sort(thresholds, axis=1)
    best_val = np.full(len(delta), -np.inf)
    best_a0 = np.zeros(len(delta))
    for j in range(n + 1):
        lo = np.zeros(len(delta)) if j == 0 else order[:, j - 1]
        hi = order[:, j] if j < n else np.full(len(delta), np.inf)
        valid = np.isfinite(lo)
        lo = np.where(valid, lo, 0.0)
        members = thresholds <= lo[:, None]
        inc_rate = np.sum(np.where(members, delta * rate, 0.0), axis=1)
        unconstrained = (inc_rate / (g.exponent * g.coefficient)) ** (1.0 / (g.exponent - 1.0))
        for cand in (np.clip(unconstrained, lo, np.maximum(lo, hi)), lo):
            v, _ = value(cand)
            better = valid & (v > best_val)
            best_val = np.where(better, v, best_val)
            best_a0 = np.where(better, cand, best_a0)
    _, part = value(best_a0)
    return _finish(game, delta, best_a0, inc, part)


def _finish(game: FineTuningGame, delta: np.ndarray, a0: np.ndarray, inc: np.ndarray,
            part: np.ndarray) -> EquilibriumTable:
    alpha = a0[:, None] + np.where(part, inc, 0.0)
    u_g = -np.array([game.generalist_cost.value(a) for a in a0])
    u_d = np.zeros_like(delta)
    for i, (cost, rev, spec) in enumerate(zip(game.specialist_costs, game.revenues, game.specialists, strict=True)):
        revenue = rev.rate * alpha[:, i] ** rev.power
        u_g += np.where(part[:, i], delta[:, i] * revenue, 0.0)
        d = alpha[:, i] - a0
        own = (1 - delta[:, i]) * revenue - cost.coefficient * d ** cost.exponent - cost.linear * d - spec.entry_cost
        u_d[:, i] = np.where(part[:, i], own, spec.outside_option)
    return EquilibriumTable(delta, a0, alpha, part, u_g, u_d)


def nondominated(points: np.ndarray, tol: float = 1e-12, chunk: int = 256) -> np.ndarray:
    """Mask of rows not dominated by another row (q dominates p: q ≥ p everywhere, q > p somewhere).

    Utilities are first rounded to the quantum ε = tol · max|points| so that rounding noise (a utility of ±1e-16
    where it is exactly 0) does not decide ties; comparisons are then exact (so dominance stays transitive)."""
    points = np.asarray(points, dtype=float)
    keep = np.ones(len(points), dtype=bool)
    if not len(points):
        return keep
    quantum = tol * max(1.0, float(np.max(np.abs(points))))
    ranked_all = np.round(points / quantum)
    order = np.lexsort(tuple(-ranked_all[:, j] for j in reversed(range(points.shape[1]))))
    ranked = ranked_all[order]
    for start in range(0, len(ranked), chunk):
        p = ranked[start:start + chunk]
        # only rows whose first utility is ≥ p's can dominate p: a prefix of the ranking
        limit = int(np.searchsorted(-ranked[:, 0], -p[:, 0].min(), side="right"))
        q = ranked[:limit]
        ge = np.ones((len(p), limit), dtype=bool)
        gt = np.zeros((len(p), limit), dtype=bool)
        for j in range(points.shape[1]):
            ge &= q[None, :, j] >= p[:, None, j]
            gt |= q[None, :, j] > p[:, None, j]
        keep[order[start:start + chunk]] = ~np.any(ge & gt, axis=1)
    return keep


MERGE_GAP = 1e-5  # δ-gaps below this are within the precision of utility comparisons near a flat maximum


MAX_PARETO_POINTS = 20_000  # the Pareto filter compares every pair of samples: keep it to seconds
MAX_PARETO_POINTS_NUMERIC = 600  # without linear revenue each sample is a numerical leader search (batched:
# 0.1-0.3 ms a sample, benchmarks/parametric.py; the limit dates from 25-50 ms a sample and is kept so that
# sampled answers stay as they were)
MAX_SAMPLE_POINTS = 1_000_000  # a criterion evaluated once per sample: keep it to memory


def default_points_per_axis(n: int) -> int:
    return {1: 401, 2: 121, 3: 31}.get(n, 11)


def grid_points_per_axis(n: int, requested: int | None, max_points: int, default: int | None = None) -> int:
    """Points per δ axis of a sampled grid: ``requested`` as given, else the default lowered until k^n fits in
    ``max_points``.  Raises when even that is too coarse (k < 3) or the requested grid is too large."""
    k = requested or default or default_points_per_axis(n)
    if requested is None:
        while k > 3 and k**n > max_points:
            k -= 1
    if k**n > max_points:
        size = k**n
        count = f"{float(size):.3g}" if size < 10**300 else f"about 1e{math.log10(k) * n:.0f}"
        raise ModelError(
            f"points_per_axis: a sampled grid of {k}^{n} = {count} δ points exceeds the limit of "
            f"{max_points:,}; with {n} specialists use a program formulation (conic or single_level) instead"
        )
    return k


def sample_deltas(n: int, points_per_axis: int | None = None, default: int | None = None) -> np.ndarray:
    """Every δ of a regular grid on [0, 1]^n (at most MAX_SAMPLE_POINTS of them)."""
    k = grid_points_per_axis(n, points_per_axis, MAX_SAMPLE_POINTS, default)
    axes = [np.linspace(0.0, 1.0, k)] * n
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, n)


def is_dominated(game: FineTuningGame, delta: Sequence[float], by: Sequence[float], tol: float = 1e-12) -> bool:
    """Exact check: does the equilibrium at ``by`` Pareto-dominate the one at ``delta``?"""
    table = equilibrium_table(game, np.array([delta, by], dtype=float))
    u, v = table.utilities
    return bool(np.all(v >= u - tol) and np.any(v > u + tol))


def grid_resolution(n: int) -> float:
    return 1.0 / (default_points_per_axis(n) - 1) if n else math.nan
