"""Revenue-sharing contracts of the openness game: G's share δ(ω, α1), agreed before G releases its model.

A contract has one **level** ℓ, the number bargaining chooses (``bargaining.delta`` in a game file), and a shape
fixed by the file.  G receives ``generalist_revenue(ω, α0, α1, ℓ, R)``, D the rest of R(α1).

    constant             δ = ℓ                                       (the paper's scalar share; the default)
    linear_in_openness   δ(ω) = ℓ + slope·ω                          (slope < 0: a royalty that falls with openness)
    two_part             G gets baseline·R(α0) + ℓ·(R(α1) − R(α0))   (a share of the baseline revenue and a share
                                                                      ℓ of what D's fine-tuning adds)
    custom               any callable f(ω, α1) or f(ω, α1, ℓ) with values in [0, 1]

For the named families D's marginal revenue is (1 − s(ω)) R'(α1) with s(ω) = ``marginal_share(ω, ℓ)``, so D's
problem keeps its closed form (or its concave first-order condition).  A custom contract may depend on α1 in any way:
D's problem is then solved numerically and is not assumed concave.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError


class ContractError(InputError):
    """A malformed contract; the message names the key and the allowed range."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


def _in_range(name: str, value: Any, low: float, high: float, why: str = "") -> float:
    """``value`` as a float in [low, high], else a :class:`ContractError` naming ``bargaining.contract.<name>``."""
    key = f"bargaining.contract.{name}"
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer) or not math.isfinite(
            float(value)):
        raise ContractError(f"{key} must be a finite real number, got {value!r}", key)
    if not low <= float(value) <= high:
        raise ContractError(f"{key} must be in [{low:g}, {high:g}]{why}, got {float(value):g}", key)
    return float(value)


class NamedFamily:
    """A named family with parameters ``PARAMS`` (the contracts here and the openness model's terms): its values and
    a one-line description."""

    family: ClassVar[str] = ""
    formula: ClassVar[str] = ""
    PARAMS: ClassVar[dict[str, Any]] = {}

    def params(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in self.PARAMS}

    def describe(self) -> str:
        values = ", ".join(f"{k}={v:g}" for k, v in self.params().items())
        return f"{self.family}: {self.formula}" + (f" with {values}" if values else "")


@dataclass(frozen=True)
class ConstantShare(NamedFamily):
    """δ = ℓ."""

    family: ClassVar[str] = "constant"
    PARAMS: ClassVar[dict[str, float]] = {}
    formula: ClassVar[str] = "δ = level"
    separable: ClassVar[bool] = True  # D's marginal share does not depend on α1
    constant_marginal: ClassVar[bool] = True  # ... nor on ω

    def level_range(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def marginal_share(self, omega: Any, level: Any) -> Any:
        return level + 0.0 * omega

    def generalist_revenue(self, omega: Any, alpha0: float, alpha1: Any, level: Any, revenue: Any,
                           ops: Any = None) -> Any:
        return level * (revenue(alpha1) if ops is None else revenue(alpha1, ops=ops))


@dataclass(frozen=True)
class LinearInOpennessShare(ConstantShare):
    """δ(ω) = ℓ + slope·ω; the level's range keeps δ(ω) in [0, 1] for every ω in [0, 1]."""

    family: ClassVar[str] = "linear_in_openness"
    PARAMS: ClassVar[dict[str, float]] = {"slope": 0.0}
    formula: ClassVar[str] = "δ(ω) = level + slope·ω"
    constant_marginal: ClassVar[bool] = False
    slope: float = 0.0

    def __post_init__(self) -> None:
        _in_range("slope", self.slope, -1.0, 1.0, " (δ(ω) must stay in [0, 1])")

    def level_range(self) -> tuple[float, float]:
        return (max(0.0, -self.slope), min(1.0, 1.0 - self.slope))

    def marginal_share(self, omega: Any, level: Any) -> Any:
        return level + self.slope * omega

    def generalist_revenue(self, omega: Any, alpha0: float, alpha1: Any, level: Any, revenue: Any,
                           ops: Any = None) -> Any:
        value = revenue(alpha1) if ops is None else revenue(alpha1, ops=ops)
        return (level + self.slope * omega) * value


@dataclass(frozen=True)
class TwoPartShare(ConstantShare):
    """G gets baseline·R(α0) + ℓ·(R(α1) − R(α0)): a share of the baseline's revenue and ℓ of the improvement."""

    family: ClassVar[str] = "two_part"
    PARAMS: ClassVar[dict[str, float]] = {"baseline": 0.5}
    formula: ClassVar[str] = "G gets baseline·R(α0) + level·(R(α1) − R(α0))"
    baseline: float = 0.5

    def __post_init__(self) -> None:
        _in_range("baseline", self.baseline, 0.0, 1.0)

    def generalist_revenue(self, omega: Any, alpha0: float, alpha1: Any, level: Any, revenue: Any,
                           ops: Any = None) -> Any:
        at = (lambda a: revenue(a)) if ops is None else (lambda a: revenue(a, ops=ops))
        base = at(alpha0)
        return self.baseline * base + level * (at(alpha1) - base)


@dataclass(frozen=True)
class CustomContract:
    """Any callable δ = f(ω, α1) or f(ω, α1, level) with values in [0, 1] (checked on a grid).  D's problem is then
    solved numerically (a dense grid of steps refined by golden section: not a proof), and the KKT formulation
    needs f written with plain arithmetic (and ``ops.exp``/``ops.log`` through an ``ops`` keyword)."""

    function: Callable[..., Any]
    name: str = "custom"
    family: ClassVar[str] = "custom"
    formula: ClassVar[str] = "user callable δ(ω, α1)"
    separable: ClassVar[bool] = False
    constant_marginal: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if not callable(self.function):
            raise ContractError(f"bargaining.contract: a custom contract must be callable, got "
                                f"{type(self.function).__name__}", "bargaining.contract")
        try:
            positional = [p for p in inspect.signature(self.function).parameters.values()
                          if p.name != "ops" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            positional = []
        if len(positional) not in (2, 3):
            raise ContractError("bargaining.contract: a custom contract takes (omega, alpha1) or "
                                "(omega, alpha1, level)", "bargaining.contract")

    @property
    def takes_level(self) -> bool:
        return len([p for p in inspect.signature(self.function).parameters.values()
                    if p.name != "ops" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]) == 3

    @property
    def takes_ops(self) -> bool:
        return "ops" in inspect.signature(self.function).parameters

    def level_range(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def share(self, omega: Any, alpha1: Any, level: Any, ops: Any = None) -> Any:
        args = (omega, alpha1, level) if self.takes_level else (omega, alpha1)
        return self.function(*args, ops=ops) if self.takes_ops and ops is not None else self.function(*args)

    def generalist_revenue(self, omega: Any, alpha0: float, alpha1: Any, level: Any, revenue: Any,
                           ops: Any = None) -> Any:
        value = revenue(alpha1) if ops is None else revenue(alpha1, ops=ops)
        return self.share(omega, alpha1, level, ops) * value

    def check(self, alpha0: float, level: float) -> None:
        """δ must be finite and in [0, 1] on a grid of (ω, α1 ∈ [α0, α0 + 10])."""
        omega, alpha1 = np.meshgrid(np.linspace(0.0, 1.0, 11), alpha0 + np.linspace(0.0, 10.0, 21))
        try:
            values = np.broadcast_to(np.asarray(self.share(omega, alpha1, level), dtype=float), omega.shape)
        except Exception as exc:  # the user's callable: report what it raised, as an input error
            raise ContractError(f"bargaining.contract: the custom contract failed on arrays of (ω, α1) "
                                f"({type(exc).__name__}: {exc})", "bargaining.contract") from None
        bad = ~np.isfinite(values) | (values < -1e-12) | (values > 1.0 + 1e-12)
        if bad.any():
            i = np.argwhere(bad)[0]
            raise ContractError(f"bargaining.contract: δ(ω, α1) must be in [0, 1], got {values[tuple(i)]:g} at "
                                f"ω = {omega[tuple(i)]:g}, α1 = {alpha1[tuple(i)]:g}", "bargaining.contract")

    def params(self) -> dict[str, float]:
        return {}

    def describe(self) -> str:
        return f"custom: {self.name}"


CONTRACTS: dict[str, type] = {"constant": ConstantShare, "linear_in_openness": LinearInOpennessShare,
                              "two_part": TwoPartShare}


def make_contract(table: Any) -> Any:
    """A contract from a game-file value: a family name, or a table ``{"family": name, **params}``."""
    if isinstance(table, str):
        table = {"family": table}
    if not isinstance(table, dict):
        raise ContractError(f"bargaining.contract must be a family name or a table with 'family', got {table!r}",
                            "bargaining.contract")
    table = dict(table)
    family = table.pop("family", "constant")
    if family not in CONTRACTS:
        raise ContractError(f"bargaining.contract.family: unknown contract {family!r}; valid: "
                            f"{', '.join(CONTRACTS)}", "bargaining.contract.family")
    cls = CONTRACTS[family]
    unknown = sorted(set(table) - set(cls.PARAMS))
    if unknown:
        valid = ", ".join(cls.PARAMS) or "none"
        raise ContractError(f"bargaining.contract.{unknown[0]}: unknown parameter for contract {family!r}; valid: "
                            f"{valid}", f"bargaining.contract.{unknown[0]}")
    return cls(**table)
