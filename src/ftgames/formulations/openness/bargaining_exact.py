"""Exact bargaining over δ for the default forms: the candidate shares where a bargaining criterion can peak.

When R = r α, C = κ(ω) Δ² and V is convex in ω (``OpennessGame.leader_convex_in_omega`` with k = 2), G's release is
one of finitely many candidates c = (ω_c, penalty_c): ω ∈ {θ, 1} complying, ω = 0 paying (or ω ∈ {0, 1} without a
binding definition).  For a fixed candidate, with K = κ(ω_c), both utilities are quadratics in δ:

    U_G^c(δ) = −r²/(2K) δ² + (r α0 + r²/(2K)) δ + B(ω_c) − P(α0) − O(ω_c; α0) − penalty_c
    U_D^c(δ) =  r²/(4K) δ² − (r α0 + r²/(2K)) δ + r α0 + r²/(4K)

G's choice switches only where two candidates' U_G are equal or where one crosses 0 (abstention): roots of
quadratics.  Between switches the criterion is a smooth function of δ whose maximum is at an end or a stationary
point, which are roots of polynomials too (Nash: w_G U_G' U_D + w_D U_D' U_G = 0, a cubic).  Evaluating the true
equilibrium at every such root (and just beside each switch) and keeping the best is exact up to root precision.
"""

from __future__ import annotations

import numpy as np

from ...models.openness import OpennessGame

SIDE = 1e-9  # evaluate just beside every switch: a supremum at a switch may be attained only on one side


def applicable(game: OpennessGame) -> bool:
    return (game.leader_convex_in_omega and float(game.fine_tuning_cost.k) == 2.0
            and game.contract.family == "constant")


def candidates(game: OpennessGame) -> list[tuple[float, float]]:
    """(ω, cost) of every release G can choose at some δ: the cost is the compliance term K(ω) when complying with
    a definition, the penalty when paying."""
    theta, penalty = game.regulation.theta, game.regulation.penalty
    if theta <= 0.0:
        return [(0.0, 0.0), (1.0, 0.0)]
    return [(theta, float(game.compliance_cost(theta))), (1.0, float(game.compliance_cost(1.0))), (0.0, penalty)]


def polynomials(game: OpennessGame, omega: float, penalty: float) -> tuple[np.poly1d, np.poly1d]:
    """(U_G^c, U_D^c) as polynomials in δ for the release (ω, cost ``penalty``)."""
    r = game.revenue.r
    kappa = float(game.fine_tuning_cost.kappa(np.asarray(omega)))
    a0 = game.alpha0
    constant = (float(game.benefit(np.asarray(omega))) - float(game.production_cost(a0))
                - float(game.operation_cost(np.asarray(omega), a0)) - penalty)
    u_g = np.poly1d([-r**2 / (2 * kappa), r * a0 + r**2 / (2 * kappa), constant])
    u_d = np.poly1d([r**2 / (4 * kappa), -(r * a0 + r**2 / (2 * kappa)), r * a0 + r**2 / (4 * kappa)])
    return u_g, u_d


def _real_roots(poly: np.poly1d) -> list[float]:
    coefficients = np.trim_zeros(np.atleast_1d(poly.coeffs), "f")
    if len(coefficients) <= 1:
        return []
    roots = np.roots(coefficients)
    return [float(z.real) for z in roots if abs(z.imag) <= 1e-9 * max(1.0, abs(z))]


def switches(game: OpennessGame) -> list[float]:
    """Shares where G's choice can change: equal U_G of two releases, or U_G of one release at 0."""
    polys = [polynomials(game, *c)[0] for c in candidates(game)]
    points = []
    for i, g in enumerate(polys):
        points += _real_roots(g)
        for h in polys[i + 1:]:
            points += _real_roots(g - h)
    return points


def stationary_points(game: OpennessGame, solution: str, weights: tuple[float, float],
                      ideal: tuple[float, float] | None) -> list[float]:
    """Roots where the criterion of one fixed release can peak."""
    points: list[float] = []
    for c in candidates(game):
        g, d = polynomials(game, *c)
        if solution == "nash":
            points += _real_roots(weights[0] * g.deriv() * d + weights[1] * d.deriv() * g)
        elif solution in ("utilitarian", "vertical_monopoly"):
            points += _real_roots((g + d).deriv())
        elif solution == "generalist_optimal":
            points += _real_roots(g.deriv())
        elif solution == "specialist_optimal":
            points += _real_roots(d.deriv())
        elif solution in ("egalitarian", "kalai_smorodinsky"):
            scale_g, scale_d = ideal if solution == "kalai_smorodinsky" and ideal else (1.0, 1.0)
            points += _real_roots(g * (1.0 / scale_g) - d * (1.0 / scale_d))
            points += _real_roots(g.deriv()) + _real_roots(d.deriv())
        elif solution != "max_performance":  # α1 is linear in δ for a fixed release: only ends and switches
            raise ValueError(f"no exact search for bargaining solution {solution!r}")
    return points


def candidate_shares(game: OpennessGame, solution: str, weights: tuple[float, float] = (1.0, 1.0),
                     ideal: tuple[float, float] | None = None) -> np.ndarray:
    """Every share in [0, 1] where ``solution``'s criterion can attain its maximum."""
    if not applicable(game):
        raise ValueError("exact bargaining needs linear revenue, a cost κ(ω)Δ² and G's payoff convex in ω "
                         "(the default families); use search='grid'")
    switch = switches(game)
    points = [0.0, 1.0, *switch, *(s + side for s in switch for side in (-SIDE, SIDE)),
              *stationary_points(game, solution, weights, ideal)]
    shares = np.array([p for p in points if 0.0 <= p <= 1.0])
    return np.unique(shares)
