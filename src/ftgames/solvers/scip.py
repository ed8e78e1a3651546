"""SCIP (``pyscipopt``): MILP, MIQP, SOS1, nonconvex quadratics and small NLPs, all to global
optimality by spatial branch and bound.  Pyomo ``scip_direct``, CVXPY ``SCIP``."""

from __future__ import annotations

from typing import Any

from .base import Availability, Backend, solve_with_cvxpy, solve_with_pyomo_factory
from .capabilities import Capability as C, Layer
from .config import SolveConfig
from .result import SolveResult


class ScipBackend(Backend):
    name = "scip"
    description = "SCIP spatial branch and bound (global)"
    capabilities = {
        Layer.PYOMO: frozenset({C.LP, C.MILP, C.CONVEX_QP, C.MIQP, C.SOS1,
                                C.NONCONVEX_QUADRATIC, C.NLP}),
        Layer.CVXPY: frozenset({C.LP, C.MILP, C.CONVEX_QP, C.MIQP, C.SOC}),
    }
    global_optimality = True
    pyomo_duals = False

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
        return solve_with_pyomo_factory(self, "scip_direct", model, config, self._params(config),
                                        convex=convex, formulation=formulation)

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        return solve_with_cvxpy(self, "SCIP", problem, config, {"scip_params": self._params(config)},
                                convex=convex, formulation=formulation)
