"""Cost and revenue families of the fine-tuning game (numpy only).

``PolynomialCost``  φ(x) = c·x^k + b·x   on x ≥ 0   (c > 0, k > 1, b ≥ 0): convex, increasing, φ(0) = 0.
``PowerRevenue``    r(α) = r·α^ρ          on α ≥ 0   (r > 0, 0 < ρ ≤ 1): concave, non-decreasing; ρ = 1 is linear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InputError


class ModelError(InputError):
    """A model parameter is out of its allowed range (the message names the parameter and the range)."""


def check_number(name: str, value: float, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as float or raise :class:`ModelError` naming ``name`` and the allowed range."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be a number, got {value!r}") from None
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    lo_text = "-inf" if low is None else _fmt(low)
    hi_text = "inf" if high is None else _fmt(high)
    rng = f"{'(' if low is None else lo}{lo_text}, {hi_text}{')' if high is None else hi}"
    if not math.isfinite(x):
        raise ModelError(f"{name} must be finite and in {rng}, got {x!r}")
    bad_low = low is not None and (x <= low if low_open else x < low)
    bad_high = high is not None and (x >= high if high_open else x > high)
    if bad_low or bad_high:
        raise ModelError(f"{name} must be in {rng}, got {x!r}")
    return x


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


@dataclass(frozen=True)
class PolynomialCost:
    """φ(x) = c·x^k + b·x for the increment x ≥ 0."""

    coefficient: float
    exponent: float = 2.0
    linear: float = 0.0
    name: str = "cost"

    def __post_init__(self) -> None:
        object.__setattr__(self, "coefficient", check_number(self.name, self.coefficient, low=0, low_open=True))
        object.__setattr__(self, "exponent", check_number(f"{self.name} exponent", self.exponent, low=1,
                                                          low_open=True))
        object.__setattr__(self, "linear", check_number(f"{self.name} linear (marginal) cost", self.linear, low=0))

    def value(self, x: float) -> float:
        x = max(float(x), 0.0)
        return self.coefficient * x ** self.exponent + self.linear * x

    def derivative(self, x: float) -> float:
        x = max(float(x), 0.0)
        return self.coefficient * self.exponent * x ** (self.exponent - 1) + self.linear

    def second_derivative(self, x: float) -> float:
        x = max(float(x), 0.0)
        k = self.exponent
        if x == 0.0 and k < 2:
            return math.inf
        return self.coefficient * k * (k - 1) * x ** (k - 2)

    def inverse_marginal(self, m: float) -> float:
        """The x ≥ 0 with φ'(x) = m, or 0 if m ≤ φ'(0) = b:  x = ((m − b)/(k c))^(1/(k−1))."""
        if m <= self.linear:
            return 0.0
        return ((m - self.linear) / (self.exponent * self.coefficient)) ** (1.0 / (self.exponent - 1.0))

    @property
    def is_quadratic(self) -> bool:
        return self.exponent == 2.0 and self.linear == 0.0


@dataclass(frozen=True)
class PowerRevenue:
    """r(α) = r·α^ρ (linear when ρ = 1)."""

    rate: float
    power: float = 1.0
    name: str = "revenue"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", check_number(self.name, self.rate, low=0, low_open=True))
        object.__setattr__(self, "power", check_number(f"{self.name} power rho", self.power, low=0, high=1,
                                                       low_open=True))

    @property
    def is_linear(self) -> bool:
        return self.power == 1.0

    def value(self, alpha: float) -> float:
        return self.rate * max(float(alpha), 0.0) ** self.power

    def derivative(self, alpha: float) -> float:
        if self.is_linear:
            return self.rate
        a = max(float(alpha), 0.0)
        return math.inf if a == 0.0 else self.rate * self.power * a ** (self.power - 1.0)

    def second_derivative(self, alpha: float) -> float:
        if self.is_linear:
            return 0.0
        a = max(float(alpha), 0.0)
        rho = self.power
        return -math.inf if a == 0.0 else self.rate * rho * (rho - 1.0) * a ** (rho - 2.0)


def LinearRevenue(rate: float, name: str = "revenue") -> PowerRevenue:  # noqa: N802 - a named constructor
    """r(α) = r·α, the paper's revenue (a :class:`PowerRevenue` with ρ = 1)."""
    return PowerRevenue(rate, 1.0, name)
