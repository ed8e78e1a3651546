"""One way to name a formulation, for every game: ``kind[:encoding]``.

Kinds: ``closed_form``, ``enumeration``, ``kkt`` (encodings ``sos1``, ``bigm``, ``indicator``, ``product``,
``strong_duality``), ``kkt_direct`` (the same KKT system written directly in Pyomo), ``conic`` (encodings ``log``,
``geo_mean`` for the Nash product), ``vertices``, ``single_level``, ``frontier``, ``grid``, ``decomposition``.
``kkt`` alone means ``kkt:sos1``.  The same text is accepted by the command line, game files, Python keywords,
benchmarks and JSON; a ``(kind, encoding)`` tuple is accepted in Python.  The old spellings (``kkt_sos1``, ``log``,
...) still parse, with a :class:`DeprecationWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

#: Encoding used when a kind that needs one is named alone.
DEFAULT_ENCODING = {"kkt": "sos1", "kkt_direct": "sos1"}
#: Old spellings → the grammar's.
DEPRECATED = {
    "kkt_sos1": "kkt:sos1", "kkt_bigm": "kkt:bigm", "kkt_indicator": "kkt:indicator", "kkt_product": "kkt:product",
    "kkt_strong_duality": "kkt:strong_duality", "kkt_direct_sos1": "kkt_direct:sos1",
    "kkt_direct_bigm": "kkt_direct:bigm", "log": "conic:log", "geo_mean": "conic:geo_mean",
}


class FormulationError(InputError):
    """A formulation name that does not parse or that the game does not accept."""


@dataclass(frozen=True)
class Formulation:
    """A parsed formulation name."""

    kind: str
    encoding: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.encoding}" if self.encoding else self.kind


def parse_formulation(value: Any, accepted: Iterable[str], *, source: str = "formulation") -> Formulation:
    """Parse ``value`` (``"kind[:encoding]"``, a ``(kind, encoding)`` tuple, or a :class:`Formulation`) and check
    it against ``accepted`` (canonical names); the error names ``source`` and lists what is accepted."""
    accepted = tuple(accepted)
    if isinstance(value, Formulation):
        text = str(value)
    elif isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str | None) for v in value):
        text = f"{value[0]}:{value[1]}" if value[1] else str(value[0])
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise FormulationError(f"{source}: a formulation is a string kind[:encoding], got {value!r}; "
                               f"accepted: {', '.join(accepted)}")
    if text in DEPRECATED:
        new = DEPRECATED[text]
        warnings.warn(f"{source}: formulation {text!r} is deprecated; write {new!r}", DeprecationWarning,
                      stacklevel=3)
        text = new
    kind, colon, encoding = text.partition(":")
    if not encoding and kind in DEFAULT_ENCODING and not colon:
        encoding = DEFAULT_ENCODING[kind]
    parsed = Formulation(kind, encoding or None)
    if str(parsed) not in accepted:
        raise FormulationError(f"{source}: unknown formulation {value!r}; accepted here: {', '.join(accepted)} "
                               "(written kind[:encoding])")
    return parsed
