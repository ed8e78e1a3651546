"""Backend lookup and the capability check made before anything is built."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InputError, SolveError
from .base import Backend
from .capabilities import Capability, Layer


class CapabilityError(InputError):
    """The chosen backend cannot solve what the formulation needs."""


class BackendUnavailable(SolveError):
    """The chosen backend is not installed or not built on this machine."""


def _all_backends() -> dict[str, Backend]:
    from .clarabel import ClarabelBackend
    from .gurobi import GurobiBackend
    from .highs import HighsBackend
    from .ipopt import IpoptBackend
    from .scip import ScipBackend
    from .scs import ScsBackend

    return {b.name: b for b in (IpoptBackend(), HighsBackend(), ScipBackend(), ClarabelBackend(), ScsBackend(),
                                GurobiBackend())}


BACKENDS: dict[str, Backend] = _all_backends()


def backend_names() -> list[str]:
    return list(BACKENDS)


def get_backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        raise CapabilityError(f"solver: unknown backend {name!r}; valid: {', '.join(BACKENDS)}") from None


def capable_backends(layer: Layer, requires: Iterable[Capability], *, available_only: bool = True) -> list[str]:
    req = frozenset(requires)
    return [n for n, b in BACKENDS.items()
            if b.supports(layer, req) and (not available_only or b.availability(layer).available)]


def check_backend(name: str, layer: Layer | str, requires: Iterable[Capability], formulation: str = "",
                  source: str = "") -> Backend:
    """Fail before any model is built if backend ``name`` cannot take a ``layer`` program needing ``requires``;
    ``source`` (who chose the backend: a flag, the environment variable, a file key) starts the error message."""
    layer = Layer(layer)
    req = frozenset(requires)
    backend = get_backend(name)
    what = f"formulation {formulation!r}" if formulation else "this program"
    if not backend.supports(layer, req):
        missing = sorted(req - backend.capabilities.get(layer, frozenset()))
        alternatives = capable_backends(layer, req)
        raise CapabilityError(
            f"{source + ': ' if source else ''}solver {name!r} cannot solve {what}: it needs {', '.join(sorted(req))} "
            f"on {layer}, and {name} lacks "
            f"{', '.join(missing) if layer in backend.capabilities else 'a ' + str(layer) + ' interface'}; "
            f"backends that would work: {', '.join(alternatives) or 'none available'}"
        )
    avail = backend.availability(layer)
    if not avail.available:
        prefix = f"{source}: " if source else ""
        raise BackendUnavailable(f"{prefix}solver {name!r} is not available: {avail.reason}")
    return backend
