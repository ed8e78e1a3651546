"""HiGHS (``highspy``): LP, MILP and convex QP.  No MIQP, SOS1 or indicator constraints."""

from __future__ import annotations

import io
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .base import Availability, Backend, native_output_silenced, solve_with_cvxpy, solve_with_pyomo_factory
from .capabilities import Capability as C, Layer
from .highs_direct import compile_program, info_stats, solve_direct
from .result import SolveResult

if TYPE_CHECKING:  # only for annotations: config imports the registry, which imports every backend
    from .config import SolveConfig


class HighsBackend(Backend):
    name = "highs"
    description = "HiGHS simplex / IPM / branch-and-bound"
    capabilities = {
        Layer.PYOMO: frozenset({C.LP, C.MILP, C.CONVEX_QP}),
        Layer.CVXPY: frozenset({C.LP, C.MILP, C.CONVEX_QP}),
    }
    global_optimality = True
    # Duals: HiGHS' row duals (Pyomo ``highs``) are already d(value)/d(rhs) in the objective's sense, min and max
    # alike (measured).  CVXPY's HIGHS interface gives CVXPY's own convention, converted in base.cvxpy_duals.
    # A MIP has no duals: none are asked for (HiGHS would raise NoDualsError).
    pyomo_dual_sign = {"min": 1, "max": 1}

    def availability(self, layer: Layer | None = None) -> Availability:
        try:
            import highspy  # noqa: F401
        except ImportError as exc:
            return Availability(False, f"highspy not importable ({exc}): pip install highspy")
        return Availability(True)

    @staticmethod
    def _options(config: SolveConfig) -> dict[str, Any]:
        opts: dict[str, Any] = {"mip_rel_gap": config.mip_gap, "output_flag": config.log}
        if config.time_limit is not None:
            opts["time_limit"] = float(config.time_limit)
        if config.threads is not None:
            opts["threads"] = config.threads
        return opts

    def solve_pyomo(self, model: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        """An LP, MILP or QP goes to ``highspy`` directly (:mod:`.highs_direct`, same answer, a few ms less per
        solve) unless its log is asked for; anything else (SOS sets, several objectives) through Pyomo's
        interface."""
        return self.solve_pyomo_persistent(None, model, config, convex=convex, formulation=formulation)

    def persistent_pyomo(self, config: SolveConfig) -> Any:
        """Pyomo's ``highs`` interface is persistent: one object keeps the model and pushes only changes."""
        import pyomo.environ as pyo

        return pyo.SolverFactory("highs")

    def solve_pyomo_persistent(self, opt: Any, model: Any, config: SolveConfig, *, convex: bool,
                               formulation: str) -> SolveResult:
        """The direct path too where it applies: reading a small model into arrays again costs less than Pyomo's
        change tracking of the persistent object (which is then left unused).  ``opt`` None: a new interface."""
        arrays = None if config.log else compile_program(model, quadratic=True)
        if arrays is not None:
            return solve_direct(self, model, arrays, config, self._options(config), formulation=formulation)
        with quiet_log_capture():
            return solve_with_pyomo_factory(self, "highs", model, config, self._options(config), convex=convex,
                                            formulation=formulation, opt=opt)

    def solver_stats(self, opt: Any) -> dict[str, float]:
        """Branch-and-bound nodes (MIPs), simplex and barrier iterations, and HiGHS' MIP gap (MIPs only)."""
        return info_stats(opt._solver_model.getInfo())

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        return solve_with_cvxpy(self, "HIGHS", problem, config, self._options(config),
                                convex=convex, formulation=formulation)


@contextmanager
def quiet_log_capture():
    """For the block, make Pyomo's HiGHS interface cheap when nobody reads its log.

    ``pyomo.contrib.solver.solvers.highs`` runs every model load and every solve inside
    ``capture_output(TeeStream(*streams), capture_fd=True)``, which duplicates descriptors and starts reader
    threads: about 3 ms a solve, a tenth of a small bilevel solve (three LP/MIP solves).  Where no one reads the
    output (no tee; the only stream, if any, is the interface's own log buffer; ftgames also sets ``output_flag``
    off), the stand-in points the descriptors at /dev/null instead; with a tee it hands over to Pyomo's capture.
    Pyomo's own function is put back after the block (other callers of Pyomo's HiGHS interface are untouched);
    nothing is replaced if the module no longer has that name."""
    try:
        from pyomo.contrib.solver.solvers import highs as module
    except ImportError:
        module = None
    original = getattr(module, "capture_output", None)
    if original is None:
        yield
        return

    @contextmanager
    def capture_output(output: Any = None, capture_fd: bool = False, **kwargs: Any):
        streams = getattr(output, "ostreams", None)
        if kwargs or streams is None or not all(isinstance(stream, io.StringIO) for stream in streams):
            with original(output=output, capture_fd=capture_fd, **kwargs) as out:
                yield out
            return
        with native_output_silenced():
            yield output

    module.capture_output = capture_output
    try:
        yield
    finally:
        module.capture_output = original


class PersistentLP:
    """One LP held in HiGHS (``highspy``) and re-solved for many objectives: each :meth:`maximize` changes only the
    objective and warm-starts from the previous basis (bound tightening solves dozens of LPs over the same rows).

    ``lower``/``upper``: column bounds (``None`` or ``±inf`` for none); ``rows``: ``(lo, up, columns, coefficients)``.
    """

    def __init__(self, lower: list[float | None], upper: list[float | None],
                 rows: list[tuple[float | None, float | None, list[int], list[float]]],
                 time_limit: float | None = 10.0) -> None:
        import highspy
        import numpy as np

        inf = highspy.kHighsInf

        def finite(value: float | None, default: float) -> float:
            return default if value is None or not np.isfinite(value) else float(value)

        with native_output_silenced():  # highspy prints its banner to stdout when a Highs object is made
            self._highs = highspy.Highs()
        self._highs.setOptionValue("output_flag", False)
        if time_limit is not None:
            self._highs.setOptionValue("time_limit", float(time_limit))
        n = len(lower)
        self.n = n
        empty_i = np.zeros(0, dtype=np.int32)
        self._highs.addCols(n, np.zeros(n), np.array([finite(v, -inf) for v in lower]),
                            np.array([finite(v, inf) for v in upper]), 0, empty_i, empty_i, np.zeros(0))
        if rows:
            starts, index, value = [], [], []
            for _, _, cols, coefs in rows:
                starts.append(len(index))
                index.extend(cols)
                value.extend(coefs)
            self._highs.addRows(len(rows), np.array([finite(r[0], -inf) for r in rows]),
                                np.array([finite(r[1], inf) for r in rows]), len(index),
                                np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32),
                                np.array(value, dtype=float))
        self._highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self._optimal = highspy.HighsModelStatus.kOptimal
        self._all = np.arange(n, dtype=np.int32)
        self.solves = 0

    def maximize(self, columns: list[int], coefficients: list[float]) -> float | None:
        """max sum(coefficients[k] * x[columns[k]]) over the LP; None when it is unbounded, infeasible or fails."""
        import numpy as np

        cost = np.zeros(self.n)
        np.add.at(cost, np.asarray(columns, dtype=np.int64), np.asarray(coefficients, dtype=float))
        self._highs.changeColsCost(self.n, self._all, cost)
        self._highs.run()
        self.solves += 1
        if self._highs.getModelStatus() != self._optimal:
            return None
        return float(self._highs.getInfo().objective_function_value)

    def values(self) -> list[float]:
        """The column values of the last optimal :meth:`maximize`."""
        return [float(v) for v in self._highs.getSolution().col_value]
