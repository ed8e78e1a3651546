"""The subgame-perfect outcome of the openness game for a given δ: G compares its regimes (comply / pay / abstain),
each solved as an explicit program over ω with D's best response (substituted, or embedded through its KKT
conditions).

Formulations:
    "enumeration"  D's closed form (or exact bisection) substituted; each regime's ω found by comparing interval ends
                   (exact when V is convex in ω, the default forms) or by grid + golden-section refinement.
    "kkt:<enc>"    each regime a leader–follower program (``ftgames.formulations.bilevel``): D's KKT conditions
                   with a complementarity encoding (sos1, bigm, indicator, product), solved globally by SCIP (the
                   default policy) and certified by re-solving D's problem;
    "kkt_direct:<enc>"  the same KKT program written directly in Pyomo (encodings sos1, bigm).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from ...models.openness import PROVED, OpennessEquilibrium, OpennessGame, RegimeValue
from ...solvers import SolveConfig, SolveFailed
from ..grammar import parse_formulation
from .enumeration import TIE, equilibrium_arrays

FORMULATIONS = ("enumeration", "kkt:sos1", "kkt:bigm", "kkt:indicator", "kkt:product", "kkt_direct:sos1",
                "kkt_direct:bigm")


def solve_equilibrium(game: OpennessGame, formulation: Any = "enumeration", *, encoding: str | None = None,
                      solver: str | None = None, config: SolveConfig | None = None,
                      via: str | None = None) -> OpennessEquilibrium:
    """G's best regime and openness, D's fine-tuning, and both utilities at the game's δ.

    ``formulation`` is ``kind[:encoding]`` (:data:`FORMULATIONS`): ``kkt:<enc>`` goes through the bilevel layer,
    ``kkt_direct:<enc>`` writes the KKT program directly in Pyomo.  (``encoding=`` and ``via="pyomo"`` are the older
    spelling of the same choice.)"""
    if encoding is not None or via is not None:
        if via not in (None, "bilevel", "pyomo"):
            raise ValueError(f"via must be 'bilevel' or 'pyomo', got {via!r}")
        if formulation == "kkt":
            formulation = ("kkt_direct" if via == "pyomo" else "kkt", encoding or "sos1")
    form = parse_formulation(formulation, FORMULATIONS, source="solve_equilibrium(formulation=...)")
    if form.kind == "enumeration":
        return _from_enumeration(game)
    return _from_kkt(game, encoding=form.encoding, solver=solver, config=config,
                     via="pyomo" if form.kind == "kkt_direct" else "bilevel")


def _from_enumeration(game: OpennessGame) -> OpennessEquilibrium:
    arrays = equilibrium_arrays(game, verify=True)
    values = []
    for name, reg in (("comply", arrays.comply), ("pay", arrays.pay)):
        if reg.feasible:
            values.append(RegimeValue(name, True, float(reg.omega[0]), float(reg.step[0]), float(reg.U_G[0]),
                                      float(reg.U_D[0]), proof=reg.proof,
                                      status="optimal" if reg.proof in PROVED else "locally_optimal"))
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
        if value.feasible and not value.proof:
            raise SolveFailed(f"openness KKT program of regime '{value.regime}' ended with status '{value.status}'")
    eq = choose_regime(game, values, f"kkt:{encoding}" if via == "bilevel" else f"kkt_direct:{encoding}")
    return _checked_against_exact(game, eq)


#: a global KKT claim agrees with the exact enumeration to this (relative on utilities, absolute on ω)
AGREEMENT_TOL = 1e-6


def _checked_against_exact(game: OpennessGame, eq: OpennessEquilibrium) -> OpennessEquilibrium:
    """A global claim must agree with the enumeration where that is exact (objective convex in ω: the default
    forms); otherwise it is withdrawn to ``local`` with the reason."""
    if not eq.certificate.is_global:
        return eq
    exact = _from_enumeration(game)
    if not exact.certificate.is_global:
        return eq  # nothing exact to compare with (the enumeration searched a grid)
    scale = max(1.0, abs(exact.U_G), abs(exact.U_D))
    same = (eq.regime == exact.regime and abs(eq.U_G - exact.U_G) <= AGREEMENT_TOL * scale
            and abs(eq.U_D - exact.U_D) <= AGREEMENT_TOL * scale
            and (eq.regime == "abstain" or abs(eq.omega - exact.omega) <= AGREEMENT_TOL))
    if same:
        return eq
    note = (f"differs from the exact enumeration (regime {exact.regime}, ω = {exact.omega:.6g}, "
            f"U_G = {exact.U_G:.6g}) by more than {AGREEMENT_TOL:g}")
    return replace(eq, proof="local", notes=(*eq.notes, note))


def choose_regime(game: OpennessGame, values: list[RegimeValue], formulation: str) -> OpennessEquilibrium:
    """Comply iff U_G(comply) ≥ U_G(pay); abstain iff the better is < 0 (ties: comply, take part)."""
    comply, pay = values
    regulation = game.regulation
    use_pay = pay.feasible and pay.U_G > comply.U_G + TIE
    chosen = pay if use_pay else comply
    proof = _weakest([v.proof for v in values if v.feasible])
    if chosen.U_G < -TIE:
        return OpennessEquilibrium("abstain", math.nan, game.alpha0, math.nan, game.delta, 0.0, 0.0, 0.0, 0.0,
                                   tuple(values), formulation, proof)
    penalty_paid = regulation.penalty if use_pay else 0.0
    welfare = chosen.U_G + chosen.U_D + (penalty_paid if regulation.penalty_is_transfer else 0.0)
    return OpennessEquilibrium(chosen.regime, chosen.omega, game.alpha0, game.alpha0 + chosen.step, game.delta,
                               chosen.U_G, chosen.U_D, penalty_paid, welfare, tuple(values), formulation, proof)


def _weakest(labels: list[str]) -> str:
    order = ["local", "grid", "interval_verified", "concave_convex", "convex_endpoints", "global"]
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
    """The switching penalty L(θ): G's best value short of the definition minus its best value meeting it (with the
    compliance term), clipped at 0, i.e. max(max_{ω∈[0,θ]} V(ω) − max_{ω∈[θ,1]} (V(ω) − K(ω)), 0).  With G taking
    part, G complies iff p ≥ L(θ) (the comply/pay switching curve p = L(θ)); without a compliance term it is
    max_{[0,1]} V − max_{[θ,1]} V."""
    arrays = equilibrium_arrays(game.with_regulation(game.regulation.theta, 0.0))
    if not arrays.pay.feasible:
        return 0.0
    return float(max(arrays.pay.U_G[0] - arrays.comply.U_G[0], 0.0))
