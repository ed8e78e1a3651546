"""Swept parameters: ``key=start:stop:num`` (a linspace), ``key=v1,v2,...`` (explicit values) or ``key=v``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from ..io import gamefile


class SweepError(InputError):
    """A sweep specification is malformed or names something the game file does not have."""


def split_key(key: str) -> list[tuple[str, tuple[int, ...]]]:
    """``specialists[0].cost[0][1]`` → ``[("specialists", (0,)), ("cost", (0, 1))]``; raises on malformed keys."""
    return gamefile.split_key(key, SweepError)


def get_dotted(data: dict[str, Any], key: str) -> Any:
    """Value at ``a.b[1].c[0][1]`` in nested dicts and lists; raises :class:`SweepError` naming what is missing."""
    return gamefile.get_dotted(data, key, SweepError)


def set_value(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``a.b[1].c[0][1]`` (any depth of indices) in place; the key must already exist."""
    gamefile.set_dotted(data, key, value, SweepError)


@dataclass(frozen=True)
class ParameterAxis:
    """One swept game-file key and the values it takes, in order."""

    key: str
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        split_key(self.key)
        if not self.values:
            raise SweepError(f"parameter {self.key!r}: needs at least one value")
        if not all(math.isfinite(v) for v in self.values):
            raise SweepError(f"parameter {self.key!r}: values must be finite numbers")

    @classmethod
    def linspace(cls, key: str, start: float, stop: float, num: int) -> ParameterAxis:
        """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (``numpy.linspace``)."""
        if int(num) != num or num < 1:
            raise SweepError(f"parameter {key!r}: number of values must be an integer >= 1, got {num}")
        return cls(key, tuple(float(v) for v in np.linspace(float(start), float(stop), int(num))))

    @property
    def size(self) -> int:
        return len(self.values)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "values": list(self.values)}

    def check_against(self, data: dict[str, Any], *, allow_missing: bool = False) -> None:
        """The key must exist in the game data and hold a number (not a bool, a list or a table); with
        ``allow_missing`` an absent key passes (a front end with defaults decides)."""
        try:
            current = get_dotted(data, self.key)
        except SweepError:
            if allow_missing:
                return
            raise
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise SweepError(
                f"parameter {self.key!r}: only numeric entries can be swept, the game file has "
                f"{type(current).__name__} {current!r}"
            )


def _number(text: str, key: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SweepError(f"parameter {key!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise SweepError(f"parameter {key!r}: {text!r} is not a finite number")
    return value


def parse_axis(spec: str) -> ParameterAxis:
    """Parse ``key=start:stop:num``, ``key=v1,v2,...`` or ``key=v``."""
    key, sep, rhs = spec.partition("=")
    key, rhs = key.strip(), rhs.strip()
    if not sep or not key or not rhs:
        raise SweepError(f"--param {spec!r}: expected KEY=START:STOP:NUM, KEY=V1,V2,... or KEY=V")
    if ":" in rhs:
        pieces = rhs.split(":")
        if len(pieces) != 3:
            raise SweepError(f"parameter {key!r}: range {rhs!r} must be START:STOP:NUM")
        start, stop = _number(pieces[0], key), _number(pieces[1], key)
        try:
            num = int(pieces[2])
        except ValueError:
            raise SweepError(f"parameter {key!r}: NUM in {rhs!r} must be an integer >= 1") from None
        return ParameterAxis.linspace(key, start, stop, num)
    return ParameterAxis(key, tuple(_number(p.strip(), key) for p in rhs.split(",")))
