"""SCIP (``pyscipopt``): MILP, MIQP, SOS1, nonconvex quadratics and small NLPs, all to global
optimality by spatial branch and bound.  Pyomo ``scip_direct``, CVXPY ``SCIP``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .base import Availability, Backend, native_output_silenced, solve_with_cvxpy, solve_with_pyomo_factory
from .capabilities import Capability as C, Layer
from .result import SolveResult
from .scip_direct import compile_program, solve_direct

if TYPE_CHECKING:  # only for annotations: config imports the registry, which imports every backend
    from .config import SolveConfig


class ScipBackend(Backend):
    name = "scip"
    description = "SCIP spatial branch and bound (global)"
    capabilities = {
        Layer.PYOMO: frozenset({C.LP, C.MILP, C.CONVEX_QP, C.MIQP, C.SOS1,
                                C.NONCONVEX_QUADRATIC, C.NLP}),
        Layer.CVXPY: frozenset({C.LP, C.MILP, C.CONVEX_QP, C.MIQP, C.SOC}),
    }
    global_optimality = True
    # Duals: none, said in the result's message.  Pyomo's scip_direct cannot import a dual suffix even for an LP
    # (its solution loader has no get_duals: NotImplementedError, Pyomo 6.10).  CVXPY's SCIP interface returns
    # duals only for a continuous LP (presolve off), and those are wrong for a row SCIP treats as a variable bound
    # (measured: min 2x+3y+z with x <= 3 binding, shadow price -2, came back 0); none for a QP or MIP.
    pyomo_duals = False
    cvxpy_duals = False
    no_duals_reason = {
        Layer.PYOMO: "not available: ftgames' direct SCIP path reads none and Pyomo's scip_direct interface cannot "
                     "import them (use highs or ipopt)",
        Layer.CVXPY: "not available: CVXPY's SCIP interface gives none for QPs/MIPs and unreliable ones for LPs "
                     "(use HIGHS or CLARABEL)",
    }

    def availability(self, layer: Layer | None = None) -> Availability:
        try:
            import pyscipopt  # noqa: F401
        except ImportError as exc:
            return Availability(False, f"pyscipopt not importable ({exc}): pip install pyscipopt")
        return Availability(True)

    @staticmethod
    def _params(config: SolveConfig) -> dict[str, Any]:
        params: dict[str, Any] = {"limits/gap": config.mip_gap, "numerics/feastol": max(config.tolerance, 1e-9),
                                  # Pyomo captures SCIP's output through a pipe while SCIP holds the GIL: a log
                                  # longer than the pipe buffer deadlocks the solve, so stay silent unless asked,
                                  # and when asked leave out the per-node lines that make long logs long
                                  "display/verblevel": 4 if config.log else 0}
        if config.log:
            params["display/freq"] = -1
        if config.time_limit is not None:
            params["limits/time"] = float(config.time_limit)
        if config.threads is not None:
            params["parallel/maxnthreads"] = config.threads
        return params

    def solve_pyomo(self, model: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        """A model of linear and quadratic terms and SOS1 sets goes to ``pyscipopt`` directly (:mod:`.scip_direct`,
        same answer, about 3 ms less per solve) unless its log is asked for; anything else through Pyomo's
        interface."""
        return self._solve(model, config, convex=convex, formulation=formulation,
                           interface="scip_direct" if config.log else _register_quiet_scip())

    def persistent_pyomo(self, config: SolveConfig) -> Any:
        """Pyomo's ``scip_persistent`` (SCIP's output hidden unless a log is asked for): the SCIP model is built
        once; a re-solve frees the transformed problem, pushes the changed coefficients and optimizes again."""
        import pyomo.environ as pyo

        return pyo.SolverFactory("scip_persistent" if config.log else _register_quiet_scip_persistent())

    def solve_pyomo_persistent(self, opt: Any, model: Any, config: SolveConfig, *, convex: bool,
                               formulation: str) -> SolveResult:
        """The direct path too where it applies: writing a small model into a new SCIP model costs less than
        Pyomo's change tracking of the kept one (which is then left unused)."""
        return self._solve(model, config, convex=convex, formulation=formulation, interface="scip_persistent",
                           opt=opt)

    def _solve(self, model: Any, config: SolveConfig, *, convex: bool, formulation: str, interface: str,
               opt: Any = None) -> SolveResult:
        """The direct path where it reads the model, else Pyomo's ``interface`` with ranged rows split."""
        program = None if config.log else compile_program(model)
        if program is not None:
            return solve_direct(self, model, program, config, self._params(config), formulation=formulation)
        with one_sided_ranges(model):
            return solve_with_pyomo_factory(self, interface, model, config, self._params(config), convex=convex,
                                            formulation=formulation, opt=opt)

    def solver_stats(self, opt: Any) -> dict[str, float]:
        """Nodes, LP iterations and SCIP's gap |primal − dual| / min(|primal|, |dual|) from the pyscipopt model."""
        scip = opt._solver_model
        return {"nodes": scip.getNNodes(), "iterations": scip.getNLPIterations(), "gap": scip.getGap()}

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        return solve_with_cvxpy(self, "SCIP", problem, config, {"scip_params": self._params(config)},
                                convex=convex, formulation=formulation)


@contextmanager
def one_sided_ranges(model: Any) -> Iterator[None]:
    """Each active ranged row ``lb <= body <= ub`` of ``model`` handed to Pyomo's SCIP interface as two one-sided
    rows for the duration of the block.  Pyomo 6.10 writes a ranged row as ``lb <= (body <= ub)``; pyscipopt moves
    the body's constant to the right-hand side only, so the lower side comes out shifted by that constant (``1 <=
    x - 0.25 <= 3`` gave ``x = 1``, not 1.25: a wrong "optimal").  :mod:`.scip_direct` writes both sides itself."""
    import pyomo.environ as pyo
    from pyomo.common.modeling import unique_component_name

    ranged = [c for c in model.component_data_objects(pyo.Constraint, active=True, descend_into=True)
              if not c.equality and c.lower is not None and c.upper is not None]
    if not ranged:
        yield
        return
    name = unique_component_name(model, "ftgames_one_sided_ranges")
    rows = pyo.ConstraintList()
    model.add_component(name, rows)
    for c in ranged:
        c.deactivate()
        rows.add(c.body >= c.lower)
        rows.add(c.body <= c.upper)
    try:
        yield
    finally:
        model.del_component(name)
        for c in ranged:
            c.activate()


QUIET_SCIP = "ftgames_scip_quiet"


class _Quiet:
    """The pyscipopt model, except that ``hideOutput`` always hides and ``optimize`` writes nowhere."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def hideOutput(self, quiet: bool = True) -> None:  # noqa: N802 - pyscipopt's name
        self._model.hideOutput(True)

    def optimize(self) -> None:
        """Solve with native output silenced: what bypasses SCIP's message handler (SoPlex's "cannot set feasibility
        tolerance ... without GMP", printed thousands of times on some nonconvex programs) then cannot fill Pyomo's
        capture pipe and block the solve."""
        with native_output_silenced():
            self._model.optimize()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


def _register_quiet_scip() -> str:
    """Pyomo's ``scip_direct`` unmutes SCIP (``hideOutput(quiet=False)``) and captures its file descriptor through a
    pipe while ``optimize()`` holds the GIL: anything SCIP prints beyond the pipe's buffer (warnings print whatever
    ``display/verblevel`` says) blocks the solve forever.  This variant keeps SCIP's message handler quiet, so
    nothing is written; it is used whenever no log is asked for."""
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo.contrib.solver.solvers.scip.scip_direct import ScipDirect

    if QUIET_SCIP in SolverFactory:
        return QUIET_SCIP

    class QuietScipDirect(ScipDirect):
        def _create_solver_model(self, model: Any, config: Any) -> Any:
            scip_model, loader, has_obj = super()._create_solver_model(model, config)
            return _Quiet(scip_model), loader, has_obj

    SolverFactory.register(name=QUIET_SCIP, legacy_name=QUIET_SCIP, doc="scip_direct with SCIP's output hidden")(
        QuietScipDirect)
    return QUIET_SCIP


QUIET_SCIP_PERSISTENT = "ftgames_scip_persistent_quiet"


def _register_quiet_scip_persistent() -> str:
    """``scip_persistent`` with SCIP's message handler kept quiet, for the reason given in
    :func:`_register_quiet_scip`."""
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo.contrib.solver.solvers.scip.scip_persistent import ScipPersistent

    if QUIET_SCIP_PERSISTENT in SolverFactory:
        return QUIET_SCIP_PERSISTENT

    class QuietScipPersistent(ScipPersistent):
        def set_instance(self, pyomo_model: Any, **kwds: Any) -> None:
            super().set_instance(pyomo_model, **kwds)
            self._solver_model = _Quiet(self._solver_model)

    SolverFactory.register(name=QUIET_SCIP_PERSISTENT, legacy_name=QUIET_SCIP_PERSISTENT,
                           doc="scip_persistent with SCIP's output hidden")(QuietScipPersistent)
    return QUIET_SCIP_PERSISTENT
