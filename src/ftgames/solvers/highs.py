"""HiGHS (``highspy``): LP, MILP and convex QP.  No MIQP, SOS1 or indicator constraints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Availability, Backend, solve_with_cvxpy, solve_with_pyomo_factory
from .capabilities import Capability as C, Layer
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
        return solve_with_pyomo_factory(self, "highs", model, config, self._options(config),
                                        convex=convex, formulation=formulation)

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        return solve_with_cvxpy(self, "HIGHS", problem, config, self._options(config),
                                convex=convex, formulation=formulation)
