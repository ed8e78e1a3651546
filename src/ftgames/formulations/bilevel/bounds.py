"""Proven upper bounds on expressions of a single-level model: interval arithmetic on variable bounds, then an LP
over the linear part of the model (every linear row of the KKT system, complementarity dropped: a relaxation, so
its optimum bounds every KKT point).

The LPs share their rows and differ only in the objective, so with HiGHS they are solved on one persistent model
(:class:`ftgames.solvers.highs.PersistentLP`: the rows are extracted once, each bound is one re-solve warm-started
from the previous basis); another backend solves them one by one through :func:`ftgames.solvers.solve`.
"""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo
from pyomo.contrib.fbbt.fbbt import compute_bounds_on_expr
from pyomo.repn import generate_standard_repn

from ftgames.solvers import Capability, SolveConfig, Status, capable_backends, get_backend, solve
from ftgames.solvers.capabilities import Layer

from .analysis import is_linear

SAFETY = 1e-6  # relative and absolute margin added to an LP bound against round-off
LP_TIME_LIMIT = 10.0  # seconds per tightening LP


def interval_upper_bound(expr: Any) -> float:
    """Upper bound of ``expr`` from its variables' bounds (``inf`` if unbounded)."""
    _, ub = compute_bounds_on_expr(expr)
    return math.inf if ub is None else float(ub)


def _margin(value: float) -> float:
    return value + SAFETY * (1 + abs(value))


class LinearRelaxation:
    """Maximize linear expressions over the active linear rows of ``model`` (LPs); ``model`` is left unchanged.

    ``solves`` counts the LPs solved.  With ``solver="highs"`` (the default when HiGHS is installed) the rows are
    read once into a persistent HiGHS model; with another LP backend each bound is a separate solve on ``model``.
    """

    def __init__(self, model: Any, solver: str | None = None) -> None:
        self.model = model
        self.solver = solver or next(iter(capable_backends(Layer.PYOMO, {Capability.LP, Capability.MILP})), None)
        self.solves = 0
        self._lp: Any = None
        self._columns: dict[int, int] = {}
        self._variables: list[Any] = []
        self._rows: list[Any] = []
        self._built_for = -1

    @property
    def available(self) -> bool:
        return self.solver is not None

    def maximize(self, exprs: list[Any]) -> list[float]:
        """Upper bound of each expression over the relaxation (``inf`` when unbounded or not linear)."""
        if self.solver == "highs" and get_backend("highs").availability(Layer.PYOMO).available:
            return [self._persistent(expr) for expr in exprs]
        return self._one_by_one(exprs)

    # ------------------------------------------------------------------------------------------ persistent HiGHS
    def _build(self) -> None:
        rows = []
        for c in self.model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
            if not is_linear(c.body):
                continue
            repn = generate_standard_repn(c.body, compute_values=True, quadratic=False)
            cols = [self._column(v) for v in repn.linear_vars]
            const = float(repn.constant)
            lo = None if not c.has_lb() else float(pyo.value(c.lower)) - const
            up = None if not c.has_ub() else float(pyo.value(c.upper)) - const
            rows.append((lo, up, cols, [float(a) for a in repn.linear_coefs]))
        self._rows = rows
        self._make()

    def _make(self) -> None:
        from ftgames.solvers.highs import PersistentLP

        variables = self._variables
        self._lp = PersistentLP([v.lb for v in variables], [v.ub for v in variables], self._rows,
                                time_limit=LP_TIME_LIMIT)
        self._built_for = len(variables)

    def _column(self, var: Any) -> int:
        key = id(var)
        if key not in self._columns:
            self._columns[key] = len(self._variables)
            self._variables.append(var)
        return self._columns[key]

    def _persistent(self, expr: Any) -> float:
        if not is_linear(expr):
            return math.inf
        if self._lp is None:
            self._build()
        repn = generate_standard_repn(expr, compute_values=True, quadratic=False)
        cols = [self._column(v) for v in repn.linear_vars]
        if len(self._variables) != self._built_for:  # the expression has a variable no row has: a new column
            self._make()
        value = self._lp.maximize(cols, [float(a) for a in repn.linear_coefs])
        self.solves += 1
        if value is None or not math.isfinite(value):
            return math.inf
        return _margin(value + float(repn.constant))

    # ------------------------------------------------------------------------------------------ one LP per bound
    def _one_by_one(self, exprs: list[Any]) -> list[float]:
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
                res = solve(m, requires={Capability.LP}, solver=self.solver,
                            config=SolveConfig(time_limit=LP_TIME_LIMIT), convex=True,
                            formulation="bigm bound tightening")
                m.del_component("_bound_objective")
                self.solves += 1
                if res.status is Status.OPTIMAL and res.objective is not None and math.isfinite(res.objective):
                    out.append(_margin(res.objective))
                else:  # unbounded, infeasible-or-unbounded, error: no proven bound
                    out.append(math.inf)
        finally:
            for c in switched:
                c.activate()
            for v, val in saved.values():
                v.set_value(val, skip_validation=True)
        return out
