"""Closed-form subgame-perfect equilibrium for polynomial costs and linear revenue (no entry decisions).

    Δ_i = α_i* − α0* = φ_i'^{-1}((1 − δ_i) r_i) = (((1 − δ_i) r_i − b_i)_+ / (k_i c_i))^(1/(k_i − 1))
    α0* = φ0'^{-1}(Σ_j δ_j r_j)            = (Σ_j δ_j r_j / (k0 c0))^(1/(k0 − 1))

Δ_i does not depend on α0, so G's reduced problem Σ δ_j r_j (α0 + Δ_j) − c0 α0^k0 is concave with the root above.
Evaluated as numpy arrays (:mod:`.vectorised`): O(n), any number of specialists.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import Equilibrium
from .certificate import make_vectorised_equilibrium


def check_applicable(game: FineTuningGame) -> None:
    if not game.linear_revenue:
        raise ModelError("formulation 'closed_form' needs linear revenue (revenue_power = 1); use 'kkt' or "
                         "'enumeration'")
    if game.has_entry_decisions:
        raise ModelError("formulation 'closed_form' needs entry_cost = 0 and outside_option = 0 for every player "
                         "(participation is then a discrete choice); use 'enumeration'")


def solve_closed_form(game: FineTuningGame, delta: float | Sequence[float]) -> Equilibrium:
    """The SPE at shares δ from the closed form (exact)."""
    check_applicable(game)
    return make_vectorised_equilibrium(game, delta, formulation="closed_form")
