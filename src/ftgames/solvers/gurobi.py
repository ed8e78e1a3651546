"""Gurobi (optional extra ``ftgames[gurobi]``; the pip licence is size-limited).  Pyomo ``gurobi_direct``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Availability, Backend, solve_with_cvxpy, solve_with_pyomo_factory
from .capabilities import Capability as C, Layer
from .result import SolveResult

if TYPE_CHECKING:  # only for annotations: config imports the registry, which imports every backend
    from .config import SolveConfig

_CAPS = frozenset({C.LP, C.MILP, C.CONVEX_QP, C.MIQP, C.SOS1, C.NONCONVEX_QUADRATIC, C.SOC})


class GurobiBackend(Backend):
    name = "gurobi"
    description = "Gurobi branch and bound (optional, size-limited licence)"
    capabilities = {Layer.PYOMO: _CAPS, Layer.CVXPY: _CAPS - {C.SOS1, C.NONCONVEX_QUADRATIC}}
    global_optimality = True
    # Duals: Gurobi's ``Pi`` (Pyomo gurobi_direct) is >= 0 on a >= row and <= 0 on a <= row of a minimization, the
    # reverse for a maximization (Gurobi reference manual, "Pi"): already d(value)/d(rhs) in the objective's sense.
    # From the documentation only (gurobipy is not installed here).  Linear rows of a QCP need QCPDual=1.
    pyomo_dual_sign = {"min": 1, "max": 1}

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
