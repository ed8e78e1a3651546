"""Outcome records: plain frozen data produced by formulations and read by the CLI, JSON and plots."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Regime(StrEnum):
    """What a specialist does at the subgame-perfect equilibrium."""

    CONTRIBUTE = "contribute"  # takes part and α_i > α0
    FREE_RIDE = "free-ride"  # takes part and α_i = α0 (deploys G's model as is)
    ABSTAIN = "abstain"  # does not take part


class CertificateStatus(StrEnum):
    GLOBAL = "global"  # proved: exact method or global solver, and every follower re-solved at the answer
    LOCAL = "local"  # a local method converged; the followers check out but the leader/bargaining step is local
    UNCERTIFIED = "uncertified"  # the check failed or the solver did not finish


@dataclass(frozen=True)
class Certificate:
    """How much to trust an answer: each follower re-solved exactly at the leader's decision (``follower_gap`` =
    largest |α_i − best response|), the leader's value compared with its exact optimum when one is known."""

    status: CertificateStatus
    method: str
    follower_gap: float = 0.0
    leader_gap: float | None = None
    message: str = ""

    @property
    def certified(self) -> bool:
        return self.status is CertificateStatus.GLOBAL

    def to_dict(self) -> dict[str, Any]:
        return {"status": str(self.status), "method": self.method, "follower_gap": self.follower_gap,
                "leader_gap": self.leader_gap, "certified": self.certified, "message": self.message}


@dataclass(frozen=True)
class Equilibrium:
    """The subgame-perfect investments at shares δ and the utilities they induce."""

    delta: tuple[float, ...]
    alpha0: float
    alpha: tuple[float, ...]
    utility_generalist: float
    utility_specialists: tuple[float, ...]
    regimes: tuple[Regime, ...]
    certificate: Certificate
    formulation: str = ""
    solver: str = ""
    generalist_participates: bool = True

    @property
    def U_G(self) -> float:  # noqa: N802 - the paper's notation
        return self.utility_generalist

    @property
    def U_D(self) -> tuple[float, ...]:  # noqa: N802
        return self.utility_specialists

    @property
    def participating(self) -> tuple[bool, ...]:
        return tuple(r is not Regime.ABSTAIN for r in self.regimes)

    @property
    def total_surplus(self) -> float:
        return self.utility_generalist + sum(self.utility_specialists)

    def to_dict(self) -> dict[str, Any]:
        return {"delta": list(self.delta), "alpha0": self.alpha0, "alpha": list(self.alpha), "U_G": self.U_G,
                "U_D": list(self.U_D), "regimes": [str(r) for r in self.regimes],
                "certified": self.certificate.certified, "certificate": self.certificate.to_dict(),
                "formulation": self.formulation, "solver": self.solver}


@dataclass(frozen=True)
class BargainingOutcome:
    """A bargaining solution: the chosen shares, the equilibrium they induce, and how it was found."""

    solution: str
    equilibrium: Equilibrium
    formulation: str
    solver: str
    status: str  # the solver layer's Status of the bargaining program ("optimal", "locally_optimal", ...)
    is_global: bool
    objective: float | None = None
    labels: tuple[str, ...] = ()  # second reading: free-rider (δ_i = 0) / contributor / abstainer (δ_i = 1)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def delta(self) -> tuple[float, ...]:
        return self.equilibrium.delta

    @property
    def certified(self) -> bool:
        return self.is_global and self.equilibrium.certificate.certified

    def to_dict(self) -> dict[str, Any]:
        out = self.equilibrium.to_dict()
        out.update({"certified": self.certified, "solution": self.solution, "formulation": self.formulation,
                    "solver": self.solver, "status": self.status, "is_global": self.is_global,
                    "objective": self.objective, "labels": list(self.labels)})
        return out


@dataclass(frozen=True)
class ParetoComponent:
    """One connected piece of the Pareto set of δ: its sampled points and bounding box (an interval for n = 1)."""

    points: tuple[tuple[float, ...], ...]
    low: tuple[float, ...]
    high: tuple[float, ...]

    @property
    def interval(self) -> tuple[float, float]:
        if len(self.low) != 1:
            raise ValueError("interval is defined for one specialist only; use low/high (a bounding box)")
        return (self.low[0], self.high[0])

    def contains(self, delta: tuple[float, ...], tol: float = 1e-6) -> bool:
        return all(lo - tol <= d <= hi + tol for d, lo, hi in zip(delta, self.low, self.high, strict=True))


@dataclass(frozen=True)
class ParetoSet:
    """The Pareto-optimal shares as a list of components (it need not be connected)."""

    components: tuple[ParetoComponent, ...]
    resolution: float  # sampling step of the finest refinement
    method: str = "sampled frontier"

    def intervals(self) -> list[list[float]]:
        return [list(c.interval) for c in self.components]

    def contains(self, delta: tuple[float, ...], tol: float | None = None) -> bool:
        tol = 2 * self.resolution if tol is None else tol
        return any(c.contains(tuple(delta), tol) for c in self.components)
