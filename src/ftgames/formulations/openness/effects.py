"""Effects of an open-source definition (θ, p): the regulated outcome against the unregulated one.

Both outcomes use the same bargaining solution (δ is re-bargained under regulation unless it is fixed).  With
ΔU_G, ΔU_D the changes in utility and ``tol`` a tolerance, the effect is

    no_change            |ΔU_G| ≤ tol and |ΔU_D| ≤ tol           (the definition does not bind)
    pareto_improvement   ΔU_G ≥ −tol, ΔU_D ≥ −tol, one > tol      (both gain)
    deadweight_loss      ΔU_G ≤ tol, ΔU_D ≤ tol, one < −tol       (regulation only costs: nobody gains)
    redistribution       one gains, the other loses

Without a compliance term, regulation at a fixed δ can only restrict G, so U_G never rises and a Pareto improvement
needs re-bargaining of δ.  An exemption (a compliance term K < 0, ``[model.compliance_cost]``) can make G gain at a
fixed δ.  :func:`mechanism` says which produced an effect: the channels at work in the regulated outcome
(``penalty``: G pays; ``forced_openness``: G meets a threshold above its unregulated ω; ``compliance_cost`` or
``exemption``: the compliance term; ``rebargaining``: the bargained δ moved) and, for a Pareto improvement, its source
("exemption" when it already holds at the unregulated δ thanks to an exemption, "rule" when it holds there
without one, else "rebargaining").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...models.openness import OpennessEquilibrium, OpennessGame
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

    def mechanism(self, game: OpennessGame) -> dict[str, Any]:
        return mechanism(game, self.regulated.equilibrium, self.unregulated.equilibrium)


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


def mechanism(game: OpennessGame, regulated: OpennessEquilibrium, unregulated: OpennessEquilibrium,
              tol: float = TOLERANCE) -> dict[str, Any]:
    """What produced the effect of ``game``'s regulation: ``channels`` at work in the regulated outcome, the change
    at the unregulated δ (``at_fixed_share``: the rule alone) and, for a Pareto improvement, its ``source``."""
    from .equilibrium import solve_equilibrium

    channels = []
    if regulated.regime == "pay":
        channels.append("penalty")
    if regulated.regime == "comply" and game.regulation.active:
        if unregulated.regime != "abstain" and regulated.omega > unregulated.omega + 1e-9:
            channels.append("forced_openness")
        term = float(game.compliance_cost(regulated.omega))
        if term > tol:
            channels.append("compliance_cost")
        elif term < -tol:
            channels.append("exemption")
    if abs(regulated.delta - unregulated.delta) > 1e-12:
        channels.append("rebargaining")
    fixed = regulated if "rebargaining" not in channels else solve_equilibrium(game.with_delta(unregulated.delta))
    change_g, change_d = fixed.U_G - unregulated.U_G, fixed.U_D - unregulated.U_D
    effect = classify(regulated.U_G - unregulated.U_G, regulated.U_D - unregulated.U_D, tol)
    source = None
    if effect == "pareto_improvement":
        if classify(change_g, change_d, tol) == "pareto_improvement":  # the rule alone, at the same δ
            source = "exemption" if "exemption" in channels else "rule"
        else:
            source = "rebargaining"
    return {"channels": channels, "source": source,
            "at_fixed_share": {"effect": classify(change_g, change_d, tol), "change_U_G": change_g,
                               "change_U_D": change_d}}


LEVERS = ("none", "theta", "penalty", "abstain")


def lever(regulated: OpennessEquilibrium, unregulated: OpennessEquilibrium, theta: float, tol: float = 1e-9) -> str:
    """Which instrument changes G's release if raised a little, at the regulated outcome (δ held):

    ``penalty``  G pays (p < L(θ)): raising p to L(θ) makes it comply; raising θ changes nothing
    ``theta``    G complies at ω = θ above its unregulated ω*: raising θ raises the release; raising p changes nothing
    ``none``     the definition does not bind (G releases at least θ anyway): neither changes the release
    ``abstain``  G does not release."""
    if regulated.regime == "abstain":
        return "abstain"
    if regulated.regime == "pay":
        return "penalty"
    free = unregulated.omega if unregulated.regime != "abstain" else -1.0
    return "theta" if abs(regulated.omega - theta) <= tol and regulated.omega > free + tol else "none"
