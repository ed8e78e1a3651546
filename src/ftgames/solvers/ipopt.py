"""Ipopt 3.14 (cyipopt-wheels): Pyomo's ``cyipopt`` interface (needs PyNumero's ASL library) and CVXPY ``IPOPT``.

A local interior-point method: its optimum is global only when the formulation declares the program convex.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import Availability, Backend, solve_with_cvxpy, solve_with_pyomo_factory
from .capabilities import Capability as C, Layer
from .result import SolveResult

if TYPE_CHECKING:  # only for annotations: config imports the registry, which imports every backend
    from .config import SolveConfig

_SMOOTH = frozenset({C.LP, C.CONVEX_QP, C.NONCONVEX_QUADRATIC, C.NLP})


class IpoptBackend(Backend):
    name = "ipopt"
    description = "Ipopt interior point (local NLP)"
    capabilities = {Layer.PYOMO: _SMOOTH, Layer.CVXPY: _SMOOTH | {C.EXP_CONE, C.SOC}}
    global_optimality = False
    # Duals (docs/solvers.md "Duals"): Pyomo's cyipopt interface returns Ipopt's constraint multipliers of the problem
    # it minimizes (f, or -f for a maximization): lambda = -d(min-form value)/d(rhs).  So the native value is the
    # negative of d(value)/d(rhs) for a minimization and equal to it for a maximization (measured: min 2x+3y+z,
    # x+y >= 4 binding with shadow price +4 comes back -4; max 3x+2y, x+y <= 4 with +3 comes back +3).
    pyomo_dual_sign = {"min": -1, "max": 1}
    cvxpy_duals = False  # CVXPY's IPOPT (nlp=True) interface leaves every constraint's dual_value at None
    no_duals_reason = {Layer.CVXPY: "not available: CVXPY's IPOPT interface returns no dual values "
                                    "(use the Pyomo layer for Ipopt duals)"}

    def availability(self, layer: Layer | None = None) -> Availability:
        try:
            import cyipopt  # noqa: F401
        except ImportError as exc:
            return Availability(False, f"cyipopt not importable ({exc}): pip install cyipopt-wheels")
        if layer in (None, Layer.PYOMO):
            from pyomo.contrib.pynumero.asl import AmplInterface

            if not AmplInterface.available():
                return Availability(
                    False, "PyNumero ASL library not built: run `make setup` (scripts/build_pynumero.py)"
                )
        return Availability(True)

    @staticmethod
    def _options(config: SolveConfig) -> dict[str, Any]:
        opts: dict[str, Any] = {"tol": config.tolerance, "print_level": 5 if config.log else 0}
        if config.time_limit is not None:
            opts["max_wall_time"] = float(config.time_limit)
        return opts

    def solve_pyomo(self, model: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        return solve_with_pyomo_factory(self, "cyipopt", model, config, self._options(config),
                                        convex=convex, formulation=formulation)

    def solve_cvxpy(self, problem: Any, config: SolveConfig, *, convex: bool, formulation: str) -> SolveResult:
        opts = self._options(config)
        return solve_with_cvxpy(self, "IPOPT", problem, config, {"nlp": True, **opts},
                                convex=convex, formulation=formulation)
