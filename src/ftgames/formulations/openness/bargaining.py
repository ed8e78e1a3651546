"""Bargaining over δ (G's share) in the openness game, with the SPE of the later stages substituted.

Each δ induces an SPE (G's regime and ω, D's step) and utilities U_G(δ), U_D(δ); a bargaining solution is a program
over δ ∈ [0, 1] on that curve (disagreement point (0, 0)).  With a revenue-sharing contract other than a constant
share, δ is the contract's level (``OpennessGame.contract``, e.g. the share at ω = 0 of ``linear_in_openness``) and
ranges over the contract's ``level_range()``:

    nash               max log U_G + log U_D   (weights w_G, w_D optional; needs U_G, U_D > 0)
    utilitarian        max U_G + U_D            (alias vertical_monopoly)
    egalitarian        max min(U_G, U_D)
    kalai_smorodinsky  max min(U_G / U_G^ideal, U_D / U_D^ideal) over the Pareto set (equal shares of ideal gains)
    generalist_optimal max U_G;  specialist_optimal max U_D;  max_performance max α1
    fixed              the game's δ

G's regime and ω switch with δ, so U(δ) is only piecewise smooth and can jump.  Two searches over δ, both with
exact inner solves (the SPE at each δ):

    search="exact"  default forms only (``bargaining_exact``): every share where the criterion can peak (switches of
                    G's release and stationary points, roots of polynomials) is evaluated; labelled "exact".
    search="grid"   any forms: a dense grid of δ, the best cell refined by golden section; labelled "grid" (not a
                    proof of global optimality over δ).
    search="auto"   (default) exact when it applies, else grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...models.openness import OpennessEquilibrium, OpennessGame
from .enumeration import EquilibriumArrays, equilibrium_arrays
from .equilibrium import solve_equilibrium

SOLUTIONS = ("fixed", "nash", "utilitarian", "vertical_monopoly", "egalitarian", "kalai_smorodinsky",
             "generalist_optimal", "specialist_optimal", "max_performance")
DELTA_GRID = 2001
GOLDEN_ITERATIONS = 40


@dataclass(frozen=True)
class OpennessBargainingOutcome:
    """The bargained δ and the SPE it induces."""

    solution: str
    delta: float
    equilibrium: OpennessEquilibrium
    objective: float
    agreement: bool  # False: no δ gives both players a positive utility ("no deal", both get 0)
    pareto_deltas: np.ndarray  # grid δ's whose (U_G, U_D) no other grid δ dominates
    search: str  # how δ was chosen: "fixed", "exact" (proved) or "grid" (grid + local refinement)


def bargaining_objective(solution: str, arrays: EquilibriumArrays, *, ideal: tuple[float, float] | None = None,
                         weights: tuple[float, float] = (1.0, 1.0), alpha0: float = 0.0) -> np.ndarray:
    """The value each δ of ``arrays`` gets under ``solution`` (−inf where it is not allowed)."""
    u_g, u_d = arrays.U_G, arrays.U_D
    if solution == "nash":
        with np.errstate(divide="ignore", invalid="ignore"):
            value = weights[0] * np.log(u_g) + weights[1] * np.log(u_d)
        return np.where((u_g > 0) & (u_d > 0), value, -np.inf)
    if solution in ("utilitarian", "vertical_monopoly"):
        return u_g + u_d
    if solution == "egalitarian":
        return np.minimum(u_g, u_d)
    if solution == "kalai_smorodinsky":
        ideal_g, ideal_d = ideal if ideal is not None else (1.0, 1.0)
        if ideal_g <= 0 or ideal_d <= 0:
            return np.full_like(u_g, -np.inf)
        return np.minimum(u_g / ideal_g, u_d / ideal_d)
    if solution == "generalist_optimal":
        return u_g.copy()
    if solution == "specialist_optimal":
        return u_d.copy()
    if solution == "max_performance":
        return np.where(np.isnan(arrays.step), -np.inf, alpha0 + arrays.step)
    raise ValueError(f"bargaining.solution must be one of {', '.join(SOLUTIONS)}, got {solution!r}")


def pareto_mask(u_g: np.ndarray, u_d: np.ndarray) -> np.ndarray:
    """True where no other δ gives both players at least as much and one more (the fine-tuning game's
    ``nondominated``, shared with its bargaining programs)."""
    from ..bargaining.frontier import nondominated

    return nondominated(np.column_stack([u_g, u_d]))


def bargain(game: OpennessGame, solution: str = "nash", *, weights: tuple[float, float] = (1.0, 1.0),
            formulation: str = "enumeration", solver: str | None = None, grid: int = DELTA_GRID,
            pareto: bool = True, search: str = "auto", **solve_options: Any) -> OpennessBargainingOutcome:
    """Pick δ by ``solution``; the final SPE at that δ is re-solved with ``formulation`` (e.g. "kkt")."""
    from . import bargaining_exact

    if solution not in SOLUTIONS:
        raise ValueError(f"bargaining.solution must be one of {', '.join(SOLUTIONS)}, got {solution!r}")
    if search not in ("auto", "exact", "grid"):
        raise ValueError(f"search must be 'auto', 'exact' or 'grid', got {search!r}")
    exact = search == "exact" or (search == "auto" and bargaining_exact.applicable(game))
    if grid < 3:
        raise ValueError(f"bargaining grid must have at least 3 points, got {grid}")
    deltas = np.linspace(*game.contract.level_range(), grid)  # the contract's level: G's share when constant
    if solution == "fixed":
        eq = solve_equilibrium(game, formulation, solver=solver, **solve_options)
        front = deltas[pareto_mask(*_utilities_on(game, deltas))] if pareto else np.empty(0)
        return OpennessBargainingOutcome(solution, game.delta, eq, float("nan"), True, front, "fixed")
    need_grid = pareto or not exact
    arrays = equilibrium_arrays(game, deltas) if need_grid else None
    front = deltas[pareto_mask(arrays.U_G, arrays.U_D)] if arrays is not None else np.empty(0)
    if exact:
        delta, value = _exact_max(game, solution, weights)
        label = "exact"
    else:
        ideal = None
        if solution == "kalai_smorodinsky":
            ideal = (_refined_max(game, "generalist_optimal", deltas, arrays, None, weights)[1],
                     _refined_max(game, "specialist_optimal", deltas, arrays, None, weights)[1])
        restrict = np.isin(deltas, front) if solution == "kalai_smorodinsky" else None
        delta, value = _refined_max(game, solution, deltas, arrays, ideal, weights, restrict=restrict)
        label = "grid"
    agreement = bool(np.isfinite(value))
    if solution == "nash" and not agreement:
        delta = game.delta
    eq = solve_equilibrium(game.with_delta(delta), formulation, solver=solver, **solve_options)
    agreement = agreement and eq.regime != "abstain"  # a deal in which G does not release is no deal
    if not agreement:
        eq = OpennessEquilibrium("abstain", float("nan"), game.alpha0, float("nan"), delta, 0.0, 0.0, 0.0, 0.0,
                                 eq.regimes, eq.formulation, eq.proof)
    return OpennessBargainingOutcome(solution, float(delta), eq, float(value), agreement, front, label)


def _exact_max(game: OpennessGame, solution: str, weights: tuple[float, float]) -> tuple[float, float]:
    """Best of the candidate shares of :mod:`bargaining_exact` (ties: the smallest share)."""
    from .bargaining_exact import candidate_shares

    ideal = None
    if solution == "kalai_smorodinsky":
        ideal = (_exact_max(game, "generalist_optimal", weights)[1], _exact_max(game, "specialist_optimal", weights)[1])
    shares = candidate_shares(game, solution, weights, ideal)
    values = bargaining_objective(solution, equilibrium_arrays(game, shares), ideal=ideal, weights=weights,
                                  alpha0=game.alpha0)
    index = int(np.argmax(values))
    return float(shares[index]), float(values[index])


def _utilities_on(game: OpennessGame, deltas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    arrays = equilibrium_arrays(game, deltas)
    return arrays.U_G, arrays.U_D


def _refined_max(game: OpennessGame, solution: str, deltas: np.ndarray, arrays: EquilibriumArrays,
                 ideal: tuple[float, float] | None, weights: tuple[float, float],
                 restrict: np.ndarray | None = None) -> tuple[float, float]:
    """Best grid δ, then golden-section refinement inside its neighbouring cells (kept only if better)."""

    def objective(ds: np.ndarray) -> np.ndarray:
        return bargaining_objective(solution, equilibrium_arrays(game, ds), ideal=ideal, weights=weights,
                                    alpha0=game.alpha0)

    values = bargaining_objective(solution, arrays, ideal=ideal, weights=weights, alpha0=game.alpha0)
    if restrict is not None:
        values = np.where(restrict, values, -np.inf)
    index = int(np.argmax(values))
    best_delta, best_value = float(deltas[index]), float(values[index])
    if not np.isfinite(best_value):
        return best_delta, best_value
    a, b = deltas[max(index - 1, 0)], deltas[min(index + 1, len(deltas) - 1)]
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(GOLDEN_ITERATIONS):
        c, d = b - ratio * (b - a), a + ratio * (b - a)
        fc, fd = objective(np.array([c, d]))
        if fc >= fd:
            b = d
        else:
            a = c
    ends = np.array([a, 0.5 * (a + b), b])  # at a jump the midpoint may sit on the wrong side: keep the best
    end_values = objective(ends)
    candidate, candidate_value = float(ends[int(np.argmax(end_values))]), float(np.max(end_values))
    if restrict is None and candidate_value > best_value:
        return candidate, candidate_value
    return best_delta, best_value
