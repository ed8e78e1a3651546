"""The safety-regulation game: two attributes γ = (α, β) (performance, safety) and regulatory safety floors.

Costs are quadratic forms and revenue is linear (numpy only; no solver here)::

    U_G  = Σ_i δ_i r_iᵀγ_i − γ0ᵀ C0 γ0
    U_Di = (1 − δ_i) r_iᵀγ_i − (γ_i − γ0)ᵀ C_i (γ_i − γ0)

G chooses γ0 ≥ 0 with β0 ≥ θG; specialist i chooses γ_i ≥ γ0 (componentwise) with β_i ≥ θD_i.  δ_i is G's share
of domain i's revenue.  Every cost matrix must be symmetric positive definite, revenues non-negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .costs import ModelError, check_number
from .outcomes import Certificate, Level

__all__ = ["ModelError", "SafetyGame", "SafetyEquilibrium", "Specialist", "cost_matrix", "symmetric_game"]

_SYMMETRY_TOL = 1e-12
#: Range of cost-matrix and revenue entries: investments C⁻¹r and utilities stay representable within it.
MIN_DIAGONAL = 1e-50
MAX_ENTRY = 1e50


def cost_matrix(name: str, value: Any) -> np.ndarray:
    """Validate a 2×2 cost matrix: finite, symmetric, positive definite (c_αα > 0, c_αα c_ββ − c_αβ² > 0)."""
    try:
        m = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be a 2x2 matrix of numbers, got {value!r}") from None
    if m.shape != (2, 2):
        raise ModelError(f"{name} must be a 2x2 matrix [[c_aa, c_ab], [c_ab, c_bb]], got shape {m.shape}")
    if not np.all(np.isfinite(m)):
        raise ModelError(f"{name} must have finite entries, got {m.tolist()}")
    if abs(m[0, 1] - m[1, 0]) > _SYMMETRY_TOL * max(1.0, np.abs(m).max()):
        raise ModelError(f"{name} must be symmetric (c_ab = c_ba), got {m.tolist()}")
    m = 0.5 * (m + m.T)
    positive = m[0, 0] > 0 and m[1, 1] > 0
    if positive and (np.abs(m).max() > MAX_ENTRY or min(m[0, 0], m[1, 1]) < MIN_DIAGONAL):
        raise ModelError(f"{name} must have diagonal entries in [{MIN_DIAGONAL:.0e}, {MAX_ENTRY:.0e}] and "
                         f"|entries| <= {MAX_ENTRY:.0e} (beyond them the equilibrium is not representable), "
                         f"got {m.tolist()}")
    # the determinant relative to c_aa c_bb (no underflow for small entries)
    if not positive or 1.0 - m[0, 1] ** 2 / (m[0, 0] * m[1, 1]) <= 0:
        raise ModelError(
            f"{name} must be positive definite: c_aa > 0, c_bb > 0 and |c_ab| < sqrt(c_aa c_bb) "
            f"(= {np.sqrt(max(m[0, 0] * m[1, 1], 0.0)):.6g}); got {m.tolist()}"
        )
    return m


def revenue_vector(name: str, value: Any) -> np.ndarray:
    """Validate a revenue vector r = (r_α, r_β): finite, non-negative, not both zero."""
    try:
        r = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be a pair of numbers [r_alpha, r_beta], got {value!r}") from None
    if r.shape != (2,) or not np.all(np.isfinite(r)):
        raise ModelError(f"{name} must be a pair of finite numbers [r_alpha, r_beta], got {value!r}")
    if np.abs(r).max() > MAX_ENTRY:
        raise ModelError(f"{name} must have entries <= {MAX_ENTRY:.0e}, got {r.tolist()}")
    if np.any(r < 0) or not np.any(r > 0):
        raise ModelError(f"{name} must be non-negative and not all zero (r_alpha, r_beta >= 0), got {r.tolist()}")
    return r


@dataclass(frozen=True)
class Specialist:
    """Specialist D_i: cost matrix C_i, revenue r_i, G's share δ_i ∈ [0, 1] and its safety floor θD_i ≥ 0."""

    cost: np.ndarray
    revenue: np.ndarray
    delta: float = 0.5
    theta_D: float = 0.0
    name: str = "D1"

    def __post_init__(self) -> None:
        object.__setattr__(self, "cost", cost_matrix(f"{self.name} cost", self.cost))
        object.__setattr__(self, "revenue", revenue_vector(f"{self.name} revenue", self.revenue))
        object.__setattr__(self, "delta", check_number(f"{self.name} delta (G's share)", self.delta, low=0, high=1))
        object.__setattr__(self, "theta_D", check_number(f"{self.name} theta_D", self.theta_D, low=0))


@dataclass(frozen=True)
class SafetyGame:
    """G with cost matrix C0 and floor θG, and one or several specialists (each with its own δ_i and θD_i)."""

    generalist_cost: np.ndarray
    specialists: tuple[Specialist, ...]
    theta_G: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "generalist_cost", cost_matrix("generalist cost", self.generalist_cost))
        specialists = tuple(self.specialists)
        if not specialists:
            raise ModelError("specialists: at least one specialist is required")
        if not all(isinstance(s, Specialist) for s in specialists):
            raise ModelError("specialists must be Specialist instances")
        object.__setattr__(self, "specialists", specialists)
        object.__setattr__(self, "theta_G", check_number("theta_G", self.theta_G, low=0))

    @property
    def n(self) -> int:
        return len(self.specialists)

    @property
    def deltas(self) -> np.ndarray:
        return np.array([s.delta for s in self.specialists])

    @property
    def theta_D(self) -> np.ndarray:
        return np.array([s.theta_D for s in self.specialists])

    def with_regulation(self, theta_G: float | None = None, theta_D: float | Sequence[float] | None = None
                        ) -> SafetyGame:
        """The same game with other floors (a scalar θD applies to every specialist)."""
        specialists = self.specialists
        if theta_D is not None:
            values = np.broadcast_to(np.asarray(theta_D, dtype=float), (self.n,))
            specialists = tuple(replace(s, theta_D=float(t)) for s, t in zip(specialists, values, strict=True))
        return replace(self, specialists=specialists, theta_G=self.theta_G if theta_G is None else theta_G)

    def with_delta(self, delta: float | Sequence[float]) -> SafetyGame:
        """The same game with other revenue shares (a scalar δ applies to every specialist)."""
        values = np.broadcast_to(np.asarray(delta, dtype=float), (self.n,))
        return replace(self, specialists=tuple(replace(s, delta=float(d))
                                               for s, d in zip(self.specialists, values, strict=True)))

    def unregulated(self) -> SafetyGame:
        """θG = θD = 0: the "anarchy" game that outcomes are classified against."""
        return self.with_regulation(0.0, 0.0)

    def utilities(self, gamma0: np.ndarray, gamma: np.ndarray) -> tuple[float, np.ndarray]:
        """(U_G, U_D) for given investments, every specialist taking part."""
        g0 = np.asarray(gamma0, dtype=float)
        g = np.asarray(gamma, dtype=float).reshape(self.n, 2)
        u_g = -g0 @ self.generalist_cost @ g0
        u_d = np.empty(self.n)
        for i, s in enumerate(self.specialists):
            step = g[i] - g0
            u_g += s.delta * s.revenue @ g[i]
            u_d[i] = (1 - s.delta) * s.revenue @ g[i] - step @ s.cost @ step
        return float(u_g), u_d


def symmetric_game(c: float = 0.0, *, delta: float = 0.5, theta_G: float = 0.0, theta_D: float = 0.0,
                   c0: float | None = None, revenue: Sequence[float] = (1.0, 1.0)) -> SafetyGame:
    """The paper's game: C0 = [[1, c0], [c0, 1]], C1 = [[1, c], [c, 1]] (c0 defaults to c), r = (1, 1)."""
    c0 = c if c0 is None else c0
    return SafetyGame(
        generalist_cost=np.array([[1.0, c0], [c0, 1.0]]),
        specialists=(Specialist(np.array([[1.0, c], [c, 1.0]]), np.asarray(revenue, dtype=float), delta, theta_D),),
        theta_G=theta_G,
    )


@dataclass(frozen=True)
class SafetyEquilibrium:
    """Subgame-perfect outcome of one safety game.

    ``gamma0`` = (α0, β0); ``gamma[i]`` = (α_i, β_i); ``participates[i]`` whether D_i takes part; ``abstain`` means
    G abstains (everyone gets 0, investments are NaN).  ``is_global``: the method proves G's choice globally
    optimal; ``followers_verified``: every follower's response was re-solved at γ0 and matched.  Both together
    make the :attr:`certificate` global.
    """

    gamma0: np.ndarray
    gamma: np.ndarray
    U_G: float
    U_D: np.ndarray
    participates: np.ndarray
    abstain: bool
    method: str  # kind[:encoding] of the formulation
    is_global: bool
    followers_verified: bool = False
    status: str = "optimal"  # the one status vocabulary (ftgames.solvers.Status values)
    details: dict[str, Any] = field(default_factory=dict)
    backend: str | None = None  # the solver backend that ran the program; None for the exact enumeration
    build_time: float = 0.0

    @property
    def certificate(self) -> Certificate:
        ok = self.status in ("optimal", "locally_optimal")
        checks = {"followers_verified": bool(self.followers_verified), "exact_method": bool(self.is_global),
                  **self.details.get("checks", {})}
        reasons = []
        if not ok:
            reasons.append(f"{self.method} ended with status {self.status}: "
                           f"{self.details.get('message', 'no equilibrium found')}")
        if not self.followers_verified and not (self.abstain and not ok):  # (a failed abstention has no response)
            reasons.append("a specialist's response does not re-solve to the reported one")
        if not self.is_global:
            reasons.append(f"{self.method} does not prove G's choice globally optimal")
            # the formulation's own account of why (per program solved), when it gives one
            reasons.extend(r for r in self.details.get("reasons", ()) if r not in reasons)
        level = (Level.GLOBAL if ok and self.is_global and self.followers_verified
                 else Level.LOCAL if ok and self.followers_verified else Level.NONE)
        return Certificate(level, self.method, checks, tuple(reasons))

    @property
    def certified(self) -> bool:
        """True iff the certificate is global (the one meaning of "certified" in ftgames)."""
        return self.certificate.is_global

    @property
    def safety(self) -> np.ndarray:
        """Final safety β_i of every specialist (0 where nothing is deployed)."""
        beta = np.where(self.participates, self.gamma[:, 1], 0.0)
        return np.nan_to_num(beta, nan=0.0)
