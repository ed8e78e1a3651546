"""G's release stage by enumeration: each regime is the program max_{ω ∈ [lo, hi]} V(ω) − penalty, with D's best
response substituted (V(ω) = U_G(ω, Δ*(ω))), solved for many δ at once.

Regimes (θ the openness threshold, p the penalty):
    comply   ω ∈ [θ, 1]                      (no penalty)
    pay      ω ∈ [0, θ)   (closure [0, θ])   (penalty p; empty when θ = 0; at ω = θ it is dominated by comply)
    abstain  U_G = U_D = 0
G complies iff its comply value ≥ its pay value, and takes part iff the better of the two is ≥ 0.

When V is convex in ω (``OpennessGame.leader_convex_in_omega``: the default forms) a regime's optimum is at an end of
its interval, so comparing the two ends is exact ("convex_endpoints").  Otherwise the interval is searched on a dense
grid and the best cell refined by golden section ("grid": not a proof of global optimality).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...models.openness import OpennessGame
from .follower import fine_tuning_step, leader_value, utilities

GRID_POINTS = 401
GOLDEN_ITERATIONS = 60
TIE = 1e-12


def regime_interval(game: OpennessGame, regime: str) -> tuple[float, float] | None:
    """The closed interval of ω a regime allows, or None when it is empty."""
    theta = game.regulation.theta
    if regime == "comply":
        return (theta, 1.0)
    if regime == "pay":
        return (0.0, theta) if theta > 0.0 else None
    raise ValueError(f"regime must be 'comply' or 'pay', got {regime!r}")


def regime_penalty(game: OpennessGame, regime: str) -> float:
    return game.regulation.penalty if regime == "pay" else 0.0


@dataclass(frozen=True)
class RegimeArrays:
    """Best ω, D's step and utilities of one regime for each δ of an array."""

    omega: np.ndarray
    step: np.ndarray
    U_G: np.ndarray
    U_D: np.ndarray
    feasible: bool
    proof: str


def best_in_regime(game: OpennessGame, regime: str, deltas: np.ndarray) -> RegimeArrays:
    """Solve max_{ω ∈ interval} V(ω; δ) − penalty for every δ in ``deltas``."""
    deltas = np.atleast_1d(np.asarray(deltas, dtype=float))
    interval = regime_interval(game, regime)
    if interval is None:
        nan = np.full_like(deltas, np.nan)
        return RegimeArrays(nan, nan, np.full_like(deltas, -np.inf), nan, False, "")
    lo, hi = interval
    penalty = regime_penalty(game, regime)
    if game.leader_convex_in_omega or hi - lo <= 0.0:
        candidates = np.array([lo, hi])
        values = leader_value(game, candidates[None, :], deltas[:, None], penalty)
        best = candidates[np.argmax(values, axis=1)]
        proof = "convex_endpoints"
    else:
        best = _grid_then_golden(game, lo, hi, deltas, penalty)
        proof = "grid"
    step = fine_tuning_step(game, best, deltas)
    u_g, u_d = utilities(game, best, step, deltas, penalty)
    return RegimeArrays(best, step, u_g, u_d, True, proof)


def _grid_then_golden(game: OpennessGame, lo: float, hi: float, deltas: np.ndarray, penalty: float) -> np.ndarray:
    grid = np.linspace(lo, hi, GRID_POINTS)
    values = leader_value(game, grid[None, :], deltas[:, None], penalty)
    index = np.argmax(values, axis=1)
    a = grid[np.maximum(index - 1, 0)]
    b = grid[np.minimum(index + 1, GRID_POINTS - 1)]
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(GOLDEN_ITERATIONS):
        c = b - ratio * (b - a)
        d = a + ratio * (b - a)
        left_better = leader_value(game, c, deltas, penalty) >= leader_value(game, d, deltas, penalty)
        b = np.where(left_better, d, b)
        a = np.where(left_better, a, c)
    refined = 0.5 * (a + b)
    refined_value = leader_value(game, refined, deltas, penalty)
    grid_best = grid[index]
    return np.where(refined_value >= values[np.arange(len(deltas)), index], refined, grid_best)


@dataclass(frozen=True)
class EquilibriumArrays:
    """The subgame-perfect outcome for each δ of an array (regime codes: 0 comply, 1 pay, 2 abstain)."""

    deltas: np.ndarray
    regime: np.ndarray
    omega: np.ndarray
    step: np.ndarray
    U_G: np.ndarray
    U_D: np.ndarray
    penalty_paid: np.ndarray
    comply: RegimeArrays
    pay: RegimeArrays


def compare_regimes(comply: RegimeArrays, pay: RegimeArrays, penalty: float, deltas: np.ndarray) -> EquilibriumArrays:
    """G's choice: comply iff its value is at least pay's; abstain iff the better one is negative."""
    use_pay = pay.feasible & (pay.U_G > comply.U_G + TIE) if pay.feasible else np.zeros(len(deltas), dtype=bool)
    u_g = np.where(use_pay, pay.U_G, comply.U_G)
    abstain = u_g < -TIE
    regime = np.where(abstain, 2, np.where(use_pay, 1, 0))

    def pick(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(abstain, np.nan, np.where(use_pay, b, a))

    return EquilibriumArrays(
        deltas=deltas,
        regime=regime,
        omega=pick(comply.omega, pay.omega),
        step=pick(comply.step, pay.step),
        U_G=np.where(abstain, 0.0, u_g),
        U_D=np.where(abstain, 0.0, np.where(use_pay, pay.U_D, comply.U_D)),
        penalty_paid=np.where(~abstain & use_pay, penalty, 0.0),
        comply=comply,
        pay=pay,
    )


def equilibrium_arrays(game: OpennessGame, deltas: np.ndarray | None = None) -> EquilibriumArrays:
    """The SPE for every δ in ``deltas`` (default: the game's δ)."""
    deltas = np.atleast_1d(np.asarray(game.delta if deltas is None else deltas, dtype=float))
    comply = best_in_regime(game, "comply", deltas)
    pay = best_in_regime(game, "pay", deltas)
    return compare_regimes(comply, pay, game.regulation.penalty, deltas)
