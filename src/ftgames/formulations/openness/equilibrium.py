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

from typing import Any

import numpy as np

from ...models.openness import OpennessEquilibrium, OpennessGame
from ...solvers import SolveConfig, SolveFailed
from ..grammar import parse_formulation
from .enumeration import equilibrium_arrays
from .regimes import AGREEMENT_TOL, checked_against, choose_regime, from_enumeration  # noqa: F401 - AGREEMENT_TOL: kept importable here

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
    return from_enumeration(game)


def _checked_against_exact(game: OpennessGame, eq: OpennessEquilibrium) -> OpennessEquilibrium:
    """A global claim must agree with the enumeration where that is exact (objective convex in ω: the default
    forms); otherwise it is withdrawn to ``local`` with the reason (:func:`.regimes.checked_against`)."""
    return checked_against(eq, _from_enumeration(game)) if eq.certificate.is_global else eq


def _from_kkt(game: OpennessGame, *, encoding: str, solver: str | None, config: SolveConfig | None,
              via: str) -> OpennessEquilibrium:
    from .kkt import solve_regime_bilevel, solve_regime_kkt

    if via == "bilevel":  # inside reuse_programs(): a re-solve of the scope's program (parametric.OpennessKKTProgram)
        from .parametric import solve_in_scope

        reused = solve_in_scope(game, encoding, solver, config)
        if reused is not None:
            return reused
    solve_regime = solve_regime_bilevel if via == "bilevel" else solve_regime_kkt
    values = [solve_regime(game, name, encoding=encoding, solver=solver, config=config)
              for name in ("comply", "pay")]
    for value in values:
        if value.feasible and not value.proof:
            raise SolveFailed(f"openness KKT program of regime '{value.regime}' ended with status '{value.status}'")
    eq = choose_regime(game, values, f"kkt:{encoding}" if via == "bilevel" else f"kkt_direct:{encoding}")
    return _checked_against_exact(game, eq)


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
