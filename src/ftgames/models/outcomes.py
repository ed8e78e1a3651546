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


class Level(StrEnum):
    """How much of an answer is proved: one vocabulary for every game and formulation."""

    GLOBAL = "global"  # proved: an exact method, or a global solver and an independent exact check
    LOCAL = "local"  # the checks pass but the leader's or the bargaining step's optimality is only local
    NONE = "none"  # a check failed, or the solve did not finish: not an equilibrium


#: Strength order of the levels, weakest first.
LEVEL_ORDER = (Level.NONE, Level.LOCAL, Level.GLOBAL)


def reported_status(status: str, level: str) -> str:
    """The status an answer is reported with: ``optimal`` only with a ``global`` certificate.  A solver's "optimal"
    for a program whose answer is certified only locally (a big-M encoding with an unproven M active) or not at all
    is reported ``locally_optimal``; every other status is kept."""
    return "locally_optimal" if str(status) == "optimal" and str(level) != Level.GLOBAL else str(status)


@dataclass(frozen=True)
class Certificate:
    """What was verified about an answer (``checks``: named numbers or flags, e.g. follower gaps, complementarity
    residual, primal infeasibility, active unproven big-M, agreement with an exact evaluation), the resulting
    ``level``, and ``reasons`` in words why the level is not ``global``."""

    level: Level
    method: str = ""
    checks: dict[str, Any] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", Level(self.level))
        object.__setattr__(self, "reasons", tuple(self.reasons))

    @property
    def is_global(self) -> bool:
        """True iff the level is ``global`` (the one meaning of "certified" in ftgames)."""
        return self.level is Level.GLOBAL

    @property
    def certified(self) -> bool:
        """Same as :attr:`is_global`."""
        return self.level is Level.GLOBAL

    @property
    def follower_gap(self) -> float | None:
        return self.checks.get("follower_gap")

    @property
    def leader_gap(self) -> float | None:
        return self.checks.get("leader_gap")

    def to_dict(self) -> dict[str, Any]:
        return {"level": str(self.level), "method": self.method, "checks": dict(self.checks),
                "reasons": list(self.reasons)}

    @staticmethod
    def weakest(certificates: list[Certificate], method: str = "") -> Certificate:
        """The combination of several stages' certificates: the lowest level, every check and reason kept."""
        if not certificates:
            return Certificate(Level.NONE, method, reasons=("nothing was computed",))
        level = min((c.level for c in certificates), key=LEVEL_ORDER.index)
        checks: dict[str, Any] = {}
        reasons: list[str] = []
        for c in certificates:
            checks.update(c.checks)
            reasons.extend(r for r in c.reasons if r not in reasons)
        return Certificate(level, method or " + ".join(c.method for c in certificates if c.method), checks,
                           tuple(reasons))


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
    formulation: str = ""  # kind[:encoding]
    solver: str = ""  # how it was computed, in words ("analytic", "scip+active-set-polish", ...)
    generalist_participates: bool = True
    status: str = "optimal"  # the one status vocabulary (ftgames.solvers.Status values)
    backend: str | None = None  # the solver backend that ran the main program; None for analytic methods
    build_time: float = 0.0  # seconds spent building programs (0 for analytic methods)

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
                "status": self.status, "certificate": self.certificate.to_dict(),
                "formulation": self.formulation, "backend": self.backend, "method": self.solver}


@dataclass(frozen=True)
class BargainingOutcome:
    """A bargaining solution: the chosen shares, the equilibrium they induce, and how it was found."""

    solution: str
    equilibrium: Equilibrium
    formulation: str  # kind[:encoding] of the bargaining program
    solver: str  # how it was computed, in words
    status: str  # the solver layer's Status of the bargaining program ("optimal", "locally_optimal", ...)
    is_global: bool
    objective: float | None = None
    labels: tuple[str, ...] = ()  # second reading: free-rider (δ_i = 0) / contributor / abstainer (δ_i = 1)
    details: dict[str, Any] = field(default_factory=dict)
    backend: str | None = None  # the solver backend that ran the bargaining program; None for exact methods

    @property
    def delta(self) -> tuple[float, ...]:
        return self.equilibrium.delta

    @property
    def certificate(self) -> Certificate:
        """The bargaining program's own certificate: global for a proved optimum (convex program or exact method,
        or a global solver), local for a local optimum, none otherwise."""
        ok = self.status in ("optimal", "locally_optimal")
        level = Level.GLOBAL if ok and self.is_global else Level.LOCAL if ok else Level.NONE
        reasons = () if level is Level.GLOBAL else (
            (f"bargaining program: {self.formulation} ({self.solver}) found a local optimum only",) if ok else
            (f"bargaining program ended with status {self.status}",))
        if level is not Level.GLOBAL and self.details.get("why_not_global"):
            reasons = (*reasons, str(self.details["why_not_global"]))
        return Certificate(level, self.formulation, {"bargaining_proved_global": bool(self.is_global)}, reasons)

    @property
    def overall(self) -> Certificate:
        """Bargaining and the equilibrium it induces together (the weaker of the two)."""
        return Certificate.weakest([self.certificate, self.equilibrium.certificate])

    @property
    def certified(self) -> bool:
        """True iff both the bargaining program and the induced equilibrium are certified global."""
        return self.overall.is_global

    def to_dict(self) -> dict[str, Any]:
        out = self.equilibrium.to_dict()
        out.update({"solution": self.solution, "formulation": self.formulation, "backend": self.backend,
                    "method": self.solver, "status": self.status, "certificate": self.overall.to_dict(),
                    "objective": self.objective, "labels": list(self.labels)})
        return out
