"""A proof that a regime's optimum over ω found on a grid is global: interval branch and bound on G's payoff.

For forms without the V‴ ≥ 0 structure (a share that slides with ω, custom benefit, leak or compliance terms) the
enumeration finds each regime's optimum on a grid refined by golden section.  This module proves it, or says it
cannot: G's payoff V(ω) = U_G(ω, Δ*(ω)) − cost(ω) is evaluated over a box X = [a, b] of ω in interval arithmetic with
a first derivative (forward mode), and bounded above by the mean-value form

    V(X) ⊆ V(c) + V′(X)·(X − c),   c the box's midpoint,

whose overestimate shrinks with the square of the box's width near a smooth maximum.  Boxes whose bound is below the
best value found (plus a tolerance) are discarded, the others bisected; when none is left the best value is the
maximum to that tolerance (midpoints that beat it replace it: the grid's answer is improved, not only checked).

The terms are evaluated through their ``ops`` namespace (``exp``, ``log``), so named families and custom callables
written with arithmetic and ``ops`` work; anything else (numpy calls on the argument, D's follower without a closed
form) raises inside the evaluation and the proof is declined.  Rounding is not directed, so the tolerance
(:data:`TOLERANCE`, relative) also absorbs floating-point error.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np

from ...models.openness import OpennessGame

TOLERANCE = 1e-9
INITIAL_BOXES = 64
MAX_BOXES = 20000
MAX_ROUNDS = 80


class Interval:
    """Arrays of closed intervals [lo, hi] with the arithmetic the terms use."""

    __array_priority__ = 1000  # numpy scalars defer to Interval's reflected operators

    def __init__(self, lo: Any, hi: Any | None = None) -> None:
        self.lo = np.asarray(lo, dtype=float)
        self.hi = self.lo if hi is None else np.asarray(hi, dtype=float)

    @staticmethod
    def of(value: Any) -> Interval:
        return value if isinstance(value, Interval) else Interval(value)

    def __add__(self, other: Any) -> Interval:
        o = Interval.of(other)
        return Interval(self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __sub__(self, other: Any) -> Interval:
        return self + (-Interval.of(other))

    def __rsub__(self, other: Any) -> Interval:
        return Interval.of(other) - self

    def __mul__(self, other: Any) -> Interval:
        o = Interval.of(other)
        with np.errstate(invalid="ignore"):
            products = np.stack([self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi])
        products = np.where(np.isnan(products), 0.0, products)  # 0 · inf: the factor 0 is exact here
        return Interval(products.min(axis=0), products.max(axis=0))

    __rmul__ = __mul__

    def reciprocal(self) -> Interval:
        spans_zero = (self.lo <= 0) & (self.hi >= 0)
        with np.errstate(divide="ignore"):
            lo, hi = 1.0 / self.hi, 1.0 / self.lo
        return Interval(np.where(spans_zero, -np.inf, lo), np.where(spans_zero, np.inf, hi))

    def __truediv__(self, other: Any) -> Interval:
        return self * Interval.of(other).reciprocal()

    def __rtruediv__(self, other: Any) -> Interval:
        return Interval.of(other) * self.reciprocal()

    def __pow__(self, exponent: Any) -> Interval:
        if not isinstance(exponent, int | float) or isinstance(exponent, bool):
            raise TypeError("interval powers need a constant exponent")
        if float(exponent).is_integer() and exponent >= 0:
            n = int(exponent)
            ends = np.stack([self.lo**n, self.hi**n])
            lo, hi = ends.min(axis=0), ends.max(axis=0)
            if n % 2 == 0:  # even powers of an interval spanning 0 start at 0
                lo = np.where((self.lo < 0) & (self.hi > 0), 0.0, lo)
            return Interval(lo, hi)
        base = Interval(np.maximum(self.lo, 0.0), np.maximum(self.hi, 0.0))  # fractional powers: a base >= 0
        with np.errstate(divide="ignore"):
            ends = np.stack([base.lo**exponent, base.hi**exponent])
        return Interval(ends.min(axis=0), ends.max(axis=0))

    def exp(self) -> Interval:
        return Interval(np.exp(self.lo), np.exp(self.hi))

    def log(self) -> Interval:
        with np.errstate(divide="ignore", invalid="ignore"):
            return Interval(np.log(np.maximum(self.lo, 0.0)), np.log(np.maximum(self.hi, 0.0)))


class Dual:
    """A value and its derivative in ω, each an :class:`Interval` (forward-mode differentiation)."""

    __array_priority__ = 1001

    def __init__(self, value: Interval, slope: Interval) -> None:
        self.value, self.slope = value, slope

    @staticmethod
    def of(x: Any) -> Dual:
        return x if isinstance(x, Dual) else Dual(Interval.of(x), Interval(0.0))

    def __add__(self, other: Any) -> Dual:
        o = Dual.of(other)
        return Dual(self.value + o.value, self.slope + o.slope)

    __radd__ = __add__

    def __neg__(self) -> Dual:
        return Dual(-self.value, -self.slope)

    def __sub__(self, other: Any) -> Dual:
        return self + (-Dual.of(other))

    def __rsub__(self, other: Any) -> Dual:
        return Dual.of(other) - self

    def __mul__(self, other: Any) -> Dual:
        o = Dual.of(other)
        return Dual(self.value * o.value, self.slope * o.value + self.value * o.slope)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Dual:
        o = Dual.of(other)
        inverse = o.value.reciprocal()
        return Dual(self.value * inverse, (self.slope - self.value * inverse * o.slope) * inverse)

    def __rtruediv__(self, other: Any) -> Dual:
        return Dual.of(other) / self

    def __pow__(self, exponent: Any) -> Dual:
        if exponent == 0:
            return Dual(Interval(np.ones_like(self.value.lo)), Interval(np.zeros_like(self.value.lo)))
        return Dual(self.value**exponent, exponent * self.value ** (exponent - 1) * self.slope)

    def exp(self) -> Dual:
        value = self.value.exp()
        return Dual(value, value * self.slope)

    def log(self) -> Dual:
        return Dual(self.value.log(), self.slope / self.value)


INTERVAL_OPS = SimpleNamespace(exp=lambda x: Dual.of(x).exp(), log=lambda x: Dual.of(x).log())


def _value_over(game: OpennessGame, regime: str, lo: np.ndarray, hi: np.ndarray, level: float) -> Dual:
    """G's payoff and its derivative over the boxes [lo, hi] of ω (closed-form follower only)."""
    omega = Dual(Interval(lo, hi), Interval(np.ones_like(lo)))
    ops = INTERVAL_OPS
    cost = game.fine_tuning_cost
    share = game.contract.marginal_share(omega, level)
    step = ((1.0 - share) * (game.revenue.r / cost.k) / cost.kappa(omega, ops)) ** (1.0 / (cost.k - 1.0))
    alpha1 = step + game.alpha0
    value = (game.contract.generalist_revenue(omega, game.alpha0, alpha1, level, game.revenue, ops=ops)
             + game.benefit(omega, ops=ops) - float(game.production_cost(game.alpha0))
             - game.operation_cost(omega, game.alpha0, ops=ops))
    if regime == "pay":
        return value - game.regulation.penalty
    if game.regulation.theta > 0.0:
        return value - game.compliance_cost(omega, ops=ops)
    return value


def verified_max(game: OpennessGame, regime: str, lo: float, hi: float, level: float, omega: float,
                 value: Any) -> tuple[float, bool]:
    """(ω, proved): the best ω of [lo, hi] found (``omega`` or a better point met on the way) and whether no point
    of [lo, hi] beats its value by more than :data:`TOLERANCE` (relative).  ``value(ω array)`` evaluates G's
    payoff exactly at points."""
    if not game.closed_form_follower or hi <= lo:
        return omega, hi <= lo
    best_omega, best = omega, float(value(np.array([omega]))[0])
    edges = np.linspace(lo, hi, INITIAL_BOXES + 1)
    a, b = edges[:-1], edges[1:]
    for _ in range(MAX_ROUNDS):
        try:
            bound = _value_over(game, regime, a, b, level)
        except Exception:  # noqa: BLE001 - a term that intervals cannot evaluate: no proof
            return best_omega, False
        middle = 0.5 * (a + b)
        at_middle = np.asarray(value(middle), dtype=float)
        if at_middle.size and np.nanmax(at_middle) > best:
            index = int(np.nanargmax(at_middle))
            best_omega, best = float(middle[index]), float(at_middle[index])
        spread = bound.slope * Interval(a - middle, b - middle)
        upper = np.minimum(at_middle + spread.hi, bound.value.hi)  # mean-value form, or the plain bound if tighter
        upper = np.where(np.isnan(upper), np.inf, upper)
        keep = upper > best + TOLERANCE * max(1.0, abs(best))
        if not keep.any():
            return best_omega, True
        a, b = a[keep], b[keep]
        if len(a) * 2 > MAX_BOXES or not math.isfinite(float(np.max(b - a))):
            return best_omega, False
        middle = 0.5 * (a + b)
        a, b = np.concatenate([a, middle]), np.concatenate([middle, b])
    return best_omega, False
