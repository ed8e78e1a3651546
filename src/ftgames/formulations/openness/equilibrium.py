"""The subgame-perfect outcome of the openness game for a given δ: G compares its regimes (comply / pay / abstain),
each solved as an explicit program over ω with D's best response (substituted, or embedded through its KKT
conditions).

Formulations:
    "enumeration"  D's closed form (or exact bisection) substituted; each regime's ω found by comparing interval ends
                   (exact when V is convex in ω, the default forms) or by grid + golden-section refinement.
    "kkt"          each regime a leader–follower program (``ftgames.formulations.bilevel``): D's KKT conditions
                   with a complementarity ``encoding`` ("sos1", "bigm", ...), solved globally by SCIP and certified
                   by re-solving D's problem; ``via="pyomo"`` writes the same KKT program directly in Pyomo.
"""

from __future__ import annotations

import math

import numpy as np

from ...models.openness import OpennessEquilibrium, OpennessGame, RegimeValue
from ...solvers import SolveConfig, SolveFailed
from .enumeration import TIE, equilibrium_arrays

FORMULATIONS = ("enumeration", "kkt")


def solve_equilibrium(game: OpennessGame, formulation: str = "enumeration", *, encoding: str = "sos1",
                      solver: str | None = None, config: SolveConfig | None = None,
                      via: str = "bilevel") -> OpennessEquilibrium:
    """G's best regime and openness, D's fine-tuning, and both utilities at the game's δ."""
    if formulation == "enumeration":
        return _from_enumeration(game)
    if formulation == "kkt":
        if via not in ("bilevel", "pyomo"):
            raise ValueError(f"via must be 'bilevel' or 'pyomo', got {via!r}")
        return _from_kkt(game, encoding=encoding, solver=solver, config=config, via=via)
    raise ValueError(f"formulation must be one of {', '.join(FORMULATIONS)}, got {formulation!r}")


def _from_enumeration(game: OpennessGame) -> OpennessEquilibrium:
    arrays = equilibrium_arrays(game)
    values = []
    for name, reg in (("comply", arrays.comply), ("pay", arrays.pay)):
        if reg.feasible:
            values.append(RegimeValue(name, True, float(reg.omega[0]), float(reg.step[0]), float(reg.U_G[0]),
                                      float(reg.U_D[0]), certified=reg.certified, status="optimal"
                                      if reg.certified == "convex_endpoints" else "grid"))
        else:
            values.append(RegimeValue(name, False))
    return choose_regime(game, values, "enumeration")


def _from_kkt(game: OpennessGame, *, encoding: str, solver: str | None, config: SolveConfig | None,
              via: str) -> OpennessEquilibrium:
    from .kkt import solve_regime_bilevel, solve_regime_kkt

    solve_regime = solve_regime_bilevel if via == "bilevel" else solve_regime_kkt
    values = [solve_regime(game, name, encoding=encoding, solver=solver, config=config)
              for name in ("comply", "pay")]
    for value in values:
        if value.feasible and not value.certified:
            raise SolveFailed(f"openness KKT program of regime '{value.regime}' ended with status '{value.status}'")
    return choose_regime(game, values, f"kkt_{encoding}" if via == "bilevel" else f"kkt_direct_{encoding}")


def choose_regime(game: OpennessGame, values: list[RegimeValue], formulation: str) -> OpennessEquilibrium:
    """Comply iff U_G(comply) ≥ U_G(pay); abstain iff the better is < 0 (ties: comply, take part)."""
    comply, pay = values
    regulation = game.regulation
    use_pay = pay.feasible and pay.U_G > comply.U_G + TIE
    chosen = pay if use_pay else comply
    certified = _weakest([v.certified for v in values if v.feasible])
    if chosen.U_G < -TIE:
        return OpennessEquilibrium("abstain", math.nan, game.alpha0, math.nan, game.delta, 0.0, 0.0, 0.0, 0.0,
                                   tuple(values), formulation, certified)
    penalty_paid = regulation.penalty if use_pay else 0.0
    welfare = chosen.U_G + chosen.U_D + (penalty_paid if regulation.penalty_is_transfer else 0.0)
    return OpennessEquilibrium(chosen.regime, chosen.omega, game.alpha0, game.alpha0 + chosen.step, game.delta,
                               chosen.U_G, chosen.U_D, penalty_paid, welfare, tuple(values), formulation, certified)


def _weakest(labels: list[str]) -> str:
    order = ["local", "grid", "convex_endpoints", "global"]
    known = [label for label in labels if label in order]
    return min(known, key=order.index) if known else ""


def unregulated_openness(game: OpennessGame, alpha0s: np.ndarray) -> np.ndarray:
    """ω*(α0) without regulation at the game's δ (NaN where G abstains)."""
    out = np.empty(len(alpha0s))
    for i, a0 in enumerate(alpha0s):
        arrays = equilibrium_arrays(game.unregulated().replace(alpha0=float(a0)))
        out[i] = arrays.omega[0]
    return out


def compliance_loss(game: OpennessGame) -> float:
    """G's utility loss from complying: max_{ω∈[0,1]} V(ω) − max_{ω∈[θ,1]} V(ω) (≥ 0).  With p > 0 and G taking
    part, G complies iff p ≥ this loss (the comply/pay switching curve p*(θ))."""
    arrays = equilibrium_arrays(game.with_regulation(game.regulation.theta, 0.0))
    free = equilibrium_arrays(game.unregulated())
    return float(max(free.comply.U_G[0] - arrays.comply.U_G[0], 0.0))
