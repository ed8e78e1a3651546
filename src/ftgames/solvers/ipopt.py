"""Ipopt 3.14 (cyipopt-wheels): Pyomo's ``cyipopt`` interface (needs PyNumero's ASL library) and CVXPY ``IPOPT``.

A local interior-point method: its optimum is global only when the formulation declares the program convex.
"""

from __future__ import annotations

from typing import Any

from .base import Availability, Backend, solve_with_cvxpy, solve_with_pyomo_factory
from .capabilities import Capability as C, Layer
from .config import SolveConfig
from .result import SolveResult

_SMOOTH = frozenset({C.LP, C.CONVEX_QP, C.NONCONVEX_QUADRATIC, C.NLP})


class IpoptBackend(Backend):
    name = "ipopt"
    description = "Ipopt interior point (local NLP)"
    capabilities = {Layer.PYOMO: _SMOOTH, Layer.CVXPY: _SMOOTH | {C.EXP_CONE, C.SOC}}
    global_optimality = False

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
