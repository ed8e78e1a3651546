"""One result type for every solve, whichever backend produced it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np


class Status(StrEnum):
    OPTIMAL = "optimal"  # proved optimal by a global method, or a convex program solved to tolerance
    LOCALLY_OPTIMAL = "locally_optimal"  # a local NLP method converged; nothing is proved globally
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    TIME_LIMIT = "time_limit"
    INACCURATE = "inaccurate"  # the solver stopped with a solution it could not certify to tolerance
    ERROR = "error"


class SolveFailed(RuntimeError):
    """Raised when values of a failed solve are requested as if it had succeeded."""


@dataclass
class SolveResult:
    """Outcome of one solve.

    ``values`` maps each variable's name (Pyomo ``component.name`` such as ``alpha[1]``, CVXPY ``Variable.name()``)
    to its value.  After a failed solve it holds only an incumbent, if the solver had one; :meth:`value` refuses
    to read it unless asked explicitly.
    """

    status: Status
    backend: str
    formulation: str = ""
    is_global: bool = False
    objective: float | None = None
    values: dict[str, Any] = field(default_factory=dict)
    duals: dict[str, Any] = field(default_factory=dict)
    build_time: float = 0.0
    solve_time: float = 0.0
    message: str = ""
    log: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.LOCALLY_OPTIMAL)

    @property
    def total_time(self) -> float:
        return self.build_time + self.solve_time

    def value(self, name: str, *, allow_incumbent: bool = False) -> Any:
        """Value of variable ``name``; raises :class:`SolveFailed` unless the solve succeeded."""
        if not self.ok and not allow_incumbent:
            raise SolveFailed(
                f"{self.backend} solve of {self.formulation or 'program'} ended with status "
                f"'{self.status}': {self.message or 'no solution'}"
            )
        if name not in self.values:
            raise KeyError(f"no variable named {name!r}; known: {sorted(self.values)[:20]}")
        return self.values[name]

    def raise_for_status(self) -> SolveResult:
        if not self.ok:
            raise SolveFailed(
                f"{self.backend} solve of {self.formulation or 'program'} ended with status "
                f"'{self.status}': {self.message}"
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return np.asarray(v).tolist() if isinstance(v, np.ndarray) else v

        return {
            "status": str(self.status),
            "backend": self.backend,
            "formulation": self.formulation,
            "is_global": self.is_global,
            "objective": self.objective,
            "values": {k: plain(v) for k, v in self.values.items()},
            "build_time": self.build_time,
            "solve_time": self.solve_time,
            "message": self.message,
        }
