"""G's release stage by enumeration: each regime is the program max_{ω ∈ [lo, hi]} V(ω) − cost, with D's best
response substituted (V(ω) = U_G(ω, Δ*(ω))), solved for many contract levels δ at once.

Regimes (θ the openness threshold, p the penalty, K(ω) the compliance term):
    comply   ω ∈ [θ, 1]                      (cost K(ω) when a definition exists, θ > 0)
    pay      ω ∈ [0, θ)   (closure [0, θ])   (cost p; empty when θ = 0; at ω = θ it is dominated by comply)
    abstain  U_G = U_D = 0
G complies iff its comply value ≥ its pay value, and takes part iff the better of the two is ≥ 0.

Proofs of a regime's optimum over ω:
    convex_endpoints  V convex in ω (``OpennessGame.leader_convex_in_omega``: the spec's linear forms): the better end
    concave_convex    V‴ ≥ 0 (``leader_concave_convex``: the default forms and every named family with linear revenue
                      and a constant marginal share): V is concave up to its inflection point and convex after it, so
                      the optimum is an end or the stationary point of the concave part (found by Newton's method on
                      the convex V′, which rises monotonically to it, to machine precision), compared exactly
    interval_verified otherwise, with D's closed form: a dense grid refined by golden section, then proved global
                      (to a relative 1e-9) by interval branch and bound on G's payoff (:mod:`.verify`)
    grid              when that proof fails or does not apply (not a proof of global optimality)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...models.openness import OpennessGame
from .follower import fine_tuning_step, leader_value, regime_cost, step_derivatives, utilities

GRID_POINTS = 401
GOLDEN_ITERATIONS = 60
VERIFY_AT_MOST = 16
NEWTON_ITERATIONS = 200  # quadratic convergence takes < 10; a double root converges linearly
TIE = 1e-12


def regime_interval(game: OpennessGame, regime: str) -> tuple[float, float] | None:
    """The closed interval of ω a regime allows, or None when it is empty."""
    theta = game.regulation.theta
    if regime == "comply":
        return (theta, 1.0)
    if regime == "pay":
        return (0.0, theta) if theta > 0.0 else None
    raise ValueError(f"regime must be 'comply' or 'pay', got {regime!r}")


@dataclass(frozen=True)
class RegimeArrays:
    """Best ω, D's step and utilities of one regime for each δ of an array."""

    omega: np.ndarray
    step: np.ndarray
    U_G: np.ndarray
    U_D: np.ndarray
    feasible: bool
    proof: str


def best_in_regime(game: OpennessGame, regime: str, deltas: np.ndarray, verify: bool = False) -> RegimeArrays:
    """Solve max_{ω ∈ interval} V(ω; δ) − cost(ω) for every δ in ``deltas``; ``verify``: prove a grid search's
    optimum by interval branch and bound (for a single equilibrium; scans over δ skip it)."""
    deltas = np.atleast_1d(np.asarray(deltas, dtype=float))
    interval = regime_interval(game, regime)
    if interval is None:
        nan = np.full_like(deltas, np.nan)
        return RegimeArrays(nan, nan, np.full_like(deltas, -np.inf), nan, False, "")
    lo, hi = interval

    def value(omega: Any, ds: np.ndarray) -> np.ndarray:
        return leader_value(game, omega, ds, regime_cost(game, regime, omega))

    if game.leader_concave_convex or hi - lo <= 0.0:
        candidates = np.stack(np.broadcast_arrays(lo, _concave_stationary_point(game, regime, lo, hi, deltas), hi),
                              axis=1)
        values = value(candidates, deltas[:, None])
        best = candidates[np.arange(len(deltas)), np.argmax(values, axis=1)]
        proof = "convex_endpoints" if game.leader_convex_in_omega or hi - lo <= 0.0 else "concave_convex"
    else:
        best = _grid_then_golden(value, lo, hi, deltas)
        best, proof = _verified(game, regime, lo, hi, deltas, best, value) if verify else (best, "grid")
    step = fine_tuning_step(game, best, deltas)
    u_g, u_d = utilities(game, best, step, deltas, regime_cost(game, regime, best))
    return RegimeArrays(best, step, u_g, u_d, True, proof)


def _verified(game: OpennessGame, regime: str, lo: float, hi: float, deltas: np.ndarray, best: np.ndarray,
              value: Any) -> tuple[np.ndarray, str]:
    """The grid's optima proved global by interval branch and bound (:mod:`.verify`), for up to
    :data:`VERIFY_AT_MOST` shares at once."""
    from .verify import verified_max

    if len(deltas) > VERIFY_AT_MOST:
        return best, "grid"
    proved = True
    out = best.copy()
    for i, delta in enumerate(deltas):
        out[i], ok = verified_max(game, regime, lo, hi, float(delta), float(best[i]),
                                  lambda w, d=delta: value(w, np.full_like(w, d)))
        proved &= ok
    return out, "interval_verified" if proved else "grid"


def value_derivatives(game: OpennessGame, regime: str, omega: np.ndarray,
                      deltas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(V′(ω), V″(ω)) of a regime for the structured forms (``leader_concave_convex``)."""
    share = game.contract.marginal_share(omega, deltas)
    _, d1, d2 = step_derivatives(game, omega, deltas)
    b1, b2 = game.benefit.derivatives(omega)
    o1, o2 = game.operation_cost.derivatives(omega, game.alpha0)
    k1 = game.compliance_cost.slope() if regime == "comply" and game.regulation.theta > 0.0 else 0.0
    r = game.revenue.r
    return share * r * d1 + b1 - o1 - k1, share * r * d2 + b2 - o2


def _concave_stationary_point(game: OpennessGame, regime: str, lo: float, hi: float,
                              deltas: np.ndarray) -> np.ndarray:
    """The first point of [lo, hi] where V′ stops being positive (V's local maximum of the concave part; lo when
    V′(lo) ≤ 0).  V‴ ≥ 0 makes V′ convex, so Newton's method on V′ from lo never passes its first root and rises
    to it monotonically (the tangent of a convex function lies below it); it stops early, harmlessly, where V′ > 0
    and V″ ≥ 0 (V′ then stays positive: V increases to hi, which is a candidate too)."""
    x = np.full_like(deltas, lo)
    if not game.leader_concave_convex or hi <= lo:
        return x
    for _ in range(NEWTON_ITERATIONS):
        d1, d2 = value_derivatives(game, regime, x, deltas)
        active = (d1 > 0) & (d2 < 0) & (x < hi)
        if not active.any():
            break
        step = np.where(active, -d1 / np.where(active, d2, -1.0), 0.0)
        x = np.minimum(x + step, hi)
        if np.all(step <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(x))):
            break
    return x


def _grid_then_golden(value: Any, lo: float, hi: float, deltas: np.ndarray) -> np.ndarray:
    grid = np.linspace(lo, hi, GRID_POINTS)
    values = value(grid[None, :], deltas[:, None])
    index = np.argmax(values, axis=1)
    a = grid[np.maximum(index - 1, 0)]
    b = grid[np.minimum(index + 1, GRID_POINTS - 1)]
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(GOLDEN_ITERATIONS):
        c = b - ratio * (b - a)
        d = a + ratio * (b - a)
        left_better = value(c, deltas) >= value(d, deltas)
        b = np.where(left_better, d, b)
        a = np.where(left_better, a, c)
    refined = 0.5 * (a + b)
    refined_value = value(refined, deltas)
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


def equilibrium_arrays(game: OpennessGame, deltas: np.ndarray | None = None,
                       verify: bool = False) -> EquilibriumArrays:
    """The SPE for every δ in ``deltas`` (default: the game's δ); ``verify`` as in :func:`best_in_regime`."""
    deltas = np.atleast_1d(np.asarray(game.delta if deltas is None else deltas, dtype=float))
    comply = best_in_regime(game, "comply", deltas, verify)
    pay = best_in_regime(game, "pay", deltas, verify)
    return compare_regimes(comply, pay, game.regulation.penalty, deltas)
