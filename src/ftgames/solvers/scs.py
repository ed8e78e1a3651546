"""SCS first-order conic solver through CVXPY: LP, QP, second-order and exponential cones (moderate accuracy)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Availability, Backend, solve_with_cvxpy
from .capabilities import Capability as C, Layer
from .result import SolveResult

if TYPE_CHECKING:  # only for annotations: config imports the registry, which imports every backend
    from .config import SolveConfig


class ScsBackend(Backend):
    name = "scs"
    description = "SCS splitting conic solver (convex, first order)"
    capabilities = {Layer.CVXPY: frozenset({C.LP, C.CONVEX_QP, C.SOC, C.EXP_CONE})}
    global_optimality = True
    cvxpy_duals = True  # CVXPY's convention (measured on LP and QP; first-order accuracy), see base.cvxpy_duals

    def availability(self, layer: Layer | None = None) -> Availability:
        try:
            import scs  # noqa: F401
        except ImportError as exc:
            return Availability(False, f"scs not importable ({exc}): pip install scs")
        return Availability(True)

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        opts: dict[str, Any] = {"eps_abs": config.tolerance, "eps_rel": config.tolerance, "max_iters": 200_000}
        if config.time_limit is not None:
            opts["time_limit_secs"] = float(config.time_limit)
        return solve_with_cvxpy(self, "SCS", problem, config, opts, convex=True, formulation=formulation)
