"""D's fine-tuning stage: max_{Δ ≥ 0} (1 − δ) R(α0 + Δ) − C(Δ; ω), vectorized over ω and δ.

D's problem is concave (R concave, C convex in Δ), so the first-order condition with Δ ≥ 0 is necessary and
sufficient.  Closed form for R(α) = r α and C = κ(ω) Δ^k:  Δ* = ((1 − δ) r / (k κ(ω)))^(1/(k−1)).  Otherwise the
decreasing marginal condition (1 − δ) R'(α0 + Δ) − ∂C/∂Δ = 0 is solved by bracketing and bisection.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...models.openness import OpennessGame


def fine_tuning_step(game: OpennessGame, omega: Any, delta: Any | None = None) -> np.ndarray:
    """D's best step Δ*(ω, δ) = α1* − α0 (broadcast over arrays of ω and δ)."""
    delta = game.delta if delta is None else delta
    omega, delta = np.broadcast_arrays(np.asarray(omega, dtype=float), np.asarray(delta, dtype=float))
    if game.closed_form_follower:
        cost = game.fine_tuning_cost
        k = cost.k
        marginal = (1.0 - delta) * game.revenue.r / (k * cost.kappa(omega))
        return np.maximum(marginal, 0.0) ** (1.0 / (k - 1.0))
    return _bisect_step(game, omega, delta)


def _marginal_gain(game: OpennessGame, step: np.ndarray, omega: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """d/dΔ of D's objective: (1 − δ) R'(α0 + Δ) − ∂C/∂Δ(Δ; ω) (non-increasing in Δ)."""
    return (1.0 - delta) * game.revenue.derivative(game.alpha0 + step) - game.fine_tuning_cost.derivative(step, omega)


def _bisect_step(game: OpennessGame, omega: np.ndarray, delta: np.ndarray, iterations: int = 80) -> np.ndarray:
    low = np.zeros_like(omega)
    high = np.ones_like(omega)
    positive = _marginal_gain(game, low, omega, delta) > 0
    for _ in range(200):  # bracket the root: double until the marginal gain is <= 0
        grow = positive & (_marginal_gain(game, high, omega, delta) > 0)
        if not grow.any():
            break
        high = np.where(grow, 2.0 * high, high)
    else:
        raise ValueError("fine_tuning_cost: D's best step is unbounded (revenue grows faster than the cost)")
    for _ in range(iterations):
        mid = 0.5 * (low + high)
        up = _marginal_gain(game, mid, omega, delta) > 0
        low = np.where(up, mid, low)
        high = np.where(up, high, mid)
    return np.where(positive, 0.5 * (low + high), 0.0)


def utilities(game: OpennessGame, omega: Any, step: Any, delta: Any | None = None,
              penalty: Any = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(U_G, U_D) at openness ω, D's step Δ and share δ, with ``penalty`` the amount G pays (0 if it complies)."""
    delta = game.delta if delta is None else delta
    omega = np.asarray(omega, dtype=float)
    alpha1 = game.alpha0 + np.asarray(step, dtype=float)
    revenue = np.asarray(game.revenue(alpha1), dtype=float)
    u_g = (delta * revenue + np.asarray(game.benefit(omega), dtype=float)
           - float(game.production_cost(game.alpha0)) - np.asarray(game.operation_cost(omega, game.alpha0), dtype=float)
           - penalty)
    u_d = (1.0 - delta) * revenue - np.asarray(game.fine_tuning_cost(np.asarray(step, dtype=float), omega), dtype=float)
    return u_g, u_d


def leader_value(game: OpennessGame, omega: Any, delta: Any | None = None, penalty: Any = 0.0) -> np.ndarray:
    """V(ω) = U_G(ω, Δ*(ω)) − penalty: G's payoff with D's best response substituted."""
    step = fine_tuning_step(game, omega, delta)
    return utilities(game, omega, step, delta, penalty)[0]
