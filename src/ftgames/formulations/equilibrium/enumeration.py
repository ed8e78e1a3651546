"""Exact equilibrium by enumeration over participation sets (entry costs F_i and outside options).

Linear revenue: D_i's increment Δ_i does not depend on α0, and D_i's surplus from taking part,
S_i(α0) = (1 − δ_i) r_i α0 + [(1 − δ_i) r_i Δ_i − φ_i(Δ_i) − F_i − o_i], is affine and non-decreasing in α0.
So D_i takes part iff α0 ≥ t_i (a threshold), and the feasible participation sets are the n + 1 nested sets
P_j = {i : t_i ≤ τ_j} between consecutive thresholds.  On each piece G solves the concave program

    max_{α0 ∈ [τ_j, τ_{j+1}]}  Σ_{i ∈ P_j} δ_i r_i (α0 + Δ_i) − φ0(α0)   →   α0 = clip(φ0'^{-1}(Σ_{P_j} δ_i r_i))

and the best piece (evaluated with the true participation rule) is G's exact optimum.  Power revenue: thresholds
by bisection and each piece maximized on a grid refined by Brent's method (local, reported as such).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import Equilibrium
from .certificate import make_equilibrium, make_vectorised_equilibrium
from .leader import LeaderSolution, exact_leader

__all__ = ["LeaderSolution", "exact_leader", "solve_enumeration"]


def solve_enumeration(game: FineTuningGame, delta: float | Sequence[float]) -> Equilibrium:
    """The SPE at shares δ by enumerating participation sets (exact for linear revenue)."""
    if game.linear_revenue:  # sorted thresholds and cumulative sums: O(n log n)
        return make_vectorised_equilibrium(game, delta, formulation="enumeration")
    delta = game.check_delta(delta)
    leader = exact_leader(game, delta)
    alpha = [leader.alpha0 + r.increment for r in leader.responses]
    return make_equilibrium(game, delta, leader.alpha0, alpha, [r.participates for r in leader.responses],
                            formulation="enumeration", solver="exact" if leader.exact else "grid+brent",
                            global_method=leader.exact, generalist_participates=leader.generalist_participates,
                            leader_optimum=leader.value)
