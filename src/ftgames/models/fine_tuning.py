"""The fine-tuning game: a generalist G and n domain specialists D_i (δ_i is **G's** share of domain i).

    U_G  = Σ_i δ_i r_i(α_i) − φ0(α0)
    U_Di = (1 − δ_i) r_i(α_i) − φ_i(α_i − α0) − F_i        (if D_i takes part; 0 and α_i = α0 otherwise)

φ0(α0) = c0·α0^k0, φ_i(x) = c_i·x^k_i + b_i·x, r_i(α) = r_i·α^ρ_i.  Defaults (b = F = outside option = 0, ρ = 1,
k = 2) give the paper's quadratic model.  This module only describes and evaluates a game; the programs that solve
its stages live in :mod:`ftgames.formulations`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .costs import ModelError, PolynomialCost, PowerRevenue, check_number


@dataclass(frozen=True)
class Generalist:
    """G: cost coefficient c0 > 0, optional own exponent k0 > 1 (else the game's), outside option."""

    cost: float
    exponent: float | None = None
    outside_option: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "cost", check_number("generalist.cost", self.cost, low=0, low_open=True))
        if self.exponent is not None:
            object.__setattr__(self, "exponent", check_number("generalist.exponent", self.exponent, low=1,
                                                              low_open=True))
        object.__setattr__(self, "outside_option", check_number("generalist.outside_option", self.outside_option))


@dataclass(frozen=True)
class Specialist:
    """D_i: cost c_i > 0, revenue r_i > 0, exponent k_i > 1 (else the game's), marginal cost b_i ≥ 0,
    entry cost F_i ≥ 0, outside option, revenue power ρ_i ∈ (0, 1]."""

    cost: float
    revenue: float = 1.0
    exponent: float | None = None
    marginal_cost: float = 0.0
    entry_cost: float = 0.0
    outside_option: float = 0.0
    revenue_power: float = 1.0
    label: str = ""

    def __post_init__(self) -> None:
        p = self.label or "specialist"
        object.__setattr__(self, "cost", check_number(f"{p}.cost", self.cost, low=0, low_open=True))
        object.__setattr__(self, "revenue", check_number(f"{p}.revenue", self.revenue, low=0, low_open=True))
        if self.exponent is not None:
            object.__setattr__(self, "exponent", check_number(f"{p}.exponent", self.exponent, low=1, low_open=True))
        object.__setattr__(self, "marginal_cost", check_number(f"{p}.marginal_cost", self.marginal_cost, low=0))
        object.__setattr__(self, "entry_cost", check_number(f"{p}.entry_cost", self.entry_cost, low=0))
        object.__setattr__(self, "outside_option", check_number(f"{p}.outside_option", self.outside_option))
        object.__setattr__(self, "revenue_power", check_number(f"{p}.revenue_power", self.revenue_power, low=0,
                                                               high=1, low_open=True))


@dataclass(frozen=True)
class FollowerResponse:
    """D_i's best response to α0: increment Δ = α_i − α0, whether it takes part, its utility."""

    increment: float
    participates: bool
    utility: float


@dataclass(frozen=True)
class FineTuningGame:
    """A validated, immutable fine-tuning game.  ``exponent`` is the default cost exponent k > 1."""

    generalist: Generalist
    specialists: tuple[Specialist, ...]
    exponent: float = 2.0
    _costs: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "exponent", check_number("exponent", self.exponent, low=1, low_open=True))
        if isinstance(self.specialists, Specialist):
            raise ModelError("specialists must be a sequence of Specialist, got a single Specialist")
        specs = tuple(self.specialists)
        if not specs:
            raise ModelError("specialists must hold at least 1 specialist, got 0")
        for i, s in enumerate(specs):
            if not isinstance(s, Specialist):
                raise ModelError(f"specialists[{i}] must be a Specialist, got {type(s).__name__}")
        specs = tuple(s if s.label else _relabel(s, f"specialists[{i}]") for i, s in enumerate(specs))
        object.__setattr__(self, "specialists", specs)
        k0 = self.generalist.exponent or self.exponent
        object.__setattr__(self, "_costs", (
            PolynomialCost(self.generalist.cost, k0, 0.0, "generalist.cost"),
            tuple(PolynomialCost(s.cost, s.exponent or self.exponent, s.marginal_cost, f"{s.label}.cost")
                  for s in specs),
            tuple(PowerRevenue(s.revenue, s.revenue_power, f"{s.label}.revenue") for s in specs),
        ))
        _check_scale(self)

    # ----------------------------------------------------------------------------------------- constructors
    @classmethod
    def quadratic(cls, c0: float, costs: Sequence[float], revenues: Sequence[float] | None = None,
                  **specialist_options: Sequence[float]) -> FineTuningGame:
        """The paper's quadratic game: ``quadratic(1, [2])`` is c0 = 1, c1 = 2, r = 1.  Extra per-specialist
        sequences (``marginal_cost=[..]``, ``entry_cost=[..]``) are passed to :class:`Specialist`."""
        return cls.polynomial(c0, costs, revenues, exponent=2.0, **specialist_options)

    @classmethod
    def polynomial(cls, c0: float, costs: Sequence[float], revenues: Sequence[float] | None = None, *,
                   exponent: float = 2.0, **specialist_options: Sequence[float]) -> FineTuningGame:
        costs = list(costs)
        revenues = [1.0] * len(costs) if revenues is None else list(revenues)
        if len(revenues) != len(costs):
            raise ModelError(f"revenues must have one entry per specialist ({len(costs)}), got {len(revenues)}")
        extra: list[dict] = [{} for _ in costs]
        for key, seq in specialist_options.items():
            seq = list(seq)
            if len(seq) != len(costs):
                raise ModelError(f"{key} must have one entry per specialist ({len(costs)}), got {len(seq)}")
            for d, v in zip(extra, seq, strict=True):
                d[key] = v
        specs = [Specialist(cost=c, revenue=r, label=f"specialists[{i}]", **extra[i])
                 for i, (c, r) in enumerate(zip(costs, revenues, strict=True))]
        return cls(Generalist(c0), tuple(specs), exponent)

    # ----------------------------------------------------------------------------------------- structure
    @property
    def n(self) -> int:
        return len(self.specialists)

    @property
    def generalist_cost(self) -> PolynomialCost:
        return self._costs[0]

    @property
    def specialist_costs(self) -> tuple[PolynomialCost, ...]:
        return self._costs[1]

    @property
    def revenues(self) -> tuple[PowerRevenue, ...]:
        return self._costs[2]

    @property
    def linear_revenue(self) -> bool:
        return all(r.is_linear for r in self.revenues)

    @property
    def has_entry_decisions(self) -> bool:
        """True when some specialist might abstain (entry cost or positive outside option) or G has one."""
        return any(s.entry_cost > 0 or s.outside_option > 0 for s in self.specialists) or \
            self.generalist.outside_option > 0

    @property
    def is_quadratic(self) -> bool:
        """The paper's model: k = 2 for everyone, linear revenue, b = F = outside options = 0."""
        return (self.generalist_cost.exponent == 2.0 and all(c.is_quadratic for c in self.specialist_costs)
                and self.linear_revenue and not self.has_entry_decisions)

    def check_delta(self, delta: float | Sequence[float]) -> tuple[float, ...]:
        """Validate δ (one share per specialist, each in [0, 1]); a scalar is accepted for n = 1."""
        if isinstance(delta, int | float):
            delta = [delta]
        d = list(delta)
        if len(d) != self.n:
            raise ModelError(f"delta must have one share per specialist ({self.n}), got {len(d)}")
        return tuple(check_number(f"delta[{i}]", v, low=0, high=1) for i, v in enumerate(d))

    def arrays(self) -> SpecialistArrays:
        """The specialists' parameters as numpy arrays (computed once, then cached): for vectorised O(n) methods."""
        cached = self.__dict__.get("_arrays_cache")
        if cached is None:
            cached = SpecialistArrays.of(self)
            object.__setattr__(self, "_arrays_cache", cached)
        return cached

    # ----------------------------------------------------------------------------------------- evaluation
    def follower_response(self, i: int, delta_i: float, alpha0: float) -> FollowerResponse:
        """D_i's exact best response: max_{Δ ≥ 0} (1 − δ_i) r_i(α0 + Δ) − φ_i(Δ) − F_i, a concave 1-D problem.

        Linear revenue: Δ = φ_i'^{-1}((1 − δ_i) r_i).  Power revenue: the root of (1 − δ_i) r_i'(α0 + Δ) = φ_i'(Δ),
        found by bisection.  D_i takes part iff its utility is ≥ its outside option (ties take part).
        """
        cost, rev, spec = self.specialist_costs[i], self.revenues[i], self.specialists[i]
        share = 1.0 - delta_i
        if rev.is_linear:
            inc = cost.inverse_marginal(share * rev.rate)
        elif share <= 0.0 or share * rev.derivative(alpha0) <= cost.derivative(0.0):
            inc = 0.0
        else:
            lo, hi = 0.0, 1.0
            while share * rev.derivative(alpha0 + hi) > cost.derivative(hi):
                hi *= 2.0
            for _ in range(200):
                mid = 0.5 * (lo + hi)
                if share * rev.derivative(alpha0 + mid) > cost.derivative(mid):
                    lo = mid
                else:
                    hi = mid
                if hi - lo <= 1e-15 * max(1.0, hi):
                    break
            inc = 0.5 * (lo + hi)
        utility = share * rev.value(alpha0 + inc) - cost.value(inc) - spec.entry_cost
        return FollowerResponse(inc, utility >= spec.outside_option - 1e-12, utility)

    def specialist_utility(self, i: int, delta_i: float, alpha0: float, alpha_i: float) -> float:
        """U_Di at given investments if D_i takes part (entry cost included)."""
        return ((1.0 - delta_i) * self.revenues[i].value(alpha_i)
                - self.specialist_costs[i].value(alpha_i - alpha0) - self.specialists[i].entry_cost)

    def generalist_utility(self, delta: Sequence[float], alpha0: float, alpha: Sequence[float],
                           participating: Sequence[bool]) -> float:
        """U_G = Σ_{i takes part} δ_i r_i(α_i) − φ0(α0)."""
        income = sum(d * rev.value(a) for d, rev, a, p in zip(delta, self.revenues, alpha, participating,
                                                             strict=True) if p)
        return income - self.generalist_cost.value(alpha0)

    def leader_value(self, delta: Sequence[float], alpha0: float) -> tuple[float, list[FollowerResponse]]:
        """G's utility at α0 with every follower's exact best response substituted."""
        responses = [self.follower_response(i, d, alpha0) for i, d in enumerate(delta)]
        alpha = [alpha0 + r.increment for r in responses]
        return self.generalist_utility(delta, alpha0, alpha, [r.participates for r in responses]), responses

    def first_best_value(self, alpha0: float, increments: Sequence[float], participating: Sequence[bool]) -> float:
        """Integrated surplus Σ_{i ∈ P} [r_i(α0 + Δ_i) − φ_i(Δ_i) − F_i] − φ0(α0)."""
        total = -self.generalist_cost.value(alpha0)
        for i, p in enumerate(participating):
            if p:
                total += (self.revenues[i].value(alpha0 + increments[i]) - self.specialist_costs[i].value(
                    increments[i]) - self.specialists[i].entry_cost)
        return total

    def scale_hint(self) -> float:
        """An upper bound on G's investment at any δ: the first power of 2 where φ0(α0) exceeds all revenue
        (every follower responding as if it kept its whole domain).  Computed once, then cached."""
        cached = self.__dict__.get("_scale_hint_cache")
        if cached is None:
            cached = self._scale_hint()
            object.__setattr__(self, "_scale_hint_cache", cached)
        return cached

    def _scale_hint(self) -> float:
        hi = 1.0
        for _ in range(200):
            income = sum(rev.value(hi + self.follower_response(i, 0.0, hi).increment)
                         for i, rev in enumerate(self.revenues))
            if self.generalist_cost.value(hi) > income:
                return hi
            hi *= 2.0
        return hi


@dataclass(frozen=True)
class SpecialistArrays:
    """Per-specialist parameters as arrays of length n: cost c, exponent k, marginal cost b, revenue rate r,
    revenue power ρ, entry cost F, outside option o; and G's c0, k0 and outside option."""

    cost: np.ndarray
    exponent: np.ndarray
    marginal_cost: np.ndarray
    revenue: np.ndarray
    revenue_power: np.ndarray
    entry_cost: np.ndarray
    outside_option: np.ndarray
    c0: float
    k0: float
    outside_option_generalist: float

    @staticmethod
    def of(game: FineTuningGame) -> SpecialistArrays:
        costs, revs, specs = game.specialist_costs, game.revenues, game.specialists
        out = SpecialistArrays(
            np.array([c.coefficient for c in costs]), np.array([c.exponent for c in costs]),
            np.array([c.linear for c in costs]), np.array([r.rate for r in revs]),
            np.array([r.power for r in revs]), np.array([s.entry_cost for s in specs]),
            np.array([s.outside_option for s in specs]), game.generalist_cost.coefficient,
            game.generalist_cost.exponent, game.generalist.outside_option)
        for a in (out.cost, out.exponent, out.marginal_cost, out.revenue, out.revenue_power, out.entry_cost,
                  out.outside_option):
            a.setflags(write=False)
        return out


#: Largest investment or utility a game may imply at any δ: beyond it, sums and powers overflow double precision.
MAX_SCALE = 1e100


def _check_scale(game: FineTuningGame) -> None:
    """Refuse parameters whose equilibrium investments or utilities are not representable (e.g. revenue = 1e308
    or c0 = 1e-308): the scale is each player's investment when it keeps every revenue (δ = 0 for D_i, the sum of
    all revenues for G) and the costs and revenues it implies; each must be finite and at most :data:`MAX_SCALE`."""

    def check(key: str, what: str, cost: PolynomialCost, marginal: float) -> None:
        try:
            x = cost.inverse_marginal(marginal)
            worst = max(x, cost.value(x), marginal * x)
        except (OverflowError, ZeroDivisionError, FloatingPointError):
            worst = math.inf
        if not math.isfinite(worst) or worst > MAX_SCALE:
            shown = f"{worst:.3g}" if math.isfinite(worst) else "an overflow"
            raise ModelError(f"{key} {what} give investments or utilities of {shown}, beyond the supported "
                             f"{MAX_SCALE:.0e}: keep the ratio of revenues to costs moderate")

    for spec, cost, rev in zip(game.specialists, game.specialist_costs, game.revenues, strict=True):
        check(spec.label, f"(cost = {spec.cost:g}, revenue = {spec.revenue:g}, exponent = {cost.exponent:g})",
              cost, rev.rate)
    total = sum(rev.rate for rev in game.revenues)
    check("generalist.cost", f"(c0 = {game.generalist.cost:g}, exponent = {game.generalist_cost.exponent:g}) and "
          f"the total revenue {total:g}", game.generalist_cost, total)


def _relabel(spec: Specialist, label: str) -> Specialist:
    from dataclasses import replace

    return replace(spec, label=label)
