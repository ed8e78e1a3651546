"""Effects of an open-source definition (θ, p): the regulated outcome against the unregulated one.

Both outcomes use the same bargaining solution (δ is re-bargained under regulation unless it is fixed).  With
ΔU_G, ΔU_D the changes in utility and ``tol`` a tolerance, the effect is

    no_change            |ΔU_G| ≤ tol and |ΔU_D| ≤ tol           (the definition does not bind)
    pareto_improvement   ΔU_G ≥ −tol, ΔU_D ≥ −tol, one > tol      (both gain)
    deadweight_loss      ΔU_G ≤ tol, ΔU_D ≤ tol, one < −tol       (regulation only costs: nobody gains)
    redistribution       one gains, the other loses

At a fixed δ regulation can only restrict G, so U_G never rises and a Pareto improvement needs re-bargaining of δ.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...models.openness import OpennessGame
from .bargaining import OpennessBargainingOutcome, bargain

EFFECTS = ("no_change", "pareto_improvement", "deadweight_loss", "redistribution")
TOLERANCE = 1e-7


@dataclass(frozen=True)
class RegulationEffect:
    effect: str
    unregulated: OpennessBargainingOutcome
    regulated: OpennessBargainingOutcome

    @property
    def change_U_G(self) -> float:
        return self.regulated.equilibrium.U_G - self.unregulated.equilibrium.U_G

    @property
    def change_U_D(self) -> float:
        return self.regulated.equilibrium.U_D - self.unregulated.equilibrium.U_D

    @property
    def change_welfare(self) -> float:
        return self.regulated.equilibrium.welfare - self.unregulated.equilibrium.welfare


def classify(change_g: float, change_d: float, tol: float = TOLERANCE) -> str:
    if abs(change_g) <= tol and abs(change_d) <= tol:
        return "no_change"
    if change_g >= -tol and change_d >= -tol:
        return "pareto_improvement"
    if change_g <= tol and change_d <= tol:
        return "deadweight_loss"
    return "redistribution"


def regulation_effect(game: OpennessGame, solution: str = "fixed", *, grid: int = 2001,
                      unregulated: OpennessBargainingOutcome | None = None) -> RegulationEffect:
    """Compare the game's regulation with none (pass ``unregulated`` to reuse it across a sweep)."""
    base = unregulated if unregulated is not None else bargain(game.unregulated(), solution, grid=grid)
    regulated = bargain(game, solution, grid=grid)
    change_g = regulated.equilibrium.U_G - base.equilibrium.U_G
    change_d = regulated.equilibrium.U_D - base.equilibrium.U_D
    return RegulationEffect(classify(change_g, change_d), base, regulated)
