"""The subgame-perfect equilibrium at fixed shares δ for linear revenue, vectorised: O(n log n) numpy arithmetic.

With linear revenue D_i's increment does not depend on α0:

    Δ_i = φ_i'^{-1}((1 − δ_i) r_i) = (((1 − δ_i) r_i − b_i)_+ / (k_i c_i))^(1/(k_i − 1))

and D_i takes part iff α0 ≥ t_i, where t_i is where its (affine, non-decreasing) surplus
(1 − δ_i) r_i α0 + [(1 − δ_i) r_i Δ_i − φ_i(Δ_i) − F_i − o_i] crosses 0.  Sorting the thresholds gives the n + 1
nested participation sets; on piece j G maximizes the concave ρ_j α0 − c0 α0^k0 (+ a constant), ρ_j the cumulative
Σ δ_i r_i of the first j sorted specialists, so each piece's candidate is clip(φ0'^{-1}(ρ_j), piece) or its left
end.  All pieces are evaluated at once with cumulative sums: the same exact method as
:func:`ftgames.formulations.equilibrium.leader.exact_leader` (which loops in Python), without the loops.
Without entry decisions every t_i = 0 and this is the closed form α0 = φ0'^{-1}(Σ δ_j r_j).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame, SpecialistArrays

#: Participation ties: D_i takes part when its surplus is at least −PARTICIPATION_TOL (as in follower_response).
PARTICIPATION_TOL = 1e-12


@dataclass(frozen=True)
class EquilibriumArrays:
    """The equilibrium at δ as arrays: G's investment, each increment Δ_i, participation, utilities."""

    delta: np.ndarray
    alpha0: float
    increment: np.ndarray
    participates: np.ndarray
    utility_generalist: float
    utility_specialists: np.ndarray
    generalist_participates: bool
    pieces: int

    @property
    def alpha(self) -> np.ndarray:
        return self.alpha0 + np.where(self.participates, self.increment, 0.0)


def increments(a: SpecialistArrays, delta: np.ndarray) -> np.ndarray:
    """Δ_i(δ_i) for linear revenue (any shape broadcasting with the specialists' arrays)."""
    m = np.maximum((1.0 - delta) * a.revenue - a.marginal_cost, 0.0)
    return (m / (a.exponent * a.cost)) ** (1.0 / (a.exponent - 1.0))


def check_delta_array(game: FineTuningGame, delta) -> np.ndarray:
    """δ as a float array of length n, each share in [0, 1] (errors name the first bad entry)."""
    d = np.asarray(delta, dtype=float).reshape(-1) if not np.isscalar(delta) else np.array([float(delta)])
    if d.shape != (game.n,):
        raise ModelError(f"delta must have one share per specialist ({game.n}), got {d.size}")
    bad = ~np.isfinite(d) | (d < 0.0) | (d > 1.0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ModelError(f"delta[{i}] must be in [0, 1], got {float(d[i])!r}")
    return d


def equilibrium_arrays(game: FineTuningGame, delta) -> EquilibriumArrays:
    """The exact SPE at δ (linear revenue; entry costs and outside options allowed) in O(n log n)."""
    if not game.linear_revenue:
        raise ModelError("the vectorised equilibrium needs linear revenue (revenue_power = 1); use 'enumeration'")
    a = game.arrays()
    d = check_delta_array(game, delta)
    share = (1.0 - d) * a.revenue
    inc = increments(a, d)
    own = share * inc - a.cost * inc ** a.exponent - a.marginal_cost * inc  # D_i's surplus from Δ_i at α0 = 0
    base = own - a.entry_cost - a.outside_option
    c0, k0 = a.c0, a.k0
    income_rate = d * a.revenue
    if not game.has_entry_decisions:
        alpha0 = float((income_rate.sum() / (k0 * c0)) ** (1.0 / (k0 - 1.0)))
        part = np.ones(game.n, dtype=bool)
        pieces = 1
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            thresholds = np.where(base >= -PARTICIPATION_TOL, 0.0,
                                  np.where(share > 0, -base / np.where(share > 0, share, 1.0), np.inf))
        order = np.argsort(thresholds, kind="stable")
        t = thresholds[order]
        rate = np.concatenate([[0.0], np.cumsum(income_rate[order])])  # piece j: the first j sorted take part
        const = np.concatenate([[0.0], np.cumsum((income_rate * inc)[order])])
        lo = np.concatenate([[0.0], t])
        hi = np.concatenate([t, [np.inf]])
        valid = np.isfinite(lo)
        lo = np.where(valid, lo, 0.0)
        hi = np.where(valid, np.maximum(hi, lo), lo)
        # piece j holds the specialists with t_i ≤ lo_j; ties are taken by the last piece with that left end
        inner = np.clip((rate / (k0 * c0)) ** (1.0 / (k0 - 1.0)), lo, hi)
        cand = np.concatenate([inner, lo])
        rates = np.concatenate([rate, rate])
        consts = np.concatenate([const, const])
        values = np.where(np.concatenate([valid, valid]), rates * cand + consts - c0 * cand ** k0, -np.inf)
        best = int(np.argmax(values))
        alpha0 = float(cand[best])
        part = share * alpha0 + base >= -PARTICIPATION_TOL
        pieces = int(valid.sum())
    u_g = float(np.sum(np.where(part, income_rate * (alpha0 + inc), 0.0)) - c0 * alpha0 ** k0)
    g_part = u_g >= a.outside_option_generalist - PARTICIPATION_TOL
    if not g_part:
        return EquilibriumArrays(d, 0.0, np.zeros(game.n), np.zeros(game.n, dtype=bool),
                                 a.outside_option_generalist, a.outside_option.copy(), False, pieces)
    u_d = np.where(part, share * alpha0 + own - a.entry_cost, a.outside_option)
    return EquilibriumArrays(d, alpha0, inc, part, u_g, u_d, True, pieces)


def kkt_residuals(game: FineTuningGame, eq: EquilibriumArrays) -> dict[str, float]:
    """Checks of a vectorised equilibrium, each O(n) and computed from the answer alone: every participant's
    first-order condition ((1 − δ_i) r_i = φ_i'(Δ_i) when Δ_i > 0, (1 − δ_i) r_i ≤ φ_i'(0) when Δ_i = 0), the
    participation of each specialist against its surplus at α0 (``follower_gap`` is ∞ on a mismatch), and G's
    first-order condition at α0 on its piece (``leader_stationarity``: |φ0'(α0) − Σ_{i takes part} δ_i r_i|
    relative to the sum; at a participation threshold only the one-sided condition φ0'(α0) ≥ that sum)."""
    a = game.arrays()
    if not eq.generalist_participates:
        return {"follower_gap": 0.0, "leader_stationarity": 0.0}
    share = (1.0 - eq.delta) * a.revenue
    inc = eq.increment
    marginal = a.exponent * a.cost * inc ** (a.exponent - 1.0) + a.marginal_cost
    residual = np.where(inc > 0, np.abs(marginal - share), np.maximum(share - a.marginal_cost, 0.0))
    follower_gap = float(np.max(residual / np.maximum(1.0, share))) if game.n else 0.0
    surplus = share * eq.alpha0 + share * inc - a.cost * inc ** a.exponent - a.marginal_cost * inc \
        - a.entry_cost - a.outside_option
    tol = 1e-9 * np.maximum(1.0, np.abs(share * eq.alpha0))
    if np.any((surplus >= tol) & ~eq.participates) or np.any((surplus < -tol) & eq.participates):
        follower_gap = float("inf")
    rate = float(np.sum(np.where(eq.participates, eq.delta * a.revenue, 0.0)))
    slope = rate - a.k0 * a.c0 * eq.alpha0 ** (a.k0 - 1.0)
    at_threshold = bool(np.any(eq.participates & (np.abs(surplus) <= tol) & (eq.alpha0 > 0)))
    gap = max(slope, 0.0) if at_threshold else abs(slope)
    return {"follower_gap": follower_gap, "leader_stationarity": gap / max(1.0, rate)}
