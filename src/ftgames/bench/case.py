"""What a benchmark suite is made of: cases (one formulation × backend on one instance of one size) and skips."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..models.outcomes import reported_status

SCALES = ("small", "full")
#: The certificate levels of :class:`ftgames.models.outcomes.Level` (the one vocabulary of every game).
LEVELS = ("global", "local", "none")


@dataclass(frozen=True)
class BenchOptions:
    """``scale``: "small" (minutes on a laptop) or "full"; ``max_size`` caps instance sizes; ``time_limit`` per run.

    ``instances``, ``formulations``, ``backends``: fnmatch glob patterns (case-sensitive); when given, the runner
    runs only the cases whose field matches one of them (``None``: every case). ``max_size`` is applied by the
    runner to every suite, whether or not the suite uses :meth:`sizes`."""

    scale: str = "small"
    max_size: int | None = None
    time_limit: float = 10.0
    repeats: int = 3
    instances: tuple[str, ...] | None = None
    formulations: tuple[str, ...] | None = None
    backends: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {self.scale!r}")
        if not self.time_limit > 0:
            raise ValueError(f"time limit must be > 0 seconds, got {self.time_limit}")
        if self.repeats < 1:
            raise ValueError(f"repeats must be >= 1, got {self.repeats}")
        if self.max_size is not None and self.max_size < 1:
            raise ValueError(f"max size must be >= 1, got {self.max_size}")
        for name in ("instances", "formulations", "backends"):
            patterns = getattr(self, name)
            if patterns is not None:
                patterns = (patterns,) if isinstance(patterns, str) else tuple(patterns)
                if not patterns or not all(isinstance(p, str) and p for p in patterns):
                    raise ValueError(f"{name} must be non-empty glob patterns, got {patterns!r}")
                object.__setattr__(self, name, patterns)

    def sizes(self, small: Iterable[int], full: Iterable[int]) -> list[int]:
        """The sizes of the chosen scale, capped by ``max_size``."""
        chosen = list(small if self.scale == "small" else full)
        return [s for s in chosen if self.max_size is None or s <= self.max_size]


@dataclass(frozen=True)
class RunOutcome:
    """One timed run.  ``status`` uses the solver layer's names (optimal, locally_optimal, time_limit, infeasible,
    error, …; plus ``not_applicable``); ``certificate`` is the level of what was proved: ``global`` (an exact method,
    or a global solver and an independent check), ``local`` (checked, nothing proved globally) or ``none``."""

    status: str
    certificate: str  # global | local | none
    objective: float | None = None
    build_time: float = 0.0  # as the formulation reports it
    solve_time: float = 0.0  # as the formulation reports it
    message: str = ""
    wall_time: float | None = None  # measured by the runner around the whole case
    stats: dict[str, float] = field(default_factory=dict)  # dual_bound, gap, nodes, iterations (SolveResult.stats)

    def __post_init__(self) -> None:
        level = str(self.certificate)  # a Level enum member is welcome too
        if level == "no":  # the vocabulary before the one certificate vocabulary
            warnings.warn("RunOutcome certificate 'no' is deprecated; write 'none'", DeprecationWarning, stacklevel=3)
            level = "none"
        if level not in LEVELS:
            raise ValueError(f"certificate must be one of {', '.join(LEVELS)}, got {self.certificate!r}")
        object.__setattr__(self, "certificate", level)
        object.__setattr__(self, "status", reported_status(self.status, level))

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "locally_optimal")

    @property
    def total_time(self) -> float:
        """The runner's wall clock around the case (never less than what the formulation reports)."""
        return max(self.wall_time or 0.0, self.build_time + self.solve_time)

    @classmethod
    def from_result(cls, result: Any, objective: float | None = None, build_time: float | None = None) -> RunOutcome:
        """From a :class:`ftgames.solvers.SolveResult` (objective overridable, e.g. a utility computed from it)."""
        status = str(result.status)
        ok = status in ("optimal", "locally_optimal")
        level = "global" if ok and result.is_global else ("local" if ok else "none")
        return cls(status, level, result.objective if objective is None else objective,
                   result.build_time if build_time is None else build_time, result.solve_time, result.message)


@dataclass(frozen=True)
class Case:
    """Run ``run(time_limit)`` → :class:`RunOutcome`; ``reference`` is the known objective (closed form/literature)."""

    instance: str
    size: int
    formulation: str
    backend: str
    run: Callable[[float], RunOutcome] = field(compare=False, repr=False)
    reference: float | None = None
    tolerance: float = 1e-6  # relative error max(1, |reference|) accepted as correct
    baseline: bool = False  # the exact/closed-form run other formulations' times are divided by (same instance, size)

    @property
    def series(self) -> tuple[str, str, str]:
        """Cases of one series differ only in size: once one exceeds the time limit, larger ones are skipped."""
        return (self.instance, self.formulation, self.backend)


@dataclass(frozen=True)
class Skip:
    """A combination that cannot run here, with the reason (module missing, backend unavailable, not applicable)."""

    instance: str
    formulation: str
    backend: str
    reason: str
    size: int | None = None


@dataclass(frozen=True)
class Suite:
    """A named family of cases; ``cases(options)`` enumerates them (deterministically, for distributed runs)."""

    name: str
    description: str
    cases: Callable[[BenchOptions], Iterable[Case | Skip]] = field(repr=False)
    #: Imported once before any run, so that forked runs do not pay (or time) these imports.
    warm_imports: tuple[str, ...] = ("numpy", "cvxpy", "pyomo.environ")
    #: Expected run time of the small scale in minutes, shown by ``ftgames bench --list`` (None: not declared).
    expected_minutes: float | None = None
