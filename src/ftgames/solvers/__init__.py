"""Solver backends: one module per solver, capabilities declared as data, one result type.

>>> from ftgames.solvers import solve, Capability
>>> result = solve(model, requires={Capability.MIQP}, solver="scip")   # doctest: +SKIP
"""

from .base import Availability, Backend
from .capabilities import Capability, Layer, layer_of
from .config import ConfigError, SolveConfig
from .registry import (
    BACKENDS,
    BackendUnavailable,
    CapabilityError,
    backend_names,
    capable_backends,
    check_backend,
    get_backend,
    solve,
)
from .result import SolveFailed, SolveResult, Status

__all__ = [
    "Availability", "Backend", "Capability", "Layer", "layer_of", "ConfigError", "SolveConfig", "BACKENDS",
    "BackendUnavailable", "CapabilityError", "backend_names", "capable_backends", "check_backend", "get_backend",
    "solve", "SolveFailed", "SolveResult", "Status",
]
