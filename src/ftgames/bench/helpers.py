"""Small helpers for suite files: find another module's public API (or the reason it is missing), time a call."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def discover(module: str, *names: str) -> tuple[Any, str | None]:
    """``(module, None)`` if ``module`` imports and has every name in ``names``; else ``(None, reason)``."""
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - any import failure is a reason to skip
        return None, f"{module} not available ({type(exc).__name__}: {exc})"
    missing = [n for n in names if not hasattr(mod, n)]
    if missing:
        return None, f"{module} has no {', '.join(missing)} yet"
    return mod, None


def timed(func: Callable[[], T]) -> tuple[T, float]:
    """``(func(), seconds)`` measured with ``time.perf_counter``."""
    start = time.perf_counter()
    value = func()
    return value, time.perf_counter() - start


def backend_unavailable(solver: str, layer: str = "pyomo") -> str | None:
    """None if the solver backend can run on the layer here, else the reason."""
    from ..solvers import Layer, get_backend

    try:
        backend = get_backend(solver)
    except Exception as exc:  # noqa: BLE001
        return f"backend {solver}: {exc}"
    availability = backend.availability(Layer(layer))
    return None if availability.available else f"backend {solver} unavailable: {availability.reason}"
