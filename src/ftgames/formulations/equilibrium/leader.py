"""G's exact optimum at shares δ with every follower's best response (and participation) substituted.

Shared by :mod:`.enumeration` (which builds the equilibrium from it) and :mod:`.certificate` (which measures a
candidate's leader gap against it); it imports neither, so the two do not depend on each other.

Linear revenue: D_i takes part iff α0 ≥ t_i (a threshold with a closed form); power revenue: thresholds by
bisection and each piece maximized on a grid refined by Brent's method (local, reported through ``exact``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...models.fine_tuning import FineTuningGame, FollowerResponse


@dataclass(frozen=True)
class LeaderSolution:
    alpha0: float
    value: float
    responses: tuple[FollowerResponse, ...]
    generalist_participates: bool
    exact: bool
    pieces: int  # participation sets examined


def _thresholds_linear(game: FineTuningGame, delta: Sequence[float]) -> list[float]:
    out = []
    for i, d in enumerate(delta):
        base = game.follower_response(i, d, 0.0)  # Δ_i and the surplus at α0 = 0
        slope = (1.0 - d) * game.revenues[i].rate
        surplus0 = base.utility - game.specialists[i].outside_option
        if surplus0 >= -1e-12:
            out.append(0.0)
        elif slope > 0:
            out.append(-surplus0 / slope)
        else:
            out.append(math.inf)
    return out


def _threshold_numeric(game: FineTuningGame, i: int, d: float, upper: float) -> float:
    if game.follower_response(i, d, 0.0).participates:
        return 0.0
    if not game.follower_response(i, d, upper).participates:
        return math.inf
    lo, hi = 0.0, upper
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if game.follower_response(i, d, mid).participates else (mid, hi)
    return hi


def exact_leader(game: FineTuningGame, delta: Sequence[float]) -> LeaderSolution:
    """G's optimal investment with every follower's best response (and participation) substituted."""
    delta = game.check_delta(delta)
    upper = game.scale_hint()
    if game.linear_revenue:
        thresholds = _thresholds_linear(game, delta)
    else:
        thresholds = [_threshold_numeric(game, i, d, upper) for i, d in enumerate(delta)]
    breaks = sorted({0.0, *[t for t in thresholds if math.isfinite(t) and t < upper]})
    bounds = [*breaks, upper]
    best: tuple[float, float, list[FollowerResponse]] | None = None
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        members = [i for i, t in enumerate(thresholds) if t <= lo]
        for a0 in _piece_candidates(game, delta, members, lo, hi):
            value, responses = game.leader_value(delta, a0)
            if best is None or value > best[1]:
                best = (a0, value, responses)
    assert best is not None
    a0, value, responses = best
    participates = value >= game.generalist.outside_option - 1e-12
    return LeaderSolution(a0, value, tuple(responses), participates, game.linear_revenue, len(bounds) - 1)


def _piece_candidates(game: FineTuningGame, delta: Sequence[float], members: list[int], lo: float,
                      hi: float) -> list[float]:
    if game.linear_revenue:
        rate = sum(delta[i] * game.revenues[i].rate for i in members)
        return [min(max(game.generalist_cost.inverse_marginal(rate), lo), hi), lo]
    from scipy.optimize import minimize_scalar

    grid = np.linspace(lo, hi, 201)
    values = [game.leader_value(delta, a)[0] for a in grid]
    j = int(np.argmax(values))
    a, b = grid[max(j - 1, 0)], grid[min(j + 1, len(grid) - 1)]
    if b - a <= 0:
        return [float(grid[j])]
    res = minimize_scalar(lambda x: -game.leader_value(delta, x)[0], bounds=(a, b), method="bounded",
                          options={"xatol": 1e-12})
    return [float(grid[j]), float(res.x), lo]
