"""Clarabel interior-point conic solver through CVXPY: LP, QP, second-order and exponential cones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Availability, Backend, solve_with_cvxpy
from .capabilities import Capability as C, Layer
from .result import SolveResult

if TYPE_CHECKING:  # only for annotations: config imports the registry, which imports every backend
    from .config import SolveConfig


class ClarabelBackend(Backend):
    name = "clarabel"
    description = "Clarabel conic interior point (convex)"
    capabilities = {Layer.CVXPY: frozenset({C.LP, C.CONVEX_QP, C.SOC, C.EXP_CONE})}
    global_optimality = True  # convex programs only
    cvxpy_duals = True  # CVXPY's convention (measured on LP and QP), converted in base.cvxpy_duals

    def availability(self, layer: Layer | None = None) -> Availability:
        try:
            import clarabel  # noqa: F401
        except ImportError as exc:
            return Availability(False, f"clarabel not importable ({exc}): pip install clarabel")
        return Availability(True)

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        opts: dict[str, Any] = {"tol_gap_abs": config.tolerance, "tol_gap_rel": config.tolerance,
                                "tol_feas": config.tolerance}
        if config.time_limit is not None:
            opts["time_limit"] = float(config.time_limit)
        return solve_with_cvxpy(self, "CLARABEL", problem, config, opts, convex=True, formulation=formulation)
