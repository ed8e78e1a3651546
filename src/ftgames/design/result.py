"""What a program formulation returns (shared by the safety and openness programs)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

#: SCIP's feasibility tolerance for the design programs (a looser tolerance only relaxes them: a bound stays valid).
PROGRAM_TOLERANCE = 1e-7


@dataclass
class ProgramResult:
    applicable: bool
    reason: str = ""
    bound: float | None = None
    proved: bool = False
    rule: dict[str, float] | None = None
    relaxed_value: float | None = None
    attained: float | None = None
    cases: list[dict[str, Any]] = field(default_factory=list)
    backend: str | None = None

    def to_dict(self) -> dict[str, Any]:
        def fin(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else float(x)

        # an unproved "bound" is only the best of the cases that finished: no bound at all, so not reported
        return {"applicable": self.applicable, "reason": self.reason or None,
                "bound": fin(self.bound) if self.proved else None,
                "bound_is_infeasible": self.proved and self.bound is not None and self.bound == -math.inf,
                "proved": self.proved, "rule": self.rule, "relaxed_value": fin(self.relaxed_value),
                "attained": fin(self.attained), "backend": self.backend, "cases": self.cases,
                "status": ("optimal" if self.proved else "not_computed" if not self.applicable else "error")}
