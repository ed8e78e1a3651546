"""Bargaining instances with closed-form solutions (``spec/bilevel-instances.md``), kept as data.

Each instance gives the feasible utility set as a frontier ``u2 <= frontier(u1)`` (two players) or ``sum u <= 1``
(n players), the disagreement point, bargaining weights, and the known solution(s) by solution concept:
``"nash"`` (asymmetric Nash with the given weights), ``"kalai_smorodinsky"``, ``"egalitarian"``.  The bargaining
programs themselves live in ``ftgames.formulations.bargaining``; tests in ``tests/bilevel/test_catalogue.py`` use
them when they expose a solver for these sets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BargainingInstance:
    key: str
    description: str
    players: int
    disagreement: tuple[float, ...]
    weights: tuple[float, ...]
    frontier: str  # "linear": sum u <= 1 ; "quadratic": u2 <= 1 - u1**2
    solutions: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def feasible(self, u: Any) -> list:
        """The feasible utility set as CVXPY constraints on the utility vector ``u``."""
        import cvxpy as cp

        if self.frontier == "linear":
            return [cp.sum(u) <= 1]
        return [u[1] + cp.square(u[0]) <= 1]


def _symmetric(n: int) -> BargainingInstance:
    share = tuple([1.0 / n] * n)
    return BargainingInstance(f"symmetric_{n}", f"{n} symmetric players, sum u <= 1, d = 0", n, tuple([0.0] * n),
                              tuple([1.0 / n] * n), "linear",
                              {"nash": share, "kalai_smorodinsky": share, "egalitarian": share})


GOLDEN = (math.sqrt(5) - 1) / 2

BARGAINING_INSTANCES: tuple[BargainingInstance, ...] = (
    BargainingInstance("split_the_dollar", "u1 + u2 <= 1, d = (0.2, 0.1)", 2, (0.2, 0.1), (0.5, 0.5), "linear",
                       {"nash": (0.55, 0.45)}),
    BargainingInstance("asymmetric_nash", "u1 + u2 <= 1, d = 0, weights (0.7, 0.3)", 2, (0.0, 0.0), (0.7, 0.3),
                       "linear", {"nash": (0.7, 0.3)}),
    BargainingInstance("quadratic_frontier", "u2 <= 1 - u1^2, d = 0 (Nash and KS differ)", 2, (0.0, 0.0),
                       (0.5, 0.5), "quadratic",
                       {"nash": (1 / math.sqrt(3), 2 / 3), "kalai_smorodinsky": (GOLDEN, GOLDEN)}),
    _symmetric(3),
)
