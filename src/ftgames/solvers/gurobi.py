"""Gurobi (optional extra ``ftgames[gurobi]``; the pip licence is size-limited).  Pyomo ``gurobi_direct``."""

from __future__ import annotations

from typing import Any

from .base import Availability, Backend, solve_with_cvxpy, solve_with_pyomo_factory
from .capabilities import Capability as C, Layer
from .config import SolveConfig
from .result import SolveResult

_CAPS = frozenset({C.LP, C.MILP, C.CONVEX_QP, C.MIQP, C.SOS1, C.NONCONVEX_QUADRATIC, C.SOC})


class GurobiBackend(Backend):
    name = "gurobi"
    description = "Gurobi branch and bound (optional, size-limited licence)"
    capabilities = {Layer.PYOMO: _CAPS, Layer.CVXPY: _CAPS - {C.SOS1, C.NONCONVEX_QUADRATIC}}
    global_optimality = True

    def availability(self, layer: Layer | None = None) -> Availability:
        try:
            import gurobipy  # noqa: F401
        except ImportError:
            return Availability(False, "gurobipy not installed: pip install 'ftgames[gurobi]'")
        return Availability(True)

    @staticmethod
    def _options(config: SolveConfig) -> dict[str, Any]:
        opts: dict[str, Any] = {"MIPGap": config.mip_gap, "NonConvex": 2}
        if config.time_limit is not None:
            opts["TimeLimit"] = float(config.time_limit)
        if config.threads is not None:
            opts["Threads"] = config.threads
        return opts

    def solve_pyomo(self, model: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        return solve_with_pyomo_factory(self, "gurobi_direct", model, config, self._options(config),
                                        convex=convex, formulation=formulation)

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        opts = self._options(config)
        opts.pop("NonConvex")
        return solve_with_cvxpy(self, "GUROBI", problem, config, opts, convex=convex, formulation=formulation)
