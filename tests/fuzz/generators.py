"""Seeded random games for the fuzz battery.  Every generator takes a ``numpy.random.Generator`` and returns the
game plus a dict of its parameters (rounded to 4 decimals, so that a failure message rebuilds the game exactly)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ftgames.models import FineTuningGame
from ftgames.models.fine_tuning import Generalist, Specialist as FTSpecialist
from ftgames.models.openness import OpennessGame, PowerProductionCost, make_term
from ftgames.models.safety import SafetyGame, Specialist


def _r(x: float) -> float:
    return round(float(x), 4)


# ------------------------------------------------------------------------------------------------- fine-tuning
def fine_tuning_params(rng: np.random.Generator) -> dict[str, Any]:
    n = int(rng.integers(1, 4))
    return {
        "c0": _r(rng.uniform(0.5, 2.0)),
        "costs": [_r(v) for v in rng.uniform(0.4, 2.5, n)],
        "revenues": [_r(v) for v in rng.uniform(0.5, 2.5, n)],
        "marginal_cost": [_r(v) if rng.random() < 0.5 else 0.0 for v in rng.uniform(0.0, 0.8, n)],
        "exponent": float(rng.choice([2.0, 3.0])),
        "constructor": str(rng.choice(["quadratic", "general"])),
        "delta": [_r(v) for v in rng.uniform(0.1, 0.95, n)],
    }


def fine_tuning_game(p: dict[str, Any]) -> FineTuningGame:
    """``quadratic`` (exponent 2 only) or the general constructor ``FineTuningGame(Generalist, specialists, k)``."""
    if p["constructor"] == "quadratic" and p["exponent"] == 2.0:
        return FineTuningGame.quadratic(p["c0"], p["costs"], p["revenues"], marginal_cost=p["marginal_cost"])
    specs = tuple(FTSpecialist(cost=c, revenue=r, marginal_cost=m, label=f"specialists[{i}]")
                  for i, (c, r, m) in enumerate(zip(p["costs"], p["revenues"], p["marginal_cost"], strict=True)))
    return FineTuningGame(Generalist(p["c0"]), specs, p["exponent"])


def bargaining_params(rng: np.random.Generator) -> dict[str, Any]:
    """Two specialists, linear revenue, one cost exponent in [2, 4], random Nash weights and disagreement points at
    least the outside options; entry costs in a third of the games, outside options in a fifth."""
    n = 2
    entry = [_r(v) for v in rng.uniform(0.0, 0.15, n)] if rng.random() < 1 / 3 else [0.0] * n
    outside = [_r(v) for v in rng.uniform(0.0, 0.1, n)] if rng.random() < 0.2 else [0.0] * n
    return {
        "c0": _r(rng.uniform(0.3, 3.0)),
        "costs": [_r(v) for v in rng.uniform(0.3, 3.0, n)],
        "revenues": [_r(v) for v in rng.uniform(0.3, 3.0, n)],
        "exponent": _r(rng.uniform(2.0, 4.0)) if rng.random() < 0.6 else 2.0,
        "entry_cost": entry,
        "outside_option": outside,
        "weights": [_r(v) for v in rng.uniform(0.5, 2.0, n + 1)],
        "disagreement": [_r(o + v) for o, v in zip([0.0, *outside], rng.uniform(0.0, 0.05, n + 1), strict=True)],
    }


def bargaining_game(p: dict[str, Any]) -> FineTuningGame:
    return FineTuningGame.polynomial(p["c0"], p["costs"], p["revenues"], exponent=p["exponent"],
                                     entry_cost=p["entry_cost"], outside_option=p["outside_option"])


# ------------------------------------------------------------------------------------------------------ safety
def spd(rng: np.random.Generator) -> list[list[float]]:
    """A random symmetric positive definite 2x2 matrix, well conditioned (as ../shared/tools/crosscheck.py)."""
    while True:
        a, b = rng.uniform(0.4, 2.0, 2)
        c = rng.uniform(-0.9, 0.9) * np.sqrt(a * b)
        a, b, c = _r(a), _r(b), _r(c)
        if a * b - c * c > 0.05 * a * b:
            return [[a, c], [c, b]]


def safety_params(rng: np.random.Generator, n: int) -> dict[str, Any]:
    return {
        "C0": spd(rng),
        "C": [spd(rng) for _ in range(n)],
        "r": [[_r(v) for v in rng.uniform(0.3, 1.5, 2)] for _ in range(n)],
        "delta": [_r(v) for v in rng.uniform(0.1, 0.9, n)],
        "theta_D": [_r(v) for v in rng.uniform(0.0, 1.6, n)],
        "theta_G": _r(rng.uniform(0.0, 0.8)),
    }


def safety_game(p: dict[str, Any]) -> SafetyGame:
    specs = tuple(Specialist(np.array(c), np.array(r), d, t, name=f"D{i + 1}")
                  for i, (c, r, d, t) in enumerate(zip(p["C"], p["r"], p["delta"], p["theta_D"], strict=True)))
    return SafetyGame(np.array(p["C0"]), specs, theta_G=p["theta_G"])


# ---------------------------------------------------------------------------------------------------- openness
def openness_params(rng: np.random.Generator) -> dict[str, Any]:
    """Every combination of the named families with linear revenue and a power production cost (the defaults:
    exponential discount, concave benefit, quadratic leak; the spec's linear forms; and the mixtures): each regime's
    optimum over ω is proved by the exact enumeration (convex endpoints or concave-convex)."""
    return {
        "cost": str(rng.choice(["exponential_discount", "openness_discounted"])),
        "benefit": str(rng.choice(["concave_quadratic", "linear"])),
        "leak": str(rng.choice(["quadratic_leak", "linear_leak"])),
        "kappa0": _r(rng.uniform(0.2, 3.0)), "lam": _r(rng.uniform(0.0, 0.9)), "epsilon": _r(rng.uniform(0.0, 0.3)),
        "curvature": _r(rng.uniform(0.0, 0.5)),
        "c_O": _r(rng.uniform(0.0, 1.0)), "c_P": _r(rng.uniform(0.0, 0.5)), "alpha0": _r(rng.uniform(0.0, 2.0)),
        "theta": _r(rng.uniform(0.0, 1.0)), "penalty": _r(rng.uniform(0.0, 0.3)),
    }


def openness_game(p: dict[str, Any], delta: float) -> OpennessGame:
    benefit = {"family": p["benefit"], "epsilon": p["epsilon"]}
    if p["benefit"] == "concave_quadratic":
        benefit["curvature"] = p["curvature"]
    return OpennessGame(
        alpha0=p["alpha0"], delta=delta,
        fine_tuning_cost=make_term("fine_tuning_cost", {"family": p["cost"], "kappa0": p["kappa0"], "lam": p["lam"]}),
        benefit=make_term("benefit", benefit),
        operation_cost=make_term("operation_cost", {"family": p["leak"], "c_O": p["c_O"]}),
        production_cost=PowerProductionCost(p["c_P"]),
    ).with_regulation(p["theta"], p["penalty"])
