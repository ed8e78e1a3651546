"""Complementarity encodings: one module per mode, each with the same small interface.

Every module defines

* ``NAME``, ``OPTIONS`` (the keyword options it reads; others are refused) and ``EXACT`` (True: a global optimum
  of the encoded program is a global optimum of the KKT program; big-M is exact only with proven M values, which
  its report says),
* ``requires(options) -> set[Capability]``: what the encoded program needs beyond the KKT system itself,
* ``add_complementarity(model, pairs, options) -> EncodingReport``: write ``0 <= mu ⊥ slack >= 0`` for ``pairs``.

``strong_duality`` works on a follower's whole KKT system and ``enumeration`` / ``product`` (homotopy) also drive
their own solves; :mod:`ftgames.formulations.bilevel.solve` dispatches to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

ENCODINGS = ("sos1", "bigm", "indicator", "product", "strong_duality", "enumeration", "mixed")


@dataclass
class BigMValue:
    """The two big-M constants of one complementarity pair and where they came from."""

    pair: str
    multiplier_m: float
    slack_m: float
    #: proven: "bound" (interval arithmetic), "dual_vertex" (a linear follower's dual vertices), "tightened" (an LP
    #: over the relaxation), "trusted_hint"; unproven: "hint", "default", "enlarged" (bigm="auto" grew it)
    multiplier_source: str
    slack_source: str

    @property
    def proven(self) -> bool:
        return self.multiplier_source in PROVEN_SOURCES and self.slack_source in PROVEN_SOURCES


PROVEN_SOURCES = ("bound", "dual_vertex", "tightened", "trusted_hint")


@dataclass
class EncodingReport:
    """What an encoding wrote.  ``exact`` is False when the encoded program may cut off KKT points."""

    encoding: str
    exact: bool
    pairs: list[str] = field(default_factory=list)
    bigm: list[BigMValue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    def merge(self, other: EncodingReport) -> None:
        self.exact = self.exact and other.exact
        self.pairs += other.pairs
        self.bigm += other.bigm
        self.notes += other.notes
        self.extras.update(other.extras)


def encoding_module(name: str) -> Any:
    """The module implementing encoding ``name``."""
    if name not in ENCODINGS:
        from ..interface import BilevelError

        raise BilevelError(f"encoding: unknown encoding {name!r}; valid: {', '.join(ENCODINGS)}")
    return import_module(f"{__name__}.{name}")
