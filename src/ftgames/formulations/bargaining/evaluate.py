"""What every bargaining formulation computes from its answer δ: the exact equilibrium there, the criterion's value
and the second reading of each domain's label (shared by :mod:`.solutions` and :mod:`.parametric`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import Equilibrium
from ..equilibrium import default_formulation, solve_equilibrium


def exact_equilibrium(game: FineTuningGame, delta: Sequence[float]) -> Equilibrium:
    """The SPE at δ by the exact formulation that applies (closed form, else enumeration)."""
    clipped = [min(max(float(d), 0.0), 1.0) for d in delta]
    return solve_equilibrium(game, clipped, default_formulation(game))


def labels_of(delta: Sequence[float], tol: float = 1e-6) -> tuple[str, ...]:
    """Second reading of the regimes: free-rider (δ_i = 0, pays G nothing), contributor, abstainer (δ_i = 1)."""
    return tuple("free-rider" if d <= tol else "abstainer" if d >= 1 - tol else "contributor" for d in delta)


def objective_value(game: FineTuningGame, name: str, delta, weights, disagreement) -> float:
    """The bargaining criterion ``name`` at δ, from the exact equilibrium there."""
    return objective_of(exact_equilibrium(game, delta), name, weights, disagreement)


def objective_of(eq: Equilibrium, name: str, weights, disagreement) -> float:
    """The bargaining criterion ``name`` of the equilibrium ``eq``."""
    us = np.array([eq.U_G, *eq.U_D])
    d = np.array(disagreement)
    if name == "utilitarian":
        return float(us.sum())
    if name == "nash":
        gains = us - d
        return float(np.sum(np.array(weights) * np.log(gains))) if np.all(gains > 0) else -math.inf
    if name == "generalist_optimal":
        return float(us[0])
    if name == "specialist_optimal":
        return float(us[1:].sum())
    if name == "max_performance":
        return float(np.mean(eq.alpha))
    return float(np.min(us - d))
