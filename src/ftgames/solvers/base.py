"""The backend interface and the two shared drivers (Pyomo ``SolverFactory`` and ``cvxpy.Problem.solve``)."""

from __future__ import annotations

import io
import math
import time
from contextlib import nullcontext, redirect_stdout
from dataclasses import dataclass
from typing import Any, ClassVar

from .capabilities import Capability, Layer
from .config import SolveConfig
from .result import SolveResult, Status


@dataclass(frozen=True)
class Availability:
    available: bool
    reason: str = ""


class Backend:
    """One solver.  Subclasses declare, as data, what each modelling layer can hand it."""

    name: ClassVar[str]
    description: ClassVar[str] = ""
    capabilities: ClassVar[dict[Layer, frozenset[Capability]]] = {}
    global_optimality: ClassVar[bool] = False  # True: a reported optimum is proved global
    pyomo_duals: ClassVar[bool] = True  # False: the Pyomo interface cannot import a ``dual`` suffix

    def availability(self, layer: Layer | None = None) -> Availability:
        raise NotImplementedError

    def supports(self, layer: Layer, requires: frozenset[Capability] | set[Capability]) -> bool:
        return layer in self.capabilities and set(requires) <= self.capabilities[layer]

    def solve(self, program: Any, layer: Layer, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        if layer is Layer.PYOMO:
            return self.solve_pyomo(program, config, convex=convex, formulation=formulation)
        return self.solve_cvxpy(program, config, convex=convex, formulation=formulation)

    # Subclasses implement the layers they declare.
    def solve_pyomo(self, model: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        raise NotImplementedError(f"{self.name} has no Pyomo interface")

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        raise NotImplementedError(f"{self.name} has no CVXPY interface")


def _capture(enabled: bool):
    if not enabled:
        return nullcontext(None)
    from pyomo.common.tee import capture_output

    return capture_output(capture_fd=True)


# ----------------------------------------------------------------------------------------------- Pyomo driver
def pyomo_values(model: Any) -> dict[str, float | None]:
    """Every variable of ``model`` (all blocks) by its Pyomo name."""
    import pyomo.environ as pyo

    return {v.name: v.value for v in model.component_data_objects(pyo.Var, descend_into=True)}


def pyomo_duals(model: Any) -> dict[str, float]:
    import pyomo.environ as pyo

    suffix = getattr(model, "dual", None)
    if not isinstance(suffix, pyo.Suffix):
        return {}
    return {c.name: val for c, val in suffix.items() if val is not None}


def solve_with_pyomo_factory(
    backend: Backend,
    solver_name: str,
    model: Any,
    config: SolveConfig,
    options: dict[str, Any],
    *,
    convex: bool,
    formulation: str,
) -> SolveResult:
    """Run ``SolverFactory(solver_name)`` and translate its status.  Values are loaded only for a usable solution."""
    import pyomo.environ as pyo
    from pyomo.opt import SolverStatus, TerminationCondition as TC

    opt = pyo.SolverFactory(solver_name)
    target = opt.options if hasattr(opt, "options") else opt.config.options
    for key, val in {**options, **config.options}.items():
        target[key] = val
    # Backends without duals choke on an import suffix: detach it for the solve and put it back afterwards.
    detached = [] if backend.pyomo_duals else [
        (s.parent_block(), s.local_name, s)
        for s in model.component_objects(pyo.Suffix, descend_into=True) if s.import_enabled()
    ]
    for block, name, _ in detached:
        block.del_component(name)
    start = time.perf_counter()
    log = None
    try:
        with _capture(config.log) as out:
            res = opt.solve(model, tee=config.log, load_solutions=False)
        log = out.getvalue() if out is not None and hasattr(out, "getvalue") else None
    except Exception as exc:  # a backend crash is a result, not a traceback
        return SolveResult(Status.ERROR, backend.name, formulation, message=f"{type(exc).__name__}: {exc}",
                           solve_time=time.perf_counter() - start)
    finally:
        for block, name, suffix in detached:
            block.add_component(name, suffix)
    elapsed = time.perf_counter() - start
    tc = res.solver.termination_condition
    proved_global = backend.global_optimality or convex
    if tc in (TC.optimal, TC.globallyOptimal):
        status = Status.OPTIMAL if proved_global else Status.LOCALLY_OPTIMAL
    elif tc == TC.locallyOptimal:
        status = Status.OPTIMAL if convex else Status.LOCALLY_OPTIMAL
    elif tc in (TC.infeasible, TC.invalidProblem, TC.infeasibleOrUnbounded):
        status = Status.INFEASIBLE
    elif tc == TC.unbounded:
        status = Status.UNBOUNDED
    elif tc in (TC.maxTimeLimit, TC.maxIterations, TC.maxEvaluations):
        status = Status.TIME_LIMIT
    else:
        status = Status.ERROR
    loaded = False
    usable = status in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL, Status.TIME_LIMIT)
    if usable and len(res.solution) > 0 and res.solver.status != SolverStatus.error:
        try:
            model.solutions.load_from(res)
            loaded = True
        except Exception:  # noqa: BLE001 - an unusable solution stays unloaded
            loaded = False
    if status in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL) and not loaded:
        status = Status.ERROR
    objective = None
    values: dict[str, Any] = {}
    if loaded:
        values = pyomo_values(model)
        objs = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
        if len(objs) == 1:
            objective = float(pyo.value(objs[0]))
    return SolveResult(
        status=status,
        backend=backend.name,
        formulation=formulation,
        is_global=status is Status.OPTIMAL and proved_global,
        objective=objective,
        values=values,
        duals=pyomo_duals(model) if loaded else {},
        solve_time=elapsed,
        message=f"termination condition: {tc}",
        log=log,
    )


# ----------------------------------------------------------------------------------------------- CVXPY driver
def solve_with_cvxpy(
    backend: Backend,
    cvxpy_solver: str,
    problem: Any,
    config: SolveConfig,
    options: dict[str, Any],
    *,
    convex: bool,
    formulation: str,
) -> SolveResult:
    import cvxpy as cp

    start = time.perf_counter()
    buf = io.StringIO()
    try:
        with redirect_stdout(buf) if config.log else nullcontext():
            problem.solve(solver=cvxpy_solver, verbose=config.log, **{**options, **config.options})
    except cp.error.SolverError as exc:
        return SolveResult(Status.ERROR, backend.name, formulation, message=f"SolverError: {exc}",
                           solve_time=time.perf_counter() - start, log=buf.getvalue() or None)
    except Exception as exc:  # noqa: BLE001
        return SolveResult(Status.ERROR, backend.name, formulation, message=f"{type(exc).__name__}: {exc}",
                           solve_time=time.perf_counter() - start)
    elapsed = time.perf_counter() - start
    stats = problem.solver_stats
    solve_time = stats.solve_time if stats is not None and stats.solve_time else elapsed
    status_map = {
        cp.OPTIMAL: Status.OPTIMAL if (convex or backend.global_optimality) else Status.LOCALLY_OPTIMAL,
        cp.OPTIMAL_INACCURATE: Status.INACCURATE,
        cp.INFEASIBLE: Status.INFEASIBLE,
        cp.INFEASIBLE_INACCURATE: Status.INFEASIBLE,
        cp.UNBOUNDED: Status.UNBOUNDED,
        cp.UNBOUNDED_INACCURATE: Status.UNBOUNDED,
        cp.USER_LIMIT: Status.TIME_LIMIT,
    }
    status = status_map.get(problem.status, Status.ERROR)
    values: dict[str, Any] = {}
    duals: dict[str, Any] = {}
    objective = None
    if status in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL, Status.INACCURATE, Status.TIME_LIMIT):
        values = {v.name(): v.value for v in problem.variables() if v.value is not None}
        duals = {str(getattr(c, "name", None) or f"constraint[{i}]"): c.dual_value
                 for i, c in enumerate(problem.constraints) if c.dual_value is not None}
        if problem.value is not None and math.isfinite(problem.value):
            objective = float(problem.value)
    return SolveResult(
        status=status,
        backend=backend.name,
        formulation=formulation,
        is_global=status is Status.OPTIMAL,
        objective=objective,
        values=values,
        duals=duals,
        solve_time=solve_time,
        message=f"cvxpy status: {problem.status}",
        log=buf.getvalue() or None,
    )
