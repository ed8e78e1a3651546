"""The investment stage at given shares δ as interchangeable formulations of the same subgame-perfect equilibrium.

``closed_form``  analytic (polynomial costs, linear revenue, no entry decisions)        exact
``kkt``          the followers' KKT conditions through the leader–follower layer:
                 encodings sos1 / bigm / indicator (SCIP: global), product (Ipopt: local)
``enumeration``  over participation sets (entry costs, outside options)                  exact for linear revenue
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import Equilibrium
from .closed_form import solve_closed_form
from .enumeration import exact_leader, solve_enumeration

FORMULATIONS = ("closed_form", "kkt", "enumeration")


def solve_equilibrium(game: FineTuningGame, delta: float | Sequence[float], formulation: str = "closed_form",
                      **options: Any) -> Equilibrium:
    """The SPE at shares δ with the named formulation (``options``: ``encoding``, ``solver``, ``config`` for kkt)."""
    if formulation == "closed_form":
        return solve_closed_form(game, delta)
    if formulation == "enumeration":
        return solve_enumeration(game, delta)
    if formulation == "kkt":
        from .kkt import solve_kkt

        return solve_kkt(game, delta, **options)
    raise ModelError(f"formulation must be one of {', '.join(FORMULATIONS)}, got {formulation!r}")


def default_formulation(game: FineTuningGame) -> str:
    """closed_form when it applies, else enumeration."""
    return "closed_form" if game.linear_revenue and not game.has_entry_decisions else "enumeration"


__all__ = ["FORMULATIONS", "solve_equilibrium", "solve_closed_form", "solve_enumeration", "exact_leader",
           "default_formulation"]
