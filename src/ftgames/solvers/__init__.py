"""Solver backends: one module per solver, capabilities declared as data, one result type.

>>> from ftgames.solvers import solve, Capability
>>> result = solve(model, requires={Capability.MIQP}, solver="scip")   # doctest: +SKIP
"""

from .base import Availability, Backend, cvxpy_dual_labels, dual_of
from .capabilities import Capability, Layer, layer_of
from .config import ENV_SOLVER, ConfigError, SolveConfig
from .dispatch import solve
from .policy import DEFAULT_POLICY, PolicyRule
from .registry import (
    BACKENDS,
    BackendUnavailable,
    CapabilityError,
    backend_names,
    capable_backends,
    check_backend,
    get_backend,
)
from .result import SolveFailed, SolveResult, Status
from .selection import SolverChoice, explicit_choice, policy_choice, resolve_solver

__all__ = [
    "Availability", "Backend", "cvxpy_dual_labels", "dual_of", "Capability", "Layer", "layer_of", "ConfigError",
    "SolveConfig", "BACKENDS",
    "BackendUnavailable", "CapabilityError", "backend_names", "capable_backends", "check_backend", "get_backend",
    "solve", "SolveFailed", "SolveResult", "Status", "ENV_SOLVER", "DEFAULT_POLICY", "PolicyRule", "SolverChoice",
    "explicit_choice", "policy_choice", "resolve_solver",
]
