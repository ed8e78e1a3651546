"""The investment stage at given shares δ as interchangeable formulations of the same subgame-perfect equilibrium.

``closed_form``  analytic (polynomial costs, linear revenue, no entry decisions)        exact
``kkt:<enc>``    the followers' KKT conditions through the leader–follower layer, encodings
                 sos1 / bigm / indicator / product; global with SCIP (the default policy while small),
                 local with Ipopt
``enumeration``  over participation sets (entry costs, outside options)                  exact for linear revenue
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...errors import OptionError
from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import Equilibrium
from ..grammar import parse_formulation
from .closed_form import solve_closed_form
from .enumeration import solve_enumeration
from .leader import exact_leader

FORMULATIONS = ("closed_form", "enumeration", "kkt:sos1", "kkt:bigm", "kkt:indicator", "kkt:product")


def solve_equilibrium(game: FineTuningGame, delta: float | Sequence[float], formulation: Any = "closed_form",
                      **options: Any) -> Equilibrium:
    """The SPE at shares δ with the named formulation (``kind[:encoding]``, see :data:`FORMULATIONS`).

    ``options`` go to the formulation: for ``kkt`` they are ``solver``, ``config``, ``polish`` and the encoding's
    own options (see :func:`ftgames.formulations.equilibrium.kkt.solve_kkt`); ``closed_form`` and ``enumeration``
    take only ``config`` (ignored: they run no solver).  An unknown option raises :class:`OptionError`.
    """
    if "encoding" in options:  # the old spelling solve_equilibrium(g, d, "kkt", encoding="bigm")
        formulation = (formulation, options.pop("encoding"))
    form = parse_formulation(formulation, FORMULATIONS, source="solve_equilibrium(formulation=...)")
    if form.kind == "kkt":
        from .kkt import solve_kkt
        from .parametric import solve_in_scope

        reused = solve_in_scope(game, delta, form.encoding, options)  # inside reuse_programs(): a re-solve
        return reused if reused is not None else solve_kkt(game, delta, encoding=form.encoding, **options)
    unknown = sorted(set(options) - {"config", "solver"})
    if unknown:
        raise OptionError(f"solve_equilibrium: formulation {str(form)!r} takes no option(s) {', '.join(unknown)}; "
                          "valid: config, solver (both unused: it runs no solver)")
    return solve_closed_form(game, delta) if form.kind == "closed_form" else solve_enumeration(game, delta)


def default_formulation(game: FineTuningGame) -> str:
    """closed_form when it applies, else enumeration."""
    return "closed_form" if game.linear_revenue and not game.has_entry_decisions else "enumeration"


__all__ = ["FORMULATIONS", "solve_equilibrium", "solve_closed_form", "solve_enumeration", "exact_leader",
           "default_formulation"]
