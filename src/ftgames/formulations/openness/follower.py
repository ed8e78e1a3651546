"""D's fine-tuning stage: max_{Δ ≥ 0} R(α0 + Δ) − G's revenue − C(Δ; ω), vectorized over ω and the contract level.

With a named contract G's marginal share of revenue is s(ω) (``Contract.marginal_share``), D's objective is
(1 − s(ω)) R(α0 + Δ) − C(Δ; ω) up to a constant, concave (R concave, C convex in Δ), so the first-order condition with
Δ ≥ 0 is necessary and sufficient.  Closed form for R(α) = r α and C = κ(ω) Δ^k:
Δ* = ((1 − s) r / (k κ(ω)))^(1/(k−1)).  Otherwise the decreasing marginal condition (1 − s) R'(α0 + Δ) − ∂C/∂Δ = 0 is
solved by bracketing and bisection.  A custom contract δ(ω, α1) may make D's problem non-concave: D's best step is
then searched on a grid of steps and refined by golden section (not a proof).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...models.openness import OpennessGame

STEP_GRID = 257
GOLDEN_ITERATIONS = 60
CHUNK = 4096  # elements solved at once by the grid search of a custom contract (memory: CHUNK × STEP_GRID)


def fine_tuning_step(game: OpennessGame, omega: Any, delta: Any | None = None) -> np.ndarray:
    """D's best step Δ*(ω, ℓ) = α1* − α0 (broadcast over arrays of ω and the contract level ℓ = ``delta``)."""
    delta = game.delta if delta is None else delta
    omega, delta = np.broadcast_arrays(np.asarray(omega, dtype=float), np.asarray(delta, dtype=float))
    if game.closed_form_follower:
        cost = game.fine_tuning_cost
        k = cost.k
        share = game.contract.marginal_share(omega, delta)
        marginal = (1.0 - share) * game.revenue.r / (k * cost.kappa(omega))
        return np.maximum(marginal, 0.0) ** (1.0 / (k - 1.0))
    if game.contract.separable:
        return _bisect_step(game, omega, delta)
    return _searched_step(game, omega, delta)


def step_derivatives(game: OpennessGame, omega: np.ndarray, delta: np.ndarray) -> tuple[np.ndarray, ...]:
    """(Δ*, dΔ*/dω, d²Δ*/dω²) of the closed-form follower with a constant marginal share:
    Δ* = (c/κ)^m, m = 1/(k − 1), so Δ*' = −m Δ* κ'/κ and Δ*'' = Δ* (m(m + 1)(κ'/κ)² − m κ''/κ)."""
    cost = game.fine_tuning_cost
    m = 1.0 / (cost.k - 1.0)
    step = fine_tuning_step(game, omega, delta)
    kappa = cost.kappa(omega)
    d1, d2 = cost.kappa_derivatives(omega)
    ratio = d1 / kappa
    return step, -m * step * ratio, step * (m * (m + 1.0) * ratio**2 - m * d2 / kappa)


def _marginal_gain(game: OpennessGame, step: np.ndarray, omega: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """d/dΔ of D's objective: (1 − s(ω)) R'(α0 + Δ) − ∂C/∂Δ(Δ; ω) (non-increasing in Δ)."""
    share = game.contract.marginal_share(omega, delta)
    return (1.0 - share) * game.revenue.derivative(game.alpha0 + step) - game.fine_tuning_cost.derivative(step, omega)


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


def specialist_payoff(game: OpennessGame, step: Any, omega: Any, delta: Any) -> np.ndarray:
    """U_D = R(α1) − G's revenue − C(Δ; ω) at α1 = α0 + Δ."""
    step = np.asarray(step, dtype=float)
    alpha1 = game.alpha0 + step
    revenue = np.asarray(game.revenue(alpha1), dtype=float)
    to_g = np.asarray(game.contract.generalist_revenue(omega, game.alpha0, alpha1, delta, game.revenue), dtype=float)
    return revenue - to_g - np.asarray(game.fine_tuning_cost(step, omega), dtype=float)


def step_cap(game: OpennessGame, omega: np.ndarray) -> np.ndarray:
    """A bound no best step exceeds: D's payoff at Δ = 0 is ≥ 0 and at most R(α0 + Δ) − C(Δ; ω) elsewhere, so a
    best step has C(Δ; ω) ≤ R(α0 + Δ); doubled until that fails."""
    cap = np.ones_like(omega)
    for _ in range(200):
        grow = (np.asarray(game.fine_tuning_cost(cap, omega), dtype=float)
                <= np.asarray(game.revenue(game.alpha0 + cap), dtype=float))
        if not grow.any():
            return cap
        cap = np.where(grow, 2.0 * cap, cap)
    raise ValueError("fine_tuning_cost: D's best step is unbounded (revenue grows faster than the cost)")


def _searched_step(game: OpennessGame, omega: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """D's best step on a grid of [0, cap], the best cell refined by golden section (custom contracts)."""
    flat_omega, flat_delta = omega.ravel(), delta.ravel()
    out = np.empty_like(flat_omega)
    fractions = np.linspace(0.0, 1.0, STEP_GRID)
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    for start in range(0, len(flat_omega), CHUNK):
        w, d = flat_omega[start:start + CHUNK], flat_delta[start:start + CHUNK]
        cap = step_cap(game, w)
        steps = cap[:, None] * fractions[None, :]
        values = specialist_payoff(game, steps, w[:, None], d[:, None])
        index = np.argmax(values, axis=1)
        a = steps[np.arange(len(w)), np.maximum(index - 1, 0)]
        b = steps[np.arange(len(w)), np.minimum(index + 1, STEP_GRID - 1)]
        for _ in range(GOLDEN_ITERATIONS):
            c, e = b - ratio * (b - a), a + ratio * (b - a)
            left = specialist_payoff(game, c, w, d) >= specialist_payoff(game, e, w, d)
            b, a = np.where(left, e, b), np.where(left, a, c)
        refined = 0.5 * (a + b)
        grid_best = steps[np.arange(len(w)), index]
        better = specialist_payoff(game, refined, w, d) >= values[np.arange(len(w)), index]
        out[start:start + CHUNK] = np.where(better, refined, grid_best)
    return out.reshape(omega.shape)


def regime_cost(game: OpennessGame, regime: str, omega: Any) -> Any:
    """What G pays in a regime beyond V: the penalty p when paying; the compliance term K(ω) when meeting a
    definition (θ > 0); nothing without a definition."""
    if regime == "pay":
        return game.regulation.penalty + 0.0 * np.asarray(omega, dtype=float)
    if game.regulation.theta > 0.0:
        return np.asarray(game.compliance_cost(np.asarray(omega, dtype=float)), dtype=float)
    return 0.0 * np.asarray(omega, dtype=float)


def utilities(game: OpennessGame, omega: Any, step: Any, delta: Any | None = None,
              penalty: Any = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(U_G, U_D) at openness ω, D's step Δ and contract level ℓ, with ``penalty`` what G pays beyond V (the
    regime's cost: the penalty, or the compliance term)."""
    delta = game.delta if delta is None else delta
    omega = np.asarray(omega, dtype=float)
    step = np.asarray(step, dtype=float)
    alpha1 = game.alpha0 + step
    to_g = np.asarray(game.contract.generalist_revenue(omega, game.alpha0, alpha1, delta, game.revenue), dtype=float)
    u_g = (to_g + np.asarray(game.benefit(omega), dtype=float) - float(game.production_cost(game.alpha0))
           - np.asarray(game.operation_cost(omega, game.alpha0), dtype=float) - penalty)
    return u_g, specialist_payoff(game, step, omega, delta)


def leader_value(game: OpennessGame, omega: Any, delta: Any | None = None, penalty: Any = 0.0) -> np.ndarray:
    """V(ω) = U_G(ω, Δ*(ω)) − penalty: G's payoff with D's best response substituted."""
    step = fine_tuning_step(game, omega, delta)
    return utilities(game, omega, step, delta, penalty)[0]
