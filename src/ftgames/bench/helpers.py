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


def not_applicable_errors() -> tuple[type[BaseException], ...]:
    """Exceptions meaning "this formulation/backend does not apply to this instance" (not a failure)."""
    from ..solvers import BackendUnavailable, CapabilityError

    errors: list[type[BaseException]] = [CapabilityError, BackendUnavailable]
    for module, name in (("ftgames.models.costs", "ModelError"), ("ftgames.formulations.bilevel", "BilevelError")):
        cls = getattr(discover(module, name)[0], name, None)
        if cls is not None:
            errors.append(cls)
    return tuple(errors)


def guarded(run: Callable[[float], Any]) -> Callable[[float], Any]:
    """Wrap a case's run: a capability/applicability error becomes a ``not_applicable`` outcome with its message,
    a :class:`~ftgames.solvers.SolveFailed` a ``time_limit`` or ``error`` outcome."""
    from ..solvers import SolveFailed
    from .case import RunOutcome

    def wrapper(time_limit: float) -> Any:
        start = time.perf_counter()
        try:
            return run(time_limit)
        except not_applicable_errors() as exc:
            return RunOutcome("not_applicable", "none", solve_time=time.perf_counter() - start,
                              message=f"{type(exc).__name__}: {exc}")
        except SolveFailed as exc:  # a failed solve raised by a formulation: keep its status
            status = "time_limit" if "'time_limit'" in str(exc) else "error"
            return RunOutcome(status, "none", solve_time=time.perf_counter() - start, message=str(exc))

    return wrapper
