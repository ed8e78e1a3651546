"""The openness-regulation game: validated parameters and pluggable terms (reconstructed model).

Players: generalist G, specialist D, a regulator with an open-source definition (threshold θ, penalty p).
Timing: δ (G's revenue share) is bargained or fixed → G picks an openness ω ∈ [0, 1] or abstains → D fine-tunes
from the baseline α0 to α1 = α0 + Δ, Δ ≥ 0 → revenue R(α1) is shared.

    U_D(ω, Δ) = (1 − δ) R(α0 + Δ) − C(Δ; ω)
    U_G(ω, Δ) = δ R(α0 + Δ) + B(ω) − P(α0) − O(ω; α0) − p·1{ω < θ}

Defaults (the reconstruction of ``spec/openness-regulation-game.md``): R(α) = r α, C(Δ; ω) = κ0 (1 − λω) Δ²,
B(ω) = ε ω, P(α0) = c_P α0², O(ω; α0) = c_O ω α0.  Every term is a named family selectable from a game file
(``[model.<term>] family = "..."``) or any Python callable (:class:`CustomTerm`).

Terms are evaluated with an ``ops`` namespace (``exp``, ``log``) so that the same family can be evaluated on numpy
arrays here and on Pyomo expressions by the KKT formulation; this module imports numpy only.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError
from .contracts import CONTRACTS, ConstantShare, CustomContract, NamedFamily
from .outcomes import Certificate, Level

NUMPY_OPS = SimpleNamespace(exp=np.exp, log=np.log)

TERM_KINDS = ("revenue", "fine_tuning_cost", "benefit", "production_cost", "operation_cost", "compliance_cost")


class ParameterError(InputError):
    """A model parameter is out of its allowed range; the message names the parameter and the range."""

    def __init__(self, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


def _check(name: str, value: Any, *, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False) -> float:
    """Validate a real parameter against [low, high] (ends optionally open); return it as float."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ParameterError(f"{name} must be a real number, got {value!r}", name)
    value = float(value)
    lo_txt = "-inf" if low is None else f"{low:g}"
    hi_txt = "inf" if high is None else f"{high:g}"
    interval = f"{'(' if low_open or low is None else '['}{lo_txt}, {hi_txt}{')' if high_open or high is None else ']'}"
    bad = not math.isfinite(value)
    if low is not None:
        bad |= value <= low if low_open else value < low
    if high is not None:
        bad |= value >= high if high_open else value > high
    if bad:
        raise ParameterError(f"{name} must be in {interval}, got {value:g}", name)
    return value


#: Range of the families' parameters: positive scales (r, kappa0, c_P, ...) at least MIN_SCALE, any unbounded
#: parameter at most MAX_PARAMETER; with them (and the check of D's step in OpennessGame) every utility is finite.
MIN_SCALE = 1e-30
MAX_PARAMETER = 1e30
#: Largest fine-tuning step D may take (at δ = 0, any ω): beyond it utilities are not representable.
MAX_STEP = 1e100


# ----------------------------------------------------------------------------------------------------- terms
@dataclass(frozen=True)
class Term(NamedFamily):
    """Base of the named families.  ``PARAMS`` maps each parameter to (default, low, high, low_open, high_open)."""

    kind: ClassVar[str] = ""
    family: ClassVar[str] = ""
    PARAMS: ClassVar[dict[str, tuple[float, float | None, float | None, bool, bool]]] = {}
    formula: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for name, (_, low, high, low_open, high_open) in self.PARAMS.items():
            value = _check(f"{self.kind}.{name}", getattr(self, name), low=low, high=high, low_open=low_open,
                           high_open=high_open)
            if high is None and value > MAX_PARAMETER:
                raise ParameterError(f"{self.kind}.{name} must be at most {MAX_PARAMETER:g} (beyond it utilities "
                                     f"overflow), got {value:g}", f"{self.kind}.{name}")
            if low == 0.0 and low_open and value < MIN_SCALE:
                raise ParameterError(f"{self.kind}.{name} must be at least {MIN_SCALE:g} (a positive scale; below "
                                     f"it investments overflow), got {value:g}", f"{self.kind}.{name}")


@dataclass(frozen=True)
class LinearRevenue(Term):
    """R(α) = r α."""

    kind: ClassVar[str] = "revenue"
    family: ClassVar[str] = "linear"
    PARAMS: ClassVar = {"r": (1.0, 0.0, None, True, False)}
    formula: ClassVar[str] = "R(α) = r·α"
    r: float = 1.0

    def __call__(self, alpha: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.r * alpha

    def derivative(self, alpha: Any) -> Any:
        return self.r + 0.0 * np.asarray(alpha, dtype=float)


@dataclass(frozen=True)
class PowerRevenue(Term):
    """R(α) = r α^e, 0 < e ≤ 1 (concave)."""

    kind: ClassVar[str] = "revenue"
    family: ClassVar[str] = "concave_power"
    PARAMS: ClassVar = {"r": (1.0, 0.0, None, True, False), "exponent": (0.5, 0.0, 1.0, True, False)}
    formula: ClassVar[str] = "R(α) = r·α^exponent"
    r: float = 1.0
    exponent: float = 0.5

    def __call__(self, alpha: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.r * alpha**self.exponent

    def derivative(self, alpha: Any) -> Any:
        alpha = np.maximum(np.asarray(alpha, dtype=float), 1e-300)
        return self.r * self.exponent * alpha ** (self.exponent - 1.0)


@dataclass(frozen=True)
class OpennessDiscountedCost(Term):
    """C(Δ; ω) = κ0 (1 − λ ω) Δ^k: openness cheapens fine-tuning (the spec's default, k = 2)."""

    kind: ClassVar[str] = "fine_tuning_cost"
    family: ClassVar[str] = "openness_discounted"
    PARAMS: ClassVar = {"kappa0": (1.0, 0.0, None, True, False), "lam": (0.5, 0.0, 1.0, False, True),
                        "k": (2.0, 1.0, None, True, False)}
    formula: ClassVar[str] = "C(Δ; ω) = kappa0·(1 − lam·ω)·Δ^k"
    kappa0: float = 1.0
    lam: float = 0.5
    k: float = 2.0

    def kappa(self, omega: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.kappa0 * (1.0 - self.lam * omega)

    def kappa_derivatives(self, omega: Any) -> tuple[Any, Any]:
        """(κ'(ω), κ''(ω))."""
        return -self.kappa0 * self.lam + 0.0 * omega, 0.0 * omega

    def __call__(self, step: Any, omega: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.kappa(omega, ops) * step**self.k

    def derivative(self, step: Any, omega: Any) -> Any:
        """∂C/∂Δ."""
        return self.k * self.kappa(omega) * np.maximum(step, 0.0) ** (self.k - 1.0)


@dataclass(frozen=True)
class ExponentialDiscountCost(Term):
    """C(Δ; ω) = κ0 exp(−λ ω) Δ^k."""

    kind: ClassVar[str] = "fine_tuning_cost"
    family: ClassVar[str] = "exponential_discount"
    PARAMS: ClassVar = {"kappa0": (0.5, 0.0, None, True, False), "lam": (0.8, 0.0, 50.0, False, False),
                        "k": (2.0, 1.0, None, True, False)}
    formula: ClassVar[str] = "C(Δ; ω) = kappa0·exp(−lam·ω)·Δ^k"
    kappa0: float = 0.5
    lam: float = 0.8
    k: float = 2.0

    def kappa(self, omega: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.kappa0 * ops.exp(-self.lam * omega)

    def kappa_derivatives(self, omega: Any) -> tuple[Any, Any]:
        kappa = self.kappa(omega)
        return -self.lam * kappa, self.lam**2 * kappa

    def __call__(self, step: Any, omega: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.kappa(omega, ops) * step**self.k

    def derivative(self, step: Any, omega: Any) -> Any:
        return self.k * self.kappa(omega) * np.maximum(step, 0.0) ** (self.k - 1.0)


@dataclass(frozen=True)
class LinearBenefit(Term):
    """B(ω) = ε ω: reputational benefit of openness."""

    kind: ClassVar[str] = "benefit"
    family: ClassVar[str] = "linear"
    PARAMS: ClassVar = {"epsilon": (0.05, 0.0, None, False, False)}
    formula: ClassVar[str] = "B(ω) = epsilon·ω"
    epsilon: float = 0.05

    def __call__(self, omega: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.epsilon * omega

    def derivatives(self, omega: Any) -> tuple[Any, Any]:
        """(B'(ω), B''(ω))."""
        return self.epsilon + 0.0 * omega, 0.0 * omega


@dataclass(frozen=True)
class ConcaveQuadraticBenefit(Term):
    """B(ω) = ε ω − (s/2) ω²: diminishing reputational returns."""

    kind: ClassVar[str] = "benefit"
    family: ClassVar[str] = "concave_quadratic"
    PARAMS: ClassVar = {"epsilon": (0.3, 0.0, None, False, False), "curvature": (0.2, 0.0, None, False, False)}
    formula: ClassVar[str] = "B(ω) = epsilon·ω − curvature·ω²/2"
    epsilon: float = 0.3
    curvature: float = 0.2

    def __call__(self, omega: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.epsilon * omega - 0.5 * self.curvature * omega**2

    def derivatives(self, omega: Any) -> tuple[Any, Any]:
        return self.epsilon - self.curvature * omega, -self.curvature + 0.0 * omega


@dataclass(frozen=True)
class PowerProductionCost(Term):
    """P(α0) = c_P α0^k: cost of building the baseline (constant in ω; it decides abstention)."""

    kind: ClassVar[str] = "production_cost"
    family: ClassVar[str] = "power"
    PARAMS: ClassVar = {"c_P": (0.1, 0.0, None, False, False), "k": (2.0, 1.0, None, False, False)}
    formula: ClassVar[str] = "P(α0) = c_P·α0^k"
    c_P: float = 0.1
    k: float = 2.0

    def __call__(self, alpha0: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.c_P * alpha0**self.k


@dataclass(frozen=True)
class LinearLeakCost(Term):
    """O(ω; α0) = c_O ω α0: openness leaks value, more for stronger models."""

    kind: ClassVar[str] = "operation_cost"
    family: ClassVar[str] = "linear_leak"
    PARAMS: ClassVar = {"c_O": (0.2, 0.0, None, False, False)}
    formula: ClassVar[str] = "O(ω; α0) = c_O·ω·α0"
    c_O: float = 0.2

    def __call__(self, omega: Any, alpha0: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.c_O * omega * alpha0

    def derivatives(self, omega: Any, alpha0: float) -> tuple[Any, Any]:
        """(∂O/∂ω, ∂²O/∂ω²)."""
        return self.c_O * alpha0 + 0.0 * omega, 0.0 * omega


@dataclass(frozen=True)
class QuadraticLeakCost(Term):
    """O(ω; α0) = c_O ω² α0: leaks grow faster than openness (gives interior optimal ω)."""

    kind: ClassVar[str] = "operation_cost"
    family: ClassVar[str] = "quadratic_leak"
    PARAMS: ClassVar = {"c_O": (0.4, 0.0, None, False, False)}
    formula: ClassVar[str] = "O(ω; α0) = c_O·ω²·α0"
    c_O: float = 0.4

    def __call__(self, omega: Any, alpha0: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.c_O * omega**2 * alpha0

    def derivatives(self, omega: Any, alpha0: float) -> tuple[Any, Any]:
        return 2.0 * self.c_O * omega * alpha0, 2.0 * self.c_O * alpha0 + 0.0 * omega


@dataclass(frozen=True)
class NoComplianceCost(Term):
    """K(ω) = 0: meeting the definition costs nothing beyond the release itself (the spec's reconstruction)."""

    kind: ClassVar[str] = "compliance_cost"
    family: ClassVar[str] = "none"
    formula: ClassVar[str] = "K(ω) = 0"

    def __call__(self, omega: Any, ops: Any = NUMPY_OPS) -> Any:
        return 0.0 * omega

    def slope(self) -> float:
        return 0.0


@dataclass(frozen=True)
class FlatComplianceCost(Term):
    """K(ω) = cost − exemption when G meets the definition (ω ≥ θ): a fixed cost of documentation and audits, and an
    exemption (from obligations a non-open model bears) worth ``exemption``."""

    kind: ClassVar[str] = "compliance_cost"
    family: ClassVar[str] = "flat"
    PARAMS: ClassVar = {"cost": (0.0, 0.0, None, False, False), "exemption": (0.0, 0.0, None, False, False)}
    formula: ClassVar[str] = "K(ω) = cost − exemption (when ω ≥ θ)"
    cost: float = 0.0
    exemption: float = 0.0

    def __call__(self, omega: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.cost - self.exemption + 0.0 * omega

    def slope(self) -> float:
        return 0.0


@dataclass(frozen=True)
class DisclosureComplianceCost(FlatComplianceCost):
    """K(ω) = cost·ω − exemption when ω ≥ θ: disclosure effort grows with what is released."""

    family: ClassVar[str] = "per_openness"
    formula: ClassVar[str] = "K(ω) = cost·ω − exemption (when ω ≥ θ)"

    def __call__(self, omega: Any, ops: Any = NUMPY_OPS) -> Any:
        return self.cost * omega - self.exemption

    def slope(self) -> float:
        return self.cost


@dataclass(frozen=True)
class CustomTerm:
    """Any Python callable as a term.  Arguments by kind: revenue f(α), fine_tuning_cost f(Δ, ω), benefit f(ω),
    production_cost f(α0), operation_cost f(ω, α0), compliance_cost f(ω) (G's net cost of meeting the definition).
    Written with plain arithmetic, or with ``ops.exp``/``ops.log`` from an optional keyword parameter ``ops``, it
    also works on Pyomo expressions (the KKT formulation); otherwise use the enumeration formulation.  D's problem
    must stay concave (R concave, C convex in Δ with C(0; ω) = 0): the library checks C(0; ω) = 0 and that values
    are finite."""

    kind: str
    function: Callable[..., Any]
    name: str = "custom"
    family: ClassVar[str] = "custom"
    formula: ClassVar[str] = "user callable"

    def __post_init__(self) -> None:
        if self.kind not in TERM_KINDS:
            raise ParameterError(f"CustomTerm.kind must be one of {', '.join(TERM_KINDS)}, got {self.kind!r}")
        if not callable(self.function):
            raise ParameterError(f"{self.kind}: a custom term must be callable, got {type(self.function).__name__}")

    def __call__(self, *args: Any, ops: Any = NUMPY_OPS) -> Any:
        if self.takes_ops:
            return self.function(*args, ops=ops)
        return self.function(*args)

    @property
    def takes_ops(self) -> bool:
        """True when the callable has an ``ops`` parameter (then it gets ``ops.exp``/``ops.log`` for the layer)."""
        try:
            return "ops" in inspect.signature(self.function).parameters
        except (TypeError, ValueError):
            return False

    def params(self) -> dict[str, float]:
        return {}

    def describe(self) -> str:
        return f"custom: {self.name}"

    def derivative(self, *args: Any) -> Any:
        """Central difference in the first argument (used only for D's first-order condition)."""
        x = np.asarray(args[0], dtype=float)
        h = 1e-6 * np.maximum(1.0, np.abs(x))
        lo = np.maximum(x - h, 0.0)
        return (np.asarray(self(x + h, *args[1:])) - np.asarray(self(lo, *args[1:]))) / (x + h - lo)


FAMILIES: dict[str, dict[str, type[Term]]] = {
    "revenue": {"linear": LinearRevenue, "concave_power": PowerRevenue},
    "fine_tuning_cost": {"openness_discounted": OpennessDiscountedCost,
                         "exponential_discount": ExponentialDiscountCost},
    "benefit": {"linear": LinearBenefit, "concave_quadratic": ConcaveQuadraticBenefit},
    "production_cost": {"power": PowerProductionCost},
    "operation_cost": {"linear_leak": LinearLeakCost, "quadratic_leak": QuadraticLeakCost},
    "compliance_cost": {"none": NoComplianceCost, "flat": FlatComplianceCost, "per_openness": DisclosureComplianceCost},
}
#: Default families: an interior optimal openness (diminishing reputational returns, leaks growing with ω², a
#: fine-tuning cost discounted exponentially by openness), so that ω* falls continuously with α0 and both the
#: threshold θ and the penalty p matter (docs/openness-regulation.md, "Defaults").  The spec's reconstruction (linear
#: benefit and leak, cost κ0(1 − λω)Δ²) is the families "linear", "linear_leak", "openness_discounted".
DEFAULT_FAMILY = {"revenue": "linear", "fine_tuning_cost": "exponential_discount", "benefit": "concave_quadratic",
                  "production_cost": "power", "operation_cost": "quadratic_leak", "compliance_cost": "none"}


def make_term(kind: str, table: dict[str, Any] | None = None) -> Term:
    """Build a term of ``kind`` from a table ``{"family": name, **params}`` (missing params take defaults)."""
    if kind not in FAMILIES:
        raise ParameterError(f"unknown term {kind!r}; valid: {', '.join(TERM_KINDS)}")
    table = dict(table or {})
    family = table.pop("family", DEFAULT_FAMILY[kind])
    if family not in FAMILIES[kind]:
        raise ParameterError(f"{kind}.family: unknown family {family!r}; valid: {', '.join(FAMILIES[kind])}")
    cls = FAMILIES[kind][family]
    unknown = sorted(set(table) - set(cls.PARAMS))
    if unknown:
        raise ParameterError(f"{kind}: unknown parameter(s) {', '.join(unknown)} for family {family!r}; "
                             f"valid: {', '.join(cls.PARAMS)}")
    return cls(**table)


# ------------------------------------------------------------------------------------------------ regulation
@dataclass(frozen=True)
class Regulation:
    """Open-source definition: a model is open iff ω ≥ θ; a model short of it pays the penalty p.

    ``penalty_is_transfer``: whether a paid penalty counts in welfare (a transfer to the regulator) or is lost
    (e.g. a lost legal exemption; the default).  θ = 0 is no definition: no penalty and no compliance term."""

    theta: float = 0.0
    penalty: float = 0.0
    penalty_is_transfer: bool = False

    def __post_init__(self) -> None:
        _check("regulation.theta", self.theta, low=0.0, high=1.0)
        _check("regulation.penalty", self.penalty, low=0.0)
        if not isinstance(self.penalty_is_transfer, bool):
            raise ParameterError("regulation.penalty_is_transfer must be true or false, "
                                 f"got {self.penalty_is_transfer!r}", "regulation.penalty_is_transfer")

    @property
    def active(self) -> bool:
        """A definition exists (θ > 0): the penalty and the model's compliance term apply."""
        return self.theta > 0.0


NO_REGULATION = Regulation()


# ------------------------------------------------------------------------------------------------------ game
@dataclass(frozen=True)
class OpennessGame:
    """Parameters of one openness-regulation game.

    ``delta`` is the level of the revenue-sharing ``contract`` (the number bargaining chooses): with the default
    constant contract it is G's revenue share δ; ``contract`` may be a named family of :mod:`ftgames.models.contracts`
    or a callable δ(ω, α1[, level])."""

    alpha0: float = 1.0
    delta: float = 0.5
    revenue: Any = field(default_factory=LinearRevenue)
    fine_tuning_cost: Any = field(default_factory=ExponentialDiscountCost)
    benefit: Any = field(default_factory=ConcaveQuadraticBenefit)
    production_cost: Any = field(default_factory=PowerProductionCost)
    operation_cost: Any = field(default_factory=QuadraticLeakCost)
    regulation: Regulation = field(default_factory=Regulation)
    max_fine_tuning: float | None = None  # bound on Δ used by the KKT formulation when no closed-form bound exists
    compliance_cost: Any = field(default_factory=NoComplianceCost)
    contract: Any = field(default_factory=ConstantShare)

    def __post_init__(self) -> None:
        _check("model.alpha0", self.alpha0, low=0.0)
        if callable(self.contract) and not isinstance(self.contract, CustomContract):
            object.__setattr__(self, "contract", CustomContract(self.contract,
                                                                getattr(self.contract, "__name__", "custom")))
        if not isinstance(self.contract, (*CONTRACTS.values(), CustomContract)):
            raise ParameterError(f"contract must be a contract family ({', '.join(CONTRACTS)}) or a callable "
                                 f"δ(ω, α1), got {self.contract!r}", "bargaining.contract")
        low, high = self.contract.level_range()
        _check("bargaining.delta", self.delta, low=low, high=high)
        if isinstance(self.contract, CustomContract):
            self.contract.check(self.alpha0, self.delta)
        if self.max_fine_tuning is not None:
            _check("model.max_fine_tuning", self.max_fine_tuning, low=0.0, low_open=True)
        if not isinstance(self.regulation, Regulation):
            raise ParameterError("regulation must be a Regulation(theta, penalty)")
        for kind in TERM_KINDS:
            term = getattr(self, kind)
            if isinstance(term, CustomTerm):
                if term.kind != kind:
                    raise ParameterError(f"{kind}: got a custom term declared for {term.kind!r}")
            elif callable(term) and not isinstance(term, Term):
                object.__setattr__(self, kind, CustomTerm(kind, term, getattr(term, "__name__", "custom")))
            elif not isinstance(term, Term) or term.kind != kind:
                raise ParameterError(f"{kind} must be a {kind} family or a callable, got {term!r}")
        self._check_custom_terms()
        self._check_scale()

    def _check_scale(self) -> None:
        """D's largest step (δ = 0) must be finite and at most :data:`MAX_STEP` (closed-form follower only)."""
        if not self.closed_form_follower:
            return
        cost, r = self.fine_tuning_cost, self.revenue.r
        for omega in (0.0, 1.0):
            try:
                step = (r / (cost.k * float(cost.kappa(omega)))) ** (1.0 / (cost.k - 1.0))
            except (OverflowError, ZeroDivisionError):
                step = math.inf
            if not math.isfinite(step) or step > MAX_STEP:
                shown = f"{step:.3g}" if math.isfinite(step) else "an overflow"
                raise ParameterError(
                    f"fine_tuning_cost.k = {cost.k:g} with revenue r = {r:g} ({cost.describe()}) gives D a best step "
                    f"of {shown} at ω = {omega:g}, beyond the supported {MAX_STEP:g}: lower r/kappa0 or raise k",
                    "fine_tuning_cost.k")

    def _check_custom_terms(self) -> None:
        omegas = np.linspace(0.0, 1.0, 5)
        if isinstance(self.fine_tuning_cost, CustomTerm):
            at_zero = np.array([float(self.fine_tuning_cost(0.0, w)) for w in omegas])
            if not np.allclose(at_zero, 0.0, atol=1e-12):
                raise ParameterError("fine_tuning_cost: a custom cost must satisfy C(0; ω) = 0 (no step, no cost)")
        if isinstance(self.revenue, CustomTerm):
            value = float(self.revenue(self.alpha0))
            if not math.isfinite(value) or value < 0:
                raise ParameterError(f"revenue: a custom revenue must be finite and >= 0 at alpha0, got {value:g}")

    # -------------------------------------------------------------------------------------------- helpers
    def replace(self, **changes: Any) -> OpennessGame:
        return replace(self, **changes)

    def with_delta(self, delta: float) -> OpennessGame:
        return replace(self, delta=delta)

    def with_regulation(self, theta: float = 0.0, penalty: float = 0.0) -> OpennessGame:
        return replace(self, regulation=replace(self.regulation, theta=theta, penalty=penalty))

    def unregulated(self) -> OpennessGame:
        return self.with_regulation(0.0, 0.0)

    @property
    def closed_form_follower(self) -> bool:
        """D's best response has the closed form Δ* = ((1 − s(ω)) r / (k κ(ω)))^(1/(k−1)) (linear R, C = κ(ω) Δ^k,
        a named contract with G's marginal share s(ω))."""
        return (isinstance(self.revenue, LinearRevenue)
                and isinstance(self.fine_tuning_cost, OpennessDiscountedCost | ExponentialDiscountCost)
                and self.contract.separable)

    @property
    def leader_concave_convex(self) -> bool:
        """G's payoff V(ω) with D's response substituted has V‴ ≥ 0 on [0, 1]: concave up to an inflection point,
        convex after it, so a regime's optimum is an end of its interval or the stationary point of the concave part.

        True for the closed-form follower with a constant marginal share (contracts ``constant``, ``two_part``), both
        cost families (Δ*(ω) ∝ κ(ω)^(−1/(k−1)) has all derivatives ≥ 0), and the named benefit, leak and compliance
        families (polynomials of degree ≤ 2 in ω)."""
        return (self.closed_form_follower and self.contract.constant_marginal
                and all(isinstance(getattr(self, kind), Term)
                        for kind in ("benefit", "operation_cost", "compliance_cost")))

    @property
    def leader_convex_in_omega(self) -> bool:
        """V is convex in ω (V″ ≥ 0): each regime's optimum is an end of its interval.  True when
        :attr:`leader_concave_convex` holds and B and O are linear in ω (the spec's reconstruction)."""
        benefit_linear = isinstance(self.benefit, LinearBenefit) or (
            isinstance(self.benefit, ConcaveQuadraticBenefit) and self.benefit.curvature == 0.0)
        operation_linear = isinstance(self.operation_cost, LinearLeakCost) or (
            isinstance(self.operation_cost, QuadraticLeakCost) and self.operation_cost.c_O == 0.0)
        return self.leader_concave_convex and benefit_linear and operation_linear

    def describe_terms(self) -> dict[str, str]:
        return {**{kind: getattr(self, kind).describe() for kind in TERM_KINDS}, "contract": self.contract.describe()}


# --------------------------------------------------------------------------------------------- outcome records
REGIMES = ("comply", "pay", "abstain")
#: Proofs of a regime's optimum over ω that make it global.
PROVED = ("global", "convex_endpoints", "concave_convex", "interval_verified")


@dataclass(frozen=True)
class RegimeValue:
    """G's best choice inside one regime: ω on [lo, hi], D's step Δ = α1 − α0, and both utilities.

    ``proof`` says how the optimum over ω is known: "global" (proved), "convex_endpoints" (objective convex in
    ω, ends compared exactly), "concave_convex" (third derivative ≥ 0: the ends and the stationary point of the
    concave part compared exactly), "interval_verified" (a grid optimum proved global by interval branch and bound),
    "local" (a local solver or an unproved bound), "grid" (dense grid plus local refinement: not proved), or "" when
    infeasible."""

    regime: str
    feasible: bool
    omega: float = float("nan")
    step: float = float("nan")
    U_G: float = float("-inf")
    U_D: float = float("nan")
    proof: str = ""
    status: str = ""
    backend: str | None = None  # the solver backend that ran the regime's program (None: exact enumeration)


@dataclass(frozen=True)
class OpennessEquilibrium:
    """Subgame-perfect outcome for a given δ: G's chosen regime among comply / pay / abstain."""

    regime: str
    omega: float
    alpha0: float
    alpha1: float
    delta: float
    U_G: float
    U_D: float
    penalty_paid: float
    welfare: float
    regimes: tuple[RegimeValue, ...]
    formulation: str
    proof: str  # the weakest of the regimes' proofs ("global", "convex_endpoints", "local", "grid")
    notes: tuple[str, ...] = ()  # why a proof was withdrawn (e.g. disagreement with the exact enumeration)

    @property
    def certificate(self) -> Certificate:
        """Global when every feasible regime's optimum over ω is proved (KKT with a global certificate, or an
        objective convex in ω compared at its ends); local for a grid search or a local solver."""
        proofs = {v.regime: v.proof for v in self.regimes if v.feasible}
        level = (Level.GLOBAL if self.proof in PROVED else Level.LOCAL if self.proof in ("local", "grid")
                 else Level.GLOBAL if not proofs else Level.NONE)
        reasons = [] if level is Level.GLOBAL else [f"regime {r!r}: optimum over ω only {p or 'not'} established"
                                                   for r, p in proofs.items() if p not in PROVED]
        return Certificate(level, self.formulation, {"regime_proofs": proofs}, (*reasons, *self.notes))

    @property
    def certified(self) -> bool:
        """True iff the certificate is global (the one meaning of "certified" in ftgames)."""
        return self.certificate.is_global

    @property
    def backend(self) -> str | None:
        names = sorted({v.backend for v in self.regimes if v.backend})
        return "+".join(names) or None

    def regime_value(self, name: str) -> RegimeValue:
        for value in self.regimes:
            if value.regime == name:
                return value
        raise KeyError(name)
