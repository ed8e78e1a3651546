"""The safety-regulation game as a leader–follower program, solved through the followers' KKT conditions.

Leader G:   max_{a, b}  Σ_{i∈S} δ_i r_iᵀγ_i − γ0ᵀC0γ0      s.t.  a ≥ 0,  b ≥ θG,  U_Di(γ0, γ_i) ≥ 0  (i ∈ S)
Follower i: max_{γ_i}   (1 − δ_i) r_iᵀγ_i − (γ_i − γ0)ᵀC_i(γ_i − γ0)
            s.t. α_i ≥ a,  β_i ≥ b,  β_i ≥ θD_i          (two lower bounds on β_i, each with its own multiplier)

S is the set of specialists G keeps on board; every non-empty S is solved and the best kept (a specialist outside S
that would still take part only adds revenue to G, so the best over S is G's optimum).  The KKT system goes through
:mod:`ftgames.formulations.bilevel` (encodings ``sos1``/``indicator``/``bigm``/``product``); with SCIP the result is a
global optimum, with Ipopt (``product`` encoding, ε-homotopy) only a local one and labelled so.  (The bilevel
certificate's level ``local`` still verifies every follower: ``followers_verified``.)
"""

from __future__ import annotations

import time
from typing import Any

from ...models.safety import SafetyEquilibrium, SafetyGame
from ...solvers import SolveConfig
from ..bilevel import BilevelModel, solve_bilevel
from .single_level import (
    AGREEMENT_TOL,
    build_bilevel,
    equilibrium_of_subsets,
    exact_disagreement,
    investment_bound,
    resolve_options,
    subsets,
)

__all__ = ["build_bilevel", "solve_kkt", "investment_bound", "resolve_options", "subsets", "equilibrium_of_subsets",
           "exact_disagreement", "AGREEMENT_TOL"]


def solve_kkt(game: SafetyGame, *, solver: str | None = None, encoding: str | None = None,
              config: SolveConfig | None = None, start: tuple[float, float] | None = None) -> SafetyEquilibrium:
    """Equilibrium through the KKT reformulation.  The backend is ``solver``, else ``FTGAMES_SOLVER``, else
    ``config.solver``, else the default policy (SCIP: global); the encoding defaults to ``sos1`` on a global backend
    and to ``product`` (ε-homotopy from ``start``, default the unregulated equilibrium) on a local one, whose answer
    is labelled local.  ``is_global`` needs every program solved to proven optimality (or proved infeasible) by a
    global backend **and** backed by the bilevel certificate (exact encoding, every check passed): an optimum of
    ``bigm`` with unproven M values is the backend's ``optimal`` but only a ``local`` certificate.

    Inside :func:`ftgames.formulations.parametric.reuse_programs` the programs are kept and re-solved for the next
    game that differs only in δ, θG and θD (:class:`~ftgames.formulations.safety.parametric.SafetyKKTProgram`;
    encodings ``sos1`` and ``indicator`` on a global backend)."""
    from .parametric import solve_in_scope

    reused = solve_in_scope(game, solver=solver, encoding=encoding, config=config, start=start)
    if reused is not None:
        return reused
    config, encoding, start = resolve_options(game, solver, encoding, config, start)

    def fresh(subset: tuple[int, ...]) -> tuple[BilevelModel, Any, float]:
        t_build = time.perf_counter()
        bm = build_bilevel(game, subset, start)
        build_time = time.perf_counter() - t_build
        return bm, solve_bilevel(bm, encoding=encoding, solver=solver, config=config, certificate_solver="scip"), \
            build_time

    return equilibrium_of_subsets(game, encoding, fresh)
