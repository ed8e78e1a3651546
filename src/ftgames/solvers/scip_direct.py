"""A Pyomo model with linear or quadratic rows and objective, and SOS1 sets, handed to SCIP directly.

Pyomo's ``scip_direct`` / ``scip_persistent`` interfaces spend about 3 ms per solve of a small model on their own
bookkeeping (configuration objects, change tracking of a kept model, result mapping), as much as SCIP takes to
solve a KKT system of the fine-tuning game.  Here the model is read with Pyomo's standard representation, written
into a new ``pyscipopt`` model in one pass and solved; the point goes back into the model's variables.  Statuses,
values and statistics are those of Pyomo's interface (``tests/solvers/test_scip_direct.py`` compares the two on
random MILPs, MIQPs, SOS1 programs and nonconvex quadratic rows); SCIP gives no duals on either path.

A quadratic objective is written as SCIP needs it (an auxiliary variable bounding it, which is minimized or
maximized), as Pyomo's interface does.  Anything this reader does not model (a nonlinear term that is not a
polynomial of degree two, an SOS2 set, several objectives, a log to show) returns ``None`` from
:func:`compile_program` and the caller takes Pyomo's interface.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .base import Backend, finite_stats, native_output_silenced, pyomo_values
from .capabilities import Layer
from .result import SolveResult, Status

if TYPE_CHECKING:
    from .config import SolveConfig

Terms = tuple[list[tuple[int, float]], list[tuple[int, int, float]], float]  # linear, quadratic, constant


@dataclass
class ScipProgram:
    """A model's columns (variables), rows and objective as index-based terms, with their Pyomo components."""

    columns: list[Any] = field(default_factory=list)
    rows: list[tuple[Any, Terms, float | None, float | None]] = field(default_factory=list)  # (row, terms, lb, ub)
    sos1: list[tuple[list[int], list[float]]] = field(default_factory=list)
    objective: Any = None
    objective_terms: Terms = ([], [], 0.0)
    maximize: bool = False
    invalid: str = ""  # the first coefficient, constant or bound that is not a number (NaN): never handed to SCIP
    violated: str = ""  # a row whose variables are all fixed and whose value breaks its bounds: infeasible as given


def compile_program(model: Any) -> ScipProgram | None:
    """``model`` as a :class:`ScipProgram`, or ``None`` if it holds anything this reader does not model."""
    import pyomo.environ as pyo
    from pyomo.core.expr.visitor import identify_variables
    from pyomo.repn import generate_standard_repn

    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    if len(objectives) > 1:
        return None
    out = ScipProgram(objective=objectives[0] if objectives else None)
    position: dict[int, int] = {}

    def column(var: Any) -> int:
        key = id(var)
        if key not in position:
            position[key] = len(out.columns)
            out.columns.append(var)
        return position[key]

    def terms(expr: Any, where: Any) -> Terms | None:
        repn = generate_standard_repn(expr, compute_values=True, quadratic=True)
        if repn.nonlinear_expr is not None:
            return None
        linear = [(column(v), float(c)) for v, c in zip(repn.linear_vars, repn.linear_coefs, strict=True)]
        quadratic = [(column(a), column(b), float(c))
                     for (a, b), c in zip(repn.quadratic_vars or (), repn.quadratic_coefs or (), strict=True)]
        numbers = [float(repn.constant), *(c for _, c in linear), *(c for _, _, c in quadratic)]
        if not out.invalid and any(math.isnan(x) for x in numbers):
            out.invalid = f"{where.name}: a coefficient, constant or bound is not a number (NaN)"
        return linear, quadratic, float(repn.constant)

    for con in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        body = terms(con.body, con)
        if body is None:
            return None
        lower = None if con.lower is None else float(pyo.value(con.lower))
        upper = None if con.upper is None else float(pyo.value(con.upper))
        if not out.invalid and any(b is not None and math.isnan(b) for b in (lower, upper)):
            out.invalid = f"{con.name}: a bound is not a number (NaN)"
        if not body[0] and not body[1]:  # every variable of the row is fixed: a number to check, not a row
            level, tol = body[2], 1e-9 * (1.0 + abs(body[2]))
            if (lower is not None and level < lower - tol) or (upper is not None and level > upper + tol):
                out.violated = out.violated or f"{con.name} = {level:g} with every variable fixed, outside its bounds"
            continue
        out.rows.append((con, body, lower, upper))
    for sos in model.component_data_objects(pyo.SOSConstraint, active=True, descend_into=True):
        if sos.level != 1:
            return None
        members = list(sos.get_items())
        out.sos1.append(([column(v) for v, _ in members], [float(w) for _, w in members]))
    if out.objective is not None:
        objective = terms(out.objective.expr, out.objective)
        if objective is None:
            return None
        out.objective_terms = objective
        out.maximize = out.objective.sense == pyo.maximize
        for var in identify_variables(out.objective.expr, include_fixed=False):
            column(var)  # a term 0*y drops out of the representation; y still needs a value to evaluate it
    for var in out.columns:
        if not out.invalid and any(b is not None and math.isnan(b) for b in var.bounds):
            out.invalid = f"{var.name}: a bound is not a number (NaN)"
    return out if out.columns else None


def _expression(scip_vars: list[Any], terms: Terms) -> Any:
    from pyscipopt import quicksum

    linear, quadratic, constant = terms
    return (quicksum(c * scip_vars[i] for i, c in linear)
            + quicksum(c * scip_vars[i] * scip_vars[j] for i, j, c in quadratic) + constant)


def _build(program: ScipProgram, params: dict[str, Any]) -> tuple[Any, list[Any]]:
    """A new ``pyscipopt`` model holding ``program``, with SCIP's output off and ``params`` set."""
    import pyomo.environ as pyo
    from pyscipopt import Model
    from pyscipopt.scip import ExprCons

    with native_output_silenced():
        scip = Model()
    scip.hideOutput(True)
    for key, val in params.items():
        scip.setParam(key, val)
    inf = scip.infinity()
    scip_vars = []
    for var in program.columns:
        if var.fixed:
            lb = ub = float(pyo.value(var))
        else:
            lb = -inf if var.lb is None else float(var.lb)
            ub = inf if var.ub is None else float(var.ub)
        vtype = "B" if var.is_binary() else "I" if var.is_integer() else "C"
        scip_vars.append(scip.addVar(lb=lb, ub=ub, vtype=vtype))
    for _, body, lower, upper in program.rows:
        linear, quadratic, constant = body
        expr = _expression(scip_vars, (linear, quadratic, 0.0))
        scip.addCons(ExprCons(expr, lhs=None if lower is None else lower - constant,
                              rhs=None if upper is None else upper - constant))
    for members, weights in program.sos1:
        scip.addConsSOS1([scip_vars[i] for i in members], weights=weights)
    if program.objective is not None:
        sense = "maximize" if program.maximize else "minimize"
        linear, quadratic, constant = program.objective_terms
        if quadratic:  # SCIP's objective is linear: bound the quadratic by a variable and optimize that
            bound = scip.addVar(lb=-inf, ub=inf, vtype="C")
            expr = _expression(scip_vars, program.objective_terms)
            scip.addCons(bound <= expr if program.maximize else bound >= expr)
            scip.setObjective(bound, sense=sense)
        else:
            scip.setObjective(_expression(scip_vars, (linear, [], 0.0)), sense=sense)
            scip.addObjoffset(constant)
    return scip, scip_vars


_STATUS = {"optimal": Status.OPTIMAL, "gaplimit": Status.OPTIMAL, "infeasible": Status.INFEASIBLE,
           "unbounded": Status.UNBOUNDED, "timelimit": Status.TIME_LIMIT, "nodelimit": Status.TIME_LIMIT,
           "totalnodelimit": Status.TIME_LIMIT, "stallnodelimit": Status.TIME_LIMIT}


def solve_direct(backend: Backend, model: Any, program: ScipProgram, config: SolveConfig, params: dict[str, Any],
                 *, formulation: str) -> SolveResult:
    """Solve ``program`` (read from ``model``) with SCIP; load the best point into ``model``."""
    import pyomo.environ as pyo

    start = time.perf_counter()
    if program.invalid:
        return SolveResult(Status.ERROR, backend.name, formulation, message=f"not solved: {program.invalid}")
    if program.violated:
        return SolveResult(Status.INFEASIBLE, backend.name, formulation, message=f"infeasible: {program.violated}")
    try:
        scip, scip_vars = _build(program, {**params, **config.options})
        with native_output_silenced():
            scip.optimize()
    except Exception as exc:  # noqa: BLE001 - a backend failure is a result, not a traceback
        message = f"{type(exc).__name__}: {exc}"
        if "LP solver" in str(exc):
            message += (" (numerical trouble: SCIP's LP solver could not solve a node's relaxation; another encoding "
                        "or backend, or looser tolerances, may get through)")
        return SolveResult(Status.ERROR, backend.name, formulation, message=message,
                           solve_time=time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    scip_status = scip.getStatus()
    status = _STATUS.get(scip_status, Status.ERROR)
    message = f"SCIP status: {scip_status}"
    if scip_status == "inforunbd":
        status = _feasible_or_not(program, params, config)
        message += f"; decided {status} by a solve without objective"
    values: dict[str, Any] = {}
    objective = None
    loaded = status in (Status.OPTIMAL, Status.TIME_LIMIT) and scip.getNSols() > 0
    if status is Status.OPTIMAL and not loaded:
        status = Status.ERROR
    if loaded:
        best = scip.getBestSol()
        for var, scip_var in zip(program.columns, scip_vars, strict=True):
            if not var.fixed:
                var.set_value(float(scip.getSolVal(best, scip_var)), skip_validation=True)
        values = pyomo_values(model)
        objective = float(pyo.value(program.objective)) if program.objective is not None else None
    stats = {"nodes": float(scip.getNNodes()), "iterations": float(scip.getNLPIterations()),
             "gap": float(scip.getGap()), "dual_bound": float(scip.getDualbound())}
    if program.rows:
        message += f"; duals: {backend.no_duals_reason[Layer.PYOMO]}"
    return SolveResult(
        stats=finite_stats(stats),
        status=status,
        backend=backend.name,
        formulation=formulation,
        is_global=status is Status.OPTIMAL,
        objective=objective,
        values=values,
        solve_time=elapsed,
        solver_time=float(scip.getSolvingTime()),
        message=message,
    )


def _feasible_or_not(program: ScipProgram, params: dict[str, Any], config: SolveConfig) -> Status:
    """SCIP's "infeasible or unbounded" decided by the same rows without objective (see ``highs_direct``)."""
    feasibility = ScipProgram(program.columns, program.rows, program.sos1)
    scip, _ = _build(feasibility, {**params, **config.options})
    with native_output_silenced():
        scip.optimize()
    decided = scip.getStatus()
    if decided == "optimal":
        return Status.UNBOUNDED
    return Status.INFEASIBLE if decided == "infeasible" else Status.ERROR
