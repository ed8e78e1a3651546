"""A linear or convex quadratic Pyomo model (LP, MILP, QP) handed to HiGHS directly, without Pyomo's interface.

Pyomo's ``highs`` interface is persistent: each ``solve`` of a new model builds its bookkeeping (configuration
objects, variable and constraint maps, change trackers) before HiGHS sees a row, about 3 ms for a ten-row LP, more
than HiGHS takes to solve it.  The small LPs and MILPs of a bilevel solve (the encoded program, the active-set
polish, the followers' re-solves in the certificate, QPs for quadratic followers) pay that three times a call.  Here
the model's active rows and objective are read once with Pyomo's standard representation into arrays, passed to
``highspy`` in one call (and the objective's Hessian in a second), solved, and the point (and, for a continuous
program, the row duals) written back into the model: the same values, duals and status as through Pyomo's interface
(``tests/solvers/test_highs_direct.py`` compares the two).

Only what this reader models exactly goes through it: one active objective (or none), linear rows, a linear
objective or (with ``quadratic=True``, continuous variables only: HiGHS has no MIQP) a quadratic one, continuous or
integer variables, at least one of them unfixed.  Anything else (quadratic rows, SOS constraints, several
objectives, a log to show) returns ``None`` from :func:`compile_program` and the caller takes Pyomo's interface.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .base import Backend, finite_stats, native_output_silenced, pyomo_values
from .result import SolveResult, Status

if TYPE_CHECKING:
    from .config import SolveConfig


@dataclass
class ProgramArrays:
    """A linear program in HiGHS' row-wise form (plus the objective's Hessian), with the Pyomo components each column
    and row came from."""

    columns: list[Any]
    col_lower: list[float]
    col_upper: list[float]
    integer: list[bool]
    cost: list[float]
    offset: float
    maximize: bool
    rows: list[Any]
    row_lower: list[float]
    row_upper: list[float]
    starts: list[int]
    index: list[int]
    value: list[float]
    objective: Any  # the active objective's data, or None for a feasibility problem
    hessian: list[tuple[int, int, float]] = field(default_factory=list)  # (row >= col, value): ½ xᵀQx, Q's lower half
    invalid: str = ""  # the first coefficient, constant or bound that is not a number (NaN): never handed to HiGHS


def compile_program(model: Any, *, quadratic: bool = False) -> ProgramArrays | None:
    """``model``'s active rows and objective as arrays, or ``None`` if it is not a program this reader models (see
    the module): with ``quadratic``, the objective may be quadratic in continuous variables."""
    import pyomo.environ as pyo
    from pyomo.core.expr.visitor import identify_variables
    from pyomo.repn import generate_standard_repn

    if any(True for _ in model.component_data_objects(pyo.SOSConstraint, active=True, descend_into=True)):
        return None
    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    if len(objectives) > 1:
        return None
    out = ProgramArrays([], [], [], [], [], 0.0, False, [], [], [], [], [], [], objectives[0] if objectives else None)
    position: dict[int, int] = {}

    def column(var: Any) -> int:
        key = id(var)
        if key not in position:
            position[key] = len(out.columns)
            out.columns.append(var)
            lb, ub = var.lb, var.ub
            out.col_lower.append(-math.inf if lb is None else float(lb))
            out.col_upper.append(math.inf if ub is None else float(ub))
            out.integer.append(bool(var.is_integer()))
            out.cost.append(0.0)
        return position[key]

    def check(where: Any, numbers: list[float]) -> None:
        if not out.invalid and any(math.isnan(x) for x in numbers):
            out.invalid = f"{where.name}: a coefficient, constant or bound is not a number (NaN)"

    for con in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        repn = generate_standard_repn(con.body, compute_values=True, quadratic=False)
        if not repn.is_linear():
            return None
        constant = float(repn.constant)
        lower, upper = con.lb, con.ub
        out.rows.append(con)
        out.row_lower.append(-math.inf if lower is None else float(lower) - constant)
        out.row_upper.append(math.inf if upper is None else float(upper) - constant)
        out.starts.append(len(out.index))
        for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            out.index.append(column(var))
            out.value.append(float(coef))
        check(con, [out.row_lower[-1], out.row_upper[-1], *out.value[out.starts[-1]:]])
    if out.objective is not None:
        repn = generate_standard_repn(out.objective.expr, compute_values=True, quadratic=quadratic)
        if repn.nonlinear_expr is not None or (not quadratic and not repn.is_linear()):
            return None
        out.offset = float(repn.constant)
        out.maximize = out.objective.sense == pyo.maximize
        for var, coef in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            out.cost[column(var)] += float(coef)
        lower: dict[tuple[int, int], float] = {}
        for (a, b), coef in zip(repn.quadratic_vars or (), repn.quadratic_coefs or (), strict=True):
            i, j = column(a), column(b)
            key = (max(i, j), min(i, j))  # c x_i x_j: Q_ij = Q_ji = c; c x_i²: Q_ii = 2c
            lower[key] = lower.get(key, 0.0) + float(coef) * (2.0 if i == j else 1.0)
        out.hessian = [(i, j, v) for (i, j), v in lower.items() if v != 0.0]
        if out.hessian and any(out.integer):
            return None  # a MIQP: HiGHS has no branch and bound for it
        for var in identify_variables(out.objective.expr, include_fixed=False):
            column(var)  # a term 0*y drops out of the representation; y still needs a value to evaluate it
        check(out.objective, [out.offset, *out.cost, *(v for _, _, v in out.hessian)])
    for var, lower, upper in zip(out.columns, out.col_lower, out.col_upper, strict=True):
        check(var, [lower, upper])
    return out if out.columns else None  # nothing left to decide: HiGHS calls it "empty", Pyomo's interface solves it


def _highs(arrays: ProgramArrays, options: dict[str, Any]) -> Any:
    import highspy
    import numpy as np

    with native_output_silenced():  # highspy prints its banner when a Highs object is made
        highs = highspy.Highs()
    for key, val in options.items():
        if highs.setOptionValue(key, val) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS rejected option {key}={val!r}")
    n = len(arrays.columns)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(arrays.rows)
    lp.col_cost_ = np.array(arrays.cost, dtype=float)
    lp.col_lower_ = np.array(arrays.col_lower, dtype=float)
    lp.col_upper_ = np.array(arrays.col_upper, dtype=float)
    lp.row_lower_ = np.array(arrays.row_lower, dtype=float)
    lp.row_upper_ = np.array(arrays.row_upper, dtype=float)
    lp.offset_ = arrays.offset
    lp.sense_ = highspy.ObjSense.kMaximize if arrays.maximize else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = len(arrays.rows)
    lp.a_matrix_.start_ = np.array([*arrays.starts, len(arrays.index)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array(arrays.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(arrays.value, dtype=float)
    if any(arrays.integer):
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in arrays.integer]
    if highs.passModel(lp) == highspy.HighsStatus.kError:
        largest = max((abs(v) for v in arrays.value), default=0.0)
        _, limit = highs.getOptionValue("large_matrix_value")
        raise ValueError(f"HiGHS rejected the model (largest |coefficient| {largest:g}; HiGHS refuses "
                         f"coefficients of {limit:g} and more)")
    if arrays.hessian:
        entries = sorted(arrays.hessian, key=lambda e: (e[1], e[0]))  # column-wise, lower triangle
        starts = np.searchsorted([col for _, col, _ in entries], np.arange(n)).astype(np.int32)
        if highs.passHessian(n, len(entries), highspy.HessianFormat.kTriangular, starts,
                             np.array([row for row, _, _ in entries], dtype=np.int32),
                             np.array([v for _, _, v in entries], dtype=float)) == highspy.HighsStatus.kError:
            raise ValueError("HiGHS rejected the objective's Hessian")
    return highs


def info_stats(info: Any) -> dict[str, float]:
    """From HiGHS' ``HighsInfo``: simplex and barrier iterations, and for a MIP (node count >= 0) its nodes and
    gap; the one reading of both HiGHS paths (this module and Pyomo's interface, ``HighsBackend.solver_stats``)."""
    stats = {"iterations": float(max(info.simplex_iteration_count, 0) + max(info.ipm_iteration_count, 0))}
    if info.mip_node_count >= 0:
        stats.update(nodes=float(info.mip_node_count), gap=float(info.mip_gap))
    return stats


def _status(highs: Any) -> tuple[Status, str]:
    import highspy

    model_status = highs.getModelStatus()
    kind = highspy.HighsModelStatus
    if model_status == kind.kOptimal:
        status = Status.OPTIMAL
    elif model_status == kind.kInfeasible:
        status = Status.INFEASIBLE
    elif model_status == kind.kUnboundedOrInfeasible:
        status = _feasible_or_not(highs)
    elif model_status == kind.kUnbounded:
        status = Status.UNBOUNDED
    elif model_status in (kind.kTimeLimit, kind.kIterationLimit, getattr(kind, "kSolutionLimit", None)):
        status = Status.TIME_LIMIT
    else:
        status = Status.ERROR
    message = f"HiGHS model status: {highs.modelStatusToString(model_status)}"
    if model_status == kind.kUnboundedOrInfeasible:
        message += f"; decided {status} by a solve of the same rows without objective"
    return status, message


def _feasible_or_not(highs: Any) -> Status:
    """HiGHS' "primal infeasible or unbounded" decided: the same rows and bounds without an objective are solved
    once more; a feasible point means the program is unbounded, none that it is infeasible (``error`` if that solve
    decides nothing).  Reporting the pair as "infeasible" made the enumeration of a bilevel program whose
    relaxation is unbounded stop at its first piece."""
    import highspy
    import numpy as np

    n = highs.getNumCol()
    highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    highs.run()
    decided = highs.getModelStatus()
    if decided == highspy.HighsModelStatus.kOptimal:
        return Status.UNBOUNDED
    return Status.INFEASIBLE if decided == highspy.HighsModelStatus.kInfeasible else Status.ERROR


def solve_direct(backend: Backend, model: Any, arrays: ProgramArrays, config: SolveConfig, options: dict[str, Any],
                 *, formulation: str) -> SolveResult:
    """Solve the compiled ``arrays`` of ``model`` with HiGHS; load the point (and LP duals) into ``model``.

    Statuses, values, duals and statistics as :func:`ftgames.solvers.base.solve_with_pyomo_factory` reports them
    through Pyomo's interface: the objective is the model's own objective evaluated at the loaded point; duals are
    HiGHS' row duals (d value / d rhs in the objective's sense), read for a continuous program only, and also
    written into an import-enabled ``dual`` suffix the user attached."""
    import pyomo.environ as pyo

    start = time.perf_counter()
    if arrays.invalid:
        return SolveResult(Status.ERROR, backend.name, formulation, message=f"not solved: {arrays.invalid}")
    try:
        highs = _highs(arrays, {**options, **config.options})
        highs.run()
    except Exception as exc:  # noqa: BLE001 - a backend failure is a result, not a traceback
        return SolveResult(Status.ERROR, backend.name, formulation, message=f"{type(exc).__name__}: {exc}",
                           solve_time=time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    status, message = _status(highs)
    info = highs.getInfo()
    solution = highs.getSolution()
    loaded = status in (Status.OPTIMAL, Status.TIME_LIMIT) and info.primal_solution_status == 2 \
        and solution.value_valid
    if status is Status.OPTIMAL and not loaded:
        status = Status.ERROR
    discrete = any(arrays.integer)
    values: dict[str, Any] = {}
    duals: dict[str, float] = {}
    objective = None
    notes = []
    if loaded:
        for var, val in zip(arrays.columns, solution.col_value, strict=True):
            var.set_value(float(val), skip_validation=True)
        values = pyomo_values(model)
        objective = float(pyo.value(arrays.objective)) if arrays.objective is not None else None
        if arrays.rows and discrete:
            notes.append("duals: none (a discrete program has no duals)")
        elif arrays.rows and not solution.dual_valid:
            notes.append("duals: none (the solver reported no valid duals)")
        elif arrays.rows:
            factor = backend.pyomo_dual_sign["max" if arrays.maximize else "min"]
            duals = {con.name: float(factor * val) for con, val in zip(arrays.rows, solution.row_dual, strict=True)}
            suffix = model.component("dual")
            if isinstance(suffix, pyo.Suffix) and suffix.import_enabled():
                for con, val in zip(arrays.rows, solution.row_dual, strict=True):
                    suffix[con] = float(val)
    stats = info_stats(info)
    if info.mip_node_count >= 0:
        stats["dual_bound"] = float(info.mip_dual_bound)
    elif status is Status.OPTIMAL and arrays.objective is not None:
        stats["dual_bound"] = float(info.objective_function_value)
    return SolveResult(
        stats=finite_stats(stats),
        status=status,
        backend=backend.name,
        formulation=formulation,
        is_global=status is Status.OPTIMAL,
        objective=objective,
        values=values,
        duals=duals,
        solve_time=elapsed,
        message="; ".join([message, *notes]),
    )
