"""The classic bargaining solutions over a given convex feasible utility set U ⊂ R^n (CVXPY, convex programs).

The set is given by a function ``feasible(u) -> list of CVXPY constraints`` on the utility vector u, e.g.
``lambda u: [cp.sum(u) <= 1]`` (split the dollar) or ``lambda u: [u[1] + cp.square(u[0]) <= 1]``.

    nash               max Σ_j w_j log(u_j − d_j)          (``log``: exponential cone)  or
                       max geo_mean(u − d; weights w)      (``geo_mean``: second-order cones)
    egalitarian        max t  s.t.  u_j − d_j ≥ t
    kalai_smorodinsky  max t  s.t.  u_j − d_j ≥ t (ũ_j − d_j),  ũ_j = max {u_j : u ∈ U, u ≥ d} (the ideal point)
    utilitarian        max Σ_j u_j
All but KS's ideal are one program; the KS point is the max-min of normalized gains (for two players, the Pareto
point on the segment from d to the ideal point).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from ...models.costs import ModelError
from ...solvers import Capability, SolveConfig, solve

SET_SOLUTIONS = ("nash", "egalitarian", "kalai_smorodinsky", "utilitarian")


@dataclass(frozen=True)
class UtilityPoint:
    solution: str
    utilities: tuple[float, ...]
    status: str
    is_global: bool
    ideal: tuple[float, ...] | None = None


def bargaining_point(solution: str, n: int, feasible: Callable[[cp.Variable], list], *,
                     weights: Sequence[float] | None = None, disagreement: Sequence[float] | None = None,
                     formulation: str = "log", solver: str = "clarabel",
                     config: SolveConfig | None = None) -> UtilityPoint:
    """Solve ``solution`` over {u : feasible(u), u ≥ d}."""
    if solution not in SET_SOLUTIONS:
        raise ModelError(f"solution must be one of {', '.join(SET_SOLUTIONS)}, got {solution!r}")
    if n < 1:
        raise ModelError(f"n (number of players) must be >= 1, got {n}")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    d = np.zeros(n) if disagreement is None else np.asarray(disagreement, dtype=float)
    if w.shape != (n,) or np.any(w <= 0):
        raise ModelError(f"weights must be {n} numbers > 0, got {list(w)}")
    if d.shape != (n,):
        raise ModelError(f"disagreement must have {n} entries, got {len(d)}")
    u = cp.Variable(n, name="u")
    rows = [*feasible(u), u >= d]
    ideal = None
    requires = {Capability.SOC}
    if solution == "nash":
        formulation = formulation.removeprefix("conic:")  # bargain's spelling ("conic:log") accepted too
        if formulation == "log":
            objective = cp.Maximize(cp.sum(cp.multiply(w, cp.log(u - d))))
            requires = {Capability.EXP_CONE, Capability.SOC}
        elif formulation == "geo_mean":
            objective = cp.Maximize(cp.geo_mean(u - d, p=list(w)))
        else:
            raise ModelError(f"nash formulation must be 'log' or 'geo_mean' ('conic:log', 'conic:geo_mean'), got "
                             f"{formulation!r}")
    elif solution == "utilitarian":
        objective = cp.Maximize(cp.sum(u))
    else:
        t = cp.Variable(name="t")
        if solution == "kalai_smorodinsky":
            ideal = tuple(_maximize_one(u, rows, j, solver, config) for j in range(n))
            scale = np.asarray(ideal) - d
        else:
            scale = np.ones(n)
        rows = [*rows, u - d >= t * scale]
        objective = cp.Maximize(t)
    problem = cp.Problem(objective, rows)
    result = solve(problem, requires=requires, solver=solver, config=config, convex=True,
                   formulation=f"utility_set:{solution}")
    result.raise_for_status()
    return UtilityPoint(solution, tuple(float(x) for x in u.value), str(result.status), result.is_global, ideal)


def _maximize_one(u: cp.Variable, rows: list, j: int, solver: str, config: SolveConfig | None) -> float:
    problem = cp.Problem(cp.Maximize(u[j]), rows)
    result = solve(problem, requires={Capability.SOC}, solver=solver, config=config, convex=True,
                   formulation=f"utility_set:ideal[{j}]")
    result.raise_for_status()
    return float(problem.value)
