"""``max_performance`` (the paper's Max-α1*): max an aggregate of α_i*(δ) (mean by default, or min) over δ.

With linear revenue and b = 0, α_i*(δ) = (Σ_j δ_j r_j/(k0 c0))^{1/(k0−1)} + ((1 − δ_i) r_i/(k_i c_i))^{1/(k_i−1)}:
powers of affine functions.  All exponents k ≥ 2: every term is concave, a convex program (CVXPY, ``conic``).
All k ≤ 2: every term is convex, so the maximum over the box [0, 1]^n sits at a vertex (``vertices``, exact).
"""

from __future__ import annotations

import itertools

import cvxpy as cp
import numpy as np

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ..equilibrium.closed_form import solve_closed_form


def check_power_structure(game: FineTuningGame) -> None:
    if not game.linear_revenue or game.has_entry_decisions or any(c.linear > 0 for c in game.specialist_costs):
        raise ModelError("max_performance as a 'conic' or 'vertices' program needs linear revenue, marginal_cost = 0 "
                         "and no entry decisions; use 'single_level' or 'frontier'")


def exponents(game: FineTuningGame) -> list[float]:
    return [game.generalist_cost.exponent, *[c.exponent for c in game.specialist_costs]]


def performance_problem(game: FineTuningGame, aggregate: str = "mean"):
    """The concave program (all k ≥ 2): returns (problem, δ variable)."""
    check_power_structure(game)
    if min(exponents(game)) < 2:
        raise ModelError("max_performance 'conic' needs every cost exponent >= 2 (concave α*(δ)); use 'vertices' "
                         "when every exponent is <= 2")
    delta = cp.Variable(game.n, name="delta")
    g = game.generalist_cost
    rates = [rev.rate for rev in game.revenues]
    income = sum(delta[i] * rates[i] for i in range(game.n)) / (g.exponent * g.coefficient)
    alpha0 = income if g.exponent == 2 else cp.power(income, 1.0 / (g.exponent - 1))
    increments = []
    for i, c in enumerate(game.specialist_costs):
        base = (1 - delta[i]) * rates[i] / (c.exponent * c.coefficient)
        increments.append(base if c.exponent == 2 else cp.power(base, 1.0 / (c.exponent - 1)))
    if aggregate == "mean":
        objective = alpha0 + sum(increments) / game.n
    elif aggregate == "min":
        objective = alpha0 + cp.minimum(*increments) if game.n > 1 else alpha0 + increments[0]
    else:
        raise ModelError(f"max_performance aggregate must be 'mean' or 'min', got {aggregate!r}")
    return cp.Problem(cp.Maximize(objective), [delta >= 0, delta <= 1]), delta


def best_vertex(game: FineTuningGame, aggregate: str = "mean") -> tuple[tuple[float, ...], float]:
    """Exact maximizer when every exponent is <= 2 (a convex function peaks at a vertex of the box)."""
    check_power_structure(game)
    if max(exponents(game)) > 2:
        raise ModelError("max_performance 'vertices' needs every cost exponent <= 2; use 'conic' when all are >= 2")
    best: tuple[tuple[float, ...], float] | None = None
    for vertex in itertools.product((0.0, 1.0), repeat=game.n):
        eq = solve_closed_form(game, vertex)
        value = float(np.mean(eq.alpha) if aggregate == "mean" else np.min(eq.alpha))
        if best is None or value > best[1] + 1e-15:
            best = (vertex, value)
    assert best is not None
    return best
