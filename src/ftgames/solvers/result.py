"""One result type for every solve, whichever backend produced it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from ..errors import SolveError


class Status(StrEnum):
    """The one status vocabulary of every solve and every game outcome (``docs/contracts.md``)."""

    OPTIMAL = "optimal"  # proved optimal by a global method, or a convex program solved to tolerance
    LOCALLY_OPTIMAL = "locally_optimal"  # a local NLP method converged; nothing is proved globally
    TIME_LIMIT = "time_limit"  # stopped by a time, iteration or evaluation limit (an incumbent may exist)
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"  # the solver failed, or stopped with a point it could not bring to tolerance ("inaccurate")
    NOT_COMPUTED = "not_computed"  # deliberately not attempted (the message says why)


class SolveFailed(SolveError):
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
    backend_source: str = ""  # who chose the backend: keyword, --solver, FTGAMES_SOLVER, a file key, default policy
    is_global: bool = False
    objective: float | None = None
    values: dict[str, Any] = field(default_factory=dict)
    # Constraint duals, one convention for every backend and layer (docs/solvers.md, "Duals"):
    # dual = d(optimal objective value) / d(rhs) of the row written body <= rhs, body >= rhs or body == rhs, in the
    # objective's own sense (min: a binding >= row has dual >= 0, a <= row <= 0; max: the reverse).  Keyed by the
    # constraint's full name: Pyomo ``c.name`` (``balance[2]``, ``lower.c1``); CVXPY the constraint's label, else
    # ``constraint[<index in problem.constraints>]`` (``ftgames.solvers.cvxpy_dual_labels`` maps ``c.id`` to it,
    # ``dual_of`` looks a constraint up).  Vector CVXPY constraints keep numpy arrays.  Empty when the backend or
    # program has no duals (SCIP, a MIP, CVXPY's IPOPT): the message then says why.
    duals: dict[str, Any] = field(default_factory=dict)
    build_time: float = 0.0  # wall-clock seconds spent building the program (0 when it was handed in built)
    solve_time: float = 0.0  # wall-clock seconds around the backend call (interface overhead included)
    solver_time: float | None = None  # the backend's own report of its time, when it gives one
    # What solver papers report, where the backend gives it: "dual_bound" (the best proved bound on the objective),
    # "gap" (relative primal–dual gap, the backend's definition), "nodes" (branch-and-bound nodes), "iterations"
    # (simplex/LP, barrier or NLP iterations).  Missing keys: the backend does not report them.
    stats: dict[str, float] = field(default_factory=dict)
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
            "duals": {k: [plain(x) for x in v] if isinstance(v, list) else plain(v) for k, v in self.duals.items()},
            "build_time": self.build_time,
            "solve_time": self.solve_time,
            "total_time": self.total_time,
            "backend_source": self.backend_source,
            "message": self.message,
        }
