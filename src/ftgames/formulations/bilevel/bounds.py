"""Proven upper bounds on expressions of a single-level model: interval arithmetic on variable bounds, then an LP
over the linear part of the model (every linear row of the KKT system, complementarity dropped: a relaxation, so
its optimum bounds every KKT point)."""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo
from pyomo.contrib.fbbt.fbbt import compute_bounds_on_expr

from ftgames.solvers import Capability, SolveConfig, Status, capable_backends, solve
from ftgames.solvers.capabilities import Layer

from .analysis import is_linear

SAFETY = 1e-6  # relative and absolute margin added to an LP bound against round-off


def interval_upper_bound(expr: Any) -> float:
    """Upper bound of ``expr`` from its variables' bounds (``inf`` if unbounded)."""
    _, ub = compute_bounds_on_expr(expr)
    return math.inf if ub is None else float(ub)


class LinearRelaxation:
    """Maximize linear expressions over the active linear rows of ``model`` (HiGHS LPs), restoring ``model`` after."""

    def __init__(self, model: Any, solver: str | None = None) -> None:
        self.model = model
        self.solver = solver or next(iter(capable_backends(Layer.PYOMO, {Capability.LP, Capability.MILP})), None)

    @property
    def available(self) -> bool:
        return self.solver is not None

    def maximize(self, exprs: list[Any]) -> list[float]:
        """Upper bound of each expression over the relaxation (``inf`` when unbounded or not linear)."""
        m = self.model
        switched = [c for c in m.component_data_objects(pyo.Constraint, active=True, descend_into=True)
                    if not is_linear(c.body)]
        switched += list(m.component_data_objects(pyo.SOSConstraint, active=True, descend_into=True))
        switched += list(m.component_data_objects(pyo.Objective, active=True, descend_into=True))
        for c in switched:
            c.deactivate()
        saved = {id(v): (v, v.value) for v in m.component_data_objects(pyo.Var, descend_into=True)}
        out = []
        try:
            for expr in exprs:
                if not is_linear(expr):
                    out.append(math.inf)
                    continue
                m._bound_objective = pyo.Objective(expr=expr, sense=pyo.maximize)
                res = solve(m, requires={Capability.LP}, solver=self.solver, config=SolveConfig(time_limit=10),
                            convex=True, formulation="bigm bound tightening")
                m.del_component("_bound_objective")
                if res.status is Status.OPTIMAL and res.objective is not None and math.isfinite(res.objective):
                    out.append(res.objective + SAFETY * (1 + abs(res.objective)))
                else:  # unbounded, infeasible-or-unbounded, error: no proven bound
                    out.append(math.inf)
        finally:
            for c in switched:
                c.activate()
            for v, val in saved.values():
                v.set_value(val, skip_validation=True)
        return out
