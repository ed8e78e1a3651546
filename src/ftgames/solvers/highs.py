"""HiGHS (``highspy``): LP, MILP and convex QP.  No MIQP, SOS1 or indicator constraints."""

from __future__ import annotations

from typing import Any

from .base import Availability, Backend, solve_with_cvxpy, solve_with_pyomo_factory
from .capabilities import Capability as C, Layer
from .config import SolveConfig
from .result import SolveResult


class HighsBackend(Backend):
    name = "highs"
    description = "HiGHS simplex / IPM / branch-and-bound"
    capabilities = {
        Layer.PYOMO: frozenset({C.LP, C.MILP, C.CONVEX_QP}),
        Layer.CVXPY: frozenset({C.LP, C.MILP, C.CONVEX_QP}),
    }
    global_optimality = True

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
