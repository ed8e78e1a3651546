"""The backend interface and the two shared drivers (Pyomo ``SolverFactory`` and ``cvxpy.Problem.solve``).

Duals (``SolveResult.duals``) follow one convention whatever the backend or layer (``docs/solvers.md``, "Duals"):
``dual = d(optimal objective value) / d(rhs)`` of the constraint written ``body <= rhs``, ``body >= rhs`` or
``body == rhs``, in the objective's own sense.  A minimization's binding ``x >= 1`` with cost 2 on ``x`` has dual +2;
a maximization of ``3 x`` with ``x <= 5`` binding has dual +3.  Each backend declares, as data, how its native values
convert (``Backend.pyomo_dual_sign``) and whether a layer gives duals at all (``pyomo_duals``, ``cvxpy_duals``).
"""

from __future__ import annotations

import io
import math
import os
import sys
import time
from contextlib import contextmanager, nullcontext, redirect_stdout
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .capabilities import Capability, Layer
from .result import SolveResult, Status

if TYPE_CHECKING:  # only for annotations: config imports the registry, which imports every backend
    from .config import SolveConfig


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
    # The native Pyomo ``dual`` suffix value times this factor, per objective sense ("min"/"max"), is
    # d(optimal value)/d(rhs) in the objective's sense (the one convention of SolveResult.duals).
    pyomo_dual_sign: ClassVar[dict[str, int]] = {"min": 1, "max": 1}
    cvxpy_duals: ClassVar[bool] = True  # False: the CVXPY interface returns no (or unreliable) dual values
    # Why a layer gives no duals; said in the result's message instead of returning wrong or no values silently.
    no_duals_reason: ClassVar[dict[Layer, str]] = {}

    def availability(self, layer: Layer | None = None) -> Availability:
        raise NotImplementedError

    def supports(self, layer: Layer, requires: frozenset[Capability] | set[Capability]) -> bool:
        return layer in self.capabilities and set(requires) <= self.capabilities[layer]

    def solve(self, program: Any, layer: Layer, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        if layer is Layer.PYOMO:
            return self.solve_pyomo(program, config, convex=convex, formulation=formulation)
        return self.solve_cvxpy(program, config, convex=convex, formulation=formulation)

    # Subclasses implement the layers they declare.
    def solver_stats(self, opt: Any) -> dict[str, float]:
        """Nodes, iterations and gap read from the Pyomo solver object after a solve (backends override)."""
        return {}

    def solve_pyomo(self, model: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        raise NotImplementedError(f"{self.name} has no Pyomo interface")

    def persistent_pyomo(self, config: SolveConfig) -> Any | None:
        """A solver object that keeps a Pyomo model between solves (re-solving pushes only what changed: mutable
        ``Param`` values, fixed variables' values, bounds), for :class:`ftgames.solvers.persistent.PersistentSolve`;
        None when the backend has no persistent Pyomo interface (then every re-solve is a fresh solve)."""
        return None

    def solve_pyomo_persistent(self, opt: Any, model: Any, config: SolveConfig, *, convex: bool,
                               formulation: str) -> SolveResult:
        """Solve ``model`` with ``opt`` (from :meth:`persistent_pyomo`); backends with one override this."""
        raise NotImplementedError(f"{self.name} has no persistent Pyomo interface")

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        raise NotImplementedError(f"{self.name} has no CVXPY interface")


@contextmanager
def native_output_silenced():
    """Point the process's stdout and stderr (file descriptors 1 and 2) at /dev/null for the block: what a native
    library prints there (HiGHS's banner when a ``Highs`` object is made, SoPlex's warnings past SCIP's message
    handler) can then neither corrupt ``--json`` output nor fill a capture pipe and block a solve."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(sink, 1)
        os.dup2(sink, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, sink):
            os.close(fd)


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


def pyomo_duals(model: Any, factor: float = 1.0) -> dict[str, float]:
    """The ``dual`` import suffix of ``model`` by constraint full name (``c.name``: ``balance[2]``, ``lower.c1``),
    each value times ``factor`` (the backend's conversion to the one convention, see :class:`Backend`)."""
    import pyomo.environ as pyo

    suffix = model.component("dual")
    if not isinstance(suffix, pyo.Suffix):
        return {}
    return {c.name: float(factor * val) for c, val in suffix.items() if val is not None}


def _objective_sense(model: Any) -> str:
    import pyomo.environ as pyo

    objs = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    return "max" if len(objs) == 1 and objs[0].sense == pyo.maximize else "min"


def _is_discrete(model: Any) -> bool:
    """Does ``model`` have an unfixed integer/binary variable or an active SOS constraint (no duals then)?"""
    import pyomo.environ as pyo

    if any(True for _ in model.component_data_objects(pyo.SOSConstraint, active=True, descend_into=True)):
        return True
    return any(not v.fixed and (v.is_integer() or v.is_binary())
               for v in model.component_data_objects(pyo.Var, descend_into=True))


def _has_rows(model: Any) -> bool:
    import pyomo.environ as pyo

    return any(True for _ in model.component_data_objects(pyo.Constraint, active=True, descend_into=True))


class _DualSuffix:
    """Attach ``model.dual = Suffix(direction=IMPORT)`` for one solve and take it away again afterwards.

    The user never adds the suffix.  A suffix the backend added is deleted after the duals are read (the model is
    left as it was handed in); a user's own ``dual`` suffix is kept (an export-only one is made import/export for
    the solve and restored), and holds the solver's *native* values, not the converted ones of ``SolveResult``.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.added = False
        self.restore_direction: Any = None
        self.note = ""

    def attach(self) -> bool:
        import pyomo.environ as pyo

        existing = self.model.component("dual")
        if existing is None:
            self.model.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
            self.added = True
            return True
        if not isinstance(existing, pyo.Suffix):
            self.note = "not read: the model has a component named 'dual' that is not a Suffix"
            return False
        if not existing.import_enabled():
            self.restore_direction = existing.direction
            existing.direction = pyo.Suffix.IMPORT_EXPORT
        return True

    def detach(self) -> None:
        if self.added:
            self.model.del_component("dual")
            self.added = False
        elif self.restore_direction is not None:
            self.model.component("dual").direction = self.restore_direction
            self.restore_direction = None


def solve_with_pyomo_factory(
    backend: Backend,
    solver_name: str,
    model: Any,
    config: SolveConfig,
    options: dict[str, Any],
    *,
    convex: bool,
    formulation: str,
    opt: Any = None,
    decide: bool = True,
) -> SolveResult:
    """Run ``SolverFactory(solver_name)`` and translate its status.  Values are loaded only for a usable solution.

    ``opt``: a solver object kept by the caller (a persistent interface, :mod:`ftgames.solvers.persistent`), used
    instead of a new one, so that a re-solve of the same model only pushes what changed.  ``decide``: a solver's
    "infeasible or unbounded" is decided by one more solve without objective (:func:`_feasible_or_not`)."""
    import pyomo.environ as pyo
    from pyomo.opt import SolverStatus, TerminationCondition as TC

    opt = opt if opt is not None else pyo.SolverFactory(solver_name)
    target = opt.options if hasattr(opt, "options") else opt.config.options
    for key, val in {**options, **config.options}.items():
        target[key] = val
    # Duals: the backend attaches the import suffix itself (continuous programs only: a discrete program has no
    # duals, and HiGHS raises NoDualsError when asked for them).  Backends or programs without duals choke on an
    # import suffix, so a user's import suffixes are detached for the solve and put back afterwards.
    discrete = _is_discrete(model)
    reading = backend.pyomo_duals and not discrete
    dual_note = ""
    if not backend.pyomo_duals:
        dual_note = backend.no_duals_reason.get(Layer.PYOMO, f"{backend.name}'s Pyomo interface gives none")
    elif discrete:
        dual_note = "none (a discrete program has no duals)"
    detached = [] if reading else [
        (s.parent_block(), s.local_name, s)
        for s in model.component_objects(pyo.Suffix, descend_into=True) if s.import_enabled()
    ]
    suffix = _DualSuffix(model)
    if reading and not suffix.attach():
        reading, dual_note = False, suffix.note
    for block, name, _ in detached:
        block.del_component(name)
    start = time.perf_counter()
    log = None
    try:
        try:
            with _capture(config.log) as out:
                res = opt.solve(model, tee=config.log, load_solutions=False)
        except Exception as exc:
            if not (reading and type(exc).__name__ == "NoDualsError"):
                raise
            # the solver has a point but no valid duals (e.g. stopped early): solve again without asking for them
            suffix.detach()
            reading, dual_note = False, "none (the solver reported no valid duals)"
            with _capture(config.log) as out:
                res = opt.solve(model, tee=config.log, load_solutions=False)
        log = out.getvalue() if out is not None and hasattr(out, "getvalue") else None
    except Exception as exc:  # a backend crash is a result, not a traceback
        suffix.detach()
        return SolveResult(Status.ERROR, backend.name, formulation, message=f"{type(exc).__name__}: {exc}",
                           solve_time=time.perf_counter() - start)
    finally:
        for block, name, sfx in detached:
            block.add_component(name, sfx)
    elapsed = time.perf_counter() - start
    tc = res.solver.termination_condition
    proved_global = backend.global_optimality or convex
    if tc in (TC.optimal, TC.globallyOptimal):
        status = Status.OPTIMAL if proved_global else Status.LOCALLY_OPTIMAL
    elif tc == TC.locallyOptimal:
        status = Status.OPTIMAL if convex else Status.LOCALLY_OPTIMAL
    elif tc in (TC.infeasible, TC.invalidProblem) or (tc == TC.infeasibleOrUnbounded and not decide):
        status = Status.INFEASIBLE
    elif tc == TC.infeasibleOrUnbounded:
        status = _feasible_or_not(backend, solver_name, model, config, options, formulation)
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
    duals: dict[str, float] = {}
    if loaded and reading:
        duals = pyomo_duals(model, backend.pyomo_dual_sign[_objective_sense(model)])
        if not duals and _has_rows(model):
            dual_note = "none returned by the solver"
    suffix.detach()
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
        stats=_pyomo_stats(backend, opt, res, model),
        status=status,
        backend=backend.name,
        formulation=formulation,
        is_global=status is Status.OPTIMAL and proved_global,
        objective=objective,
        values=values,
        duals=duals,
        solve_time=elapsed,
        message=f"termination condition: {tc}" + (f"; decided {status} by a solve without objective"
                                                  if tc == TC.infeasibleOrUnbounded and decide else "")
        + (f"; duals: {dual_note}" if loaded and dual_note and _has_rows(model) else ""),
        log=log,
    )


def _feasible_or_not(backend: Backend, solver_name: str, model: Any, config: SolveConfig, options: dict[str, Any],
                     formulation: str) -> Status:
    """A solver's "infeasible or unbounded" decided: the same rows and bounds are solved once more without objective;
    a feasible point means the program is unbounded, none that it is infeasible (``error`` if that solve decides
    nothing).  Reporting the pair as "infeasible" made the enumeration of a bilevel program whose relaxation is
    unbounded stop at its first piece."""
    import pyomo.environ as pyo
    from pyomo.common.modeling import unique_component_name

    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    for objective in objectives:
        objective.deactivate()
    name = unique_component_name(model, "ftgames_feasibility")
    model.add_component(name, pyo.Objective(expr=0.0))
    try:
        probe = solve_with_pyomo_factory(backend, solver_name, model, config, options, convex=True,
                                         formulation=formulation, decide=False)
    finally:
        model.del_component(name)
        for objective in objectives:
            objective.activate()
    if probe.status in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL):
        return Status.UNBOUNDED
    return Status.INFEASIBLE if probe.status is Status.INFEASIBLE else Status.ERROR


#: What SCIP (and others) report for "no bound yet": an infinite gap or dual bound is left out, not reported.
SOLVER_INFINITY = 1e19


def _pyomo_stats(backend: Backend, opt: Any, res: Any, model: Any) -> dict[str, float]:
    """The dual bound from Pyomo's results (the upper bound when maximizing, the lower when minimizing) and whatever
    the backend reads from its solver object; nothing a backend fails to report is invented."""
    stats: dict[str, float] = {}
    try:
        bound = res.problem.upper_bound if _objective_sense(model) == "max" else res.problem.lower_bound
        if bound is not None and math.isfinite(float(bound)):
            stats["dual_bound"] = float(bound)
    except (AttributeError, TypeError, ValueError, IndexError):
        pass
    try:
        stats.update({k: float(v) for k, v in backend.solver_stats(opt).items() if v is not None})
    except Exception:  # noqa: BLE001 - statistics are best effort; a solver object without them is not an error
        pass
    return finite_stats(stats)


def finite_stats(stats: dict[str, float]) -> dict[str, float]:
    """``stats`` without what a solver reports for "none yet" (an infinite or ``SOLVER_INFINITY`` gap or bound)."""
    return {k: v for k, v in stats.items() if math.isfinite(v) and abs(v) < SOLVER_INFINITY}


# ----------------------------------------------------------------------------------------------- CVXPY driver
def cvxpy_dual_labels(problem: Any) -> dict[int, str]:
    """``constraint.id -> label`` for every constraint of ``problem``: the keys of ``SolveResult.duals``.

    The label is the constraint's own CVXPY label (``constraint.set_label("budget")`` / ``constraint.label``) when it
    has one, else ``constraint[<index in problem.constraints>]``; a label used twice gets ``" (constraint[i])"``
    appended so every key is unique.  Never a repr.
    """
    labels: dict[int, str] = {}
    own = [getattr(c, "label", None) for c in problem.constraints]
    counts: dict[str, int] = {}
    for lab in own:
        if lab:
            counts[str(lab)] = counts.get(str(lab), 0) + 1
    taken: set[str] = set()
    for i, (c, lab) in enumerate(zip(problem.constraints, own, strict=True)):
        default = f"constraint[{i}]"
        name = str(lab) if lab else default
        if lab and (counts[name] > 1 or name in taken):
            name = f"{name} ({default})"
        while name in taken:  # a user label spelled like a default one
            name += "'"
        taken.add(name)
        labels[c.id] = name
    return labels


def _cvxpy_dual_factor(constraint: Any, sense: int) -> int:
    """Factor from CVXPY's dual to d(optimal value)/d(rhs) in the objective's sense (``sense`` +1 min, -1 max).

    CVXPY's dual of ``lhs <= rhs`` / ``lhs == rhs`` (stored as ``Inequality(lhs, rhs)`` / ``Equality(lhs, rhs)``;
    ``body >= b`` is stored as ``Inequality(b, body)``) is the multiplier ``y`` of ``min s*f + y*(lhs - rhs)``, with
    ``y >= 0`` for inequalities, whatever the solver.  So d(value)/d(constant on the right) = ``-s*y`` and
    d(value)/d(constant on the left) = ``+s*y``.  The "rhs" of a constraint is its constant side (``x + y >= 4``:
    4, stored left -> ``+s``); with variables on both sides it is the right one (``body <= rhs`` -> ``-s``).
    ``NonNeg(e)`` is ``e >= 0`` (``+s``), ``NonPos(e)`` ``e <= 0`` and ``Zero(e)`` ``e == 0`` (``-s``).  Cone
    constraints (SOC, PSD, exponential, power) have no scalar rhs: their duals are CVXPY's own (factor 1).
    """
    import cvxpy as cp
    from cvxpy.constraints import NonNeg, NonPos, Zero

    if isinstance(constraint, cp.constraints.Inequality | cp.constraints.Equality):
        lhs, rhs = constraint.args
        return sense if lhs.is_constant() and not rhs.is_constant() else -sense
    if isinstance(constraint, NonNeg):
        return sense
    if isinstance(constraint, NonPos | Zero):
        return -sense
    return 1


def cvxpy_duals(problem: Any) -> dict[str, Any]:
    """The duals of a solved ``problem`` in the one convention, keyed by :func:`cvxpy_dual_labels`.  A vector or
    matrix constraint keeps a numpy array (``SolveResult.to_dict`` turns it into lists)."""
    import cvxpy as cp
    import numpy as np

    sense = -1 if isinstance(problem.objective, cp.Maximize) else 1
    labels = cvxpy_dual_labels(problem)
    out: dict[str, Any] = {}
    for c in problem.constraints:
        val = c.dual_value
        if val is None:
            continue
        factor = _cvxpy_dual_factor(c, sense)
        if isinstance(val, list):  # e.g. SOC: one array per argument
            out[labels[c.id]] = [factor * np.asarray(v) for v in val]
        elif np.ndim(val) == 0:
            out[labels[c.id]] = float(factor * val)
        else:
            out[labels[c.id]] = factor * np.asarray(val)
    return out


def dual_of(result: SolveResult, constraint: Any, problem: Any = None) -> Any:
    """The dual in ``result`` of ``constraint``: a key of ``result.duals``, a Pyomo constraint (its full name), or a
    CVXPY constraint (its label; pass the ``problem`` it was solved in unless the constraint has a unique label)."""
    if isinstance(constraint, str):
        key = constraint
    elif type(constraint).__module__.startswith("pyomo"):
        key = constraint.name
    elif problem is not None:
        key = cvxpy_dual_labels(problem).get(constraint.id)
        if key is None:
            raise KeyError(f"constraint id {constraint.id} is not a constraint of the problem given")
    elif getattr(constraint, "label", None):
        key = str(constraint.label)
    else:
        raise ValueError("dual_of: an unlabelled CVXPY constraint needs the problem it was solved in (problem=...)")
    if key not in result.duals:
        raise KeyError(f"no dual for {key!r} ({result.backend}: {result.message}); known: {sorted(result.duals)[:20]}")
    return result.duals[key]


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
    solver_time = stats.solve_time if stats is not None and stats.solve_time else None
    iterations = getattr(stats, "num_iters", None)
    counts = {"iterations": float(iterations)} if isinstance(iterations, int | float) else {}
    status_map = {
        cp.OPTIMAL: Status.OPTIMAL if (convex or backend.global_optimality) else Status.LOCALLY_OPTIMAL,
        cp.OPTIMAL_INACCURATE: Status.ERROR,  # a point, but not to tolerance: kept as incumbent
        cp.INFEASIBLE: Status.INFEASIBLE,
        cp.INFEASIBLE_INACCURATE: Status.INFEASIBLE,
        cp.UNBOUNDED: Status.UNBOUNDED,
        cp.UNBOUNDED_INACCURATE: Status.UNBOUNDED,
        cp.USER_LIMIT: Status.TIME_LIMIT,
    }
    status = status_map.get(problem.status, Status.ERROR)
    values: dict[str, Any] = {}
    duals: dict[str, Any] = {}
    dual_note = ""
    objective = None
    if status in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL, Status.ERROR, Status.TIME_LIMIT) and problem.status in (
            cp.OPTIMAL, cp.OPTIMAL_INACCURATE, cp.USER_LIMIT):
        values = {v.name(): v.value for v in problem.variables() if v.value is not None}
        if not backend.cvxpy_duals:
            dual_note = backend.no_duals_reason.get(Layer.CVXPY, f"{backend.name}'s CVXPY interface gives none")
        else:
            duals = cvxpy_duals(problem)
            if not duals and problem.constraints:
                dual_note = ("none (a mixed-integer program has no duals)" if problem.is_mixed_integer()
                             else "none returned by the solver")
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
        solve_time=elapsed,
        solver_time=solver_time,
        stats=counts,
        message=f"cvxpy status: {problem.status}" + (f"; duals: {dual_note}" if dual_note and problem.constraints
                                                     else ""),
        log=buf.getvalue() or None,
    )
