"""A check that a single-level program called "optimal" by a global solver is not in fact unbounded.

SCIP 10 returns ``optimal`` for some unbounded programs with SOS1 sets: on random general-LP bilevel instances
whose optimistic leader can follow a ray of the follower's optimal face (``tests/bilevel/test_random_instances.py``,
general seeds 31, 35, 106, 137, 204, 216 and 236 of the first 300), ``sos1`` or ``indicator`` came back "optimal" at
a finite value, for every presolve, heuristic and separation setting tried, while with the leader's decision fixed
at the ray's start SCIP reports ``unbounded``.  The certificate re-solves the followers, not the leader's problem,
so it cannot catch this afterwards.

The check is needed only when the objective can be unbounded at all: when every variable in the active objective has
finite bounds, a polynomial objective is bounded on the feasible set and nothing is done.  Otherwise the program is
solved once more with every variable lacking a bound boxed at ``±B`` (``B = max(1e4, 100 · the largest |value|
of the answer)``): a ray that improves the objective reaches a better value inside the box, by an amount that
grows with ``B``; a boxed optimum no better than the claimed one is kept as evidence that there is none.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables

from ftgames.solvers import SolveConfig, SolveResult, Status, solve

BOX_MIN = 1e4
BOX_SCALE = 1e2


def objective_can_be_unbounded(model: Any) -> bool:
    """True when some unfixed variable of the active objective lacks a lower or an upper bound."""
    for objective in model.component_data_objects(pyo.Objective, active=True, descend_into=True):
        for var in identify_variables(objective.expr, include_fixed=False):
            if var.lb is None or var.ub is None:
                return True
    return False


def check_unbounded(model: Any, raw: SolveResult, *, requires: Callable[[], Any], backend: str,
                    config: SolveConfig, formulation: str, tolerance: float) -> SolveResult:
    """``raw`` (a global ``optimal`` of ``model``), or ``raw`` marked ``unbounded`` / not global when the boxed
    re-solve finds a better value / cannot be completed.  The model's variables keep ``raw``'s values.
    ``requires()`` gives the capabilities the re-solve needs (called only when it runs)."""
    if not (raw.status is Status.OPTIMAL and raw.is_global and objective_can_be_unbounded(model)):
        return raw
    largest = max((abs(float(v)) for v in raw.values.values() if v is not None and math.isfinite(v)), default=0.0)
    box = max(BOX_MIN, BOX_SCALE * largest)
    opened = [v for v in model.component_data_objects(pyo.Var, descend_into=True)
              if not v.fixed and (v.lb is None or v.ub is None)]
    kept = [(v, v.lb, v.ub) for v in opened]
    try:
        for v in opened:
            v.setlb(-box if v.lb is None else v.lb)
            v.setub(box if v.ub is None else v.ub)
        boxed = solve(model, requires=requires(), solver=backend, config=config, formulation=formulation)
    finally:
        for v, lb, ub in kept:
            v.setlb(lb)
            v.setub(ub)
        for v in model.component_data_objects(pyo.Var, descend_into=True):
            if v.name in raw.values and not v.fixed:
                v.set_value(raw.values[v.name], skip_validation=True)
    raw.solve_time += boxed.solve_time
    claimed = raw.objective
    if not boxed.ok or boxed.objective is None or claimed is None:
        raw.is_global = False
        raw.message += (f"; not proved global: the check for an unbounded ray (every unbounded variable boxed at "
                        f"±{box:g}) ended with status {boxed.status}")
        return raw
    sense = 1.0 if _minimizing(model) else -1.0
    if sense * (claimed - boxed.objective) > tolerance * (1.0 + abs(claimed)):
        raw.status = Status.UNBOUNDED
        raw.is_global = False
        raw.message = (f"unbounded: the solver called {claimed:.10g} optimal, but with every unbounded variable "
                       f"boxed at ±{box:g} the objective reaches {boxed.objective:.10g} (a ray improves it without "
                       f"limit); {raw.message}")
    return raw


def _minimizing(model: Any) -> bool:
    objective = next(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    return objective.sense == pyo.minimize
