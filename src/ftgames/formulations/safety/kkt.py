"""The safety-regulation game as a leader–follower program, solved through the followers' KKT conditions.

Leader G:   max_{a, b}  Σ_{i∈S} δ_i r_iᵀγ_i − γ0ᵀC0γ0      s.t.  a ≥ 0,  b ≥ θG,  U_Di(γ0, γ_i) ≥ 0  (i ∈ S)
Follower i: max_{γ_i}   (1 − δ_i) r_iᵀγ_i − (γ_i − γ0)ᵀC_i(γ_i − γ0)
            s.t. α_i ≥ a,  β_i ≥ b,  β_i ≥ θD_i          (two lower bounds on β_i, each with its own multiplier)

S is the set of specialists G keeps on board; every non-empty S is solved and the best kept (a specialist outside S
that would still take part only adds revenue to G, so the best over S is G's optimum).  The KKT system goes through
:mod:`ftgames.formulations.bilevel` (encodings ``sos1``/``indicator``/``bigm``/``product``); with SCIP the result is a
global optimum, with Ipopt (``product`` encoding, ε-homotopy) only a local one and labelled so.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
import pyomo.environ as pyo

from ...models.safety import SafetyEquilibrium, SafetyGame
from ...solvers import SolveConfig, Status, get_backend
from ..bilevel import BilevelModel, solve_bilevel
from .enumeration import PARTICIPATION_TOL

__all__ = ["build_bilevel", "solve_kkt"]


def investment_bound(game: SafetyGame) -> float:
    """M with |γ0| ≤ M and |γ_i − γ0| ≤ M at every point where U_G ≥ 0 and every U_Di ≥ 0.

    The surplus Σ r_iᵀγ_i − γ0ᵀC0γ0 − Σ x_iᵀC_ix_i ≥ 0 with λ the smallest eigenvalue of all cost matrices and
    z = (γ0, x_1, …) gives λ|z|² ≤ R √(n+1) |z|, R = max(|Σ r_i|, max |r_i|).  Points outside are never
    equilibria with G taking part, so these bounds (which help spatial branch and bound) lose nothing.
    """
    lam = min(np.linalg.eigvalsh(c)[0] for c in [game.generalist_cost, *(s.cost for s in game.specialists)])
    revenues = np.array([s.revenue for s in game.specialists])
    R = max(np.linalg.norm(revenues.sum(axis=0)), np.linalg.norm(revenues, axis=1).max())
    return float(R * np.sqrt(game.n + 1) / lam) * 1.01


def build_bilevel(game: SafetyGame, subset: tuple[int, ...] | None = None,
                  start: tuple[float, float] | None = None) -> BilevelModel:
    """G's problem with the specialists in ``subset`` (default: all) as KKT followers; ``start`` = (α0, β0)."""
    subset = tuple(range(game.n)) if subset is None else subset
    bm = BilevelModel("safety_regulation")
    m = bm.model
    C0 = game.generalist_cost
    M = investment_bound(game)
    m.a = pyo.Var(bounds=(0, M), initialize=start[0] if start else 0.0)
    m.b = pyo.Var(bounds=(game.theta_G, max(M, game.theta_G)),
                  initialize=max(start[1], game.theta_G) if start else game.theta_G)
    revenue = 0
    for i in subset:
        s = game.specialists[i]
        f = bm.add_follower(f"D{i + 1}", sense="max")
        blk = f.block
        x0 = pyo.value(m.a) + 0.5 * (1 - s.delta) * np.linalg.solve(s.cost, s.revenue)[0]
        blk.alpha = pyo.Var(bounds=(0, 2 * M), initialize=max(x0, pyo.value(m.a)))
        beta_max = max(2 * M, s.theta_D)
        blk.beta = pyo.Var(bounds=(0, beta_max), initialize=min(max(pyo.value(m.b), s.theta_D) + 0.1, beta_max))
        blk.alpha_above_generalist = pyo.Constraint(expr=blk.alpha >= m.a)
        blk.beta_above_generalist = pyo.Constraint(expr=blk.beta >= m.b)
        blk.beta_floor = pyo.Constraint(expr=blk.beta >= s.theta_D)
        da, db = blk.alpha - m.a, blk.beta - m.b
        K, r, w = s.cost, s.revenue, 1 - s.delta
        step_cost = K[0, 0] * da * da + 2 * K[0, 1] * da * db + K[1, 1] * db * db
        utility = w * (r[0] * blk.alpha + r[1] * blk.beta) - step_cost
        f.set_objective(utility)
        setattr(m, f"participation_D{i + 1}", pyo.Constraint(expr=utility >= 0))
        revenue = revenue + s.delta * (r[0] * blk.alpha + r[1] * blk.beta)
    own_cost = C0[0, 0] * m.a * m.a + 2 * C0[0, 1] * m.a * m.b + C0[1, 1] * m.b * m.b
    m.obj = pyo.Objective(expr=revenue - own_cost, sense=pyo.maximize)
    return bm


def solve_kkt(game: SafetyGame, *, solver: str = "scip", encoding: str | None = None,
              config: SolveConfig | None = None, start: tuple[float, float] | None = None) -> SafetyEquilibrium:
    """Equilibrium through the KKT reformulation: global with SCIP (default encoding ``sos1``), local with Ipopt
    (encoding ``product``, ε-homotopy from ``start``, default the unregulated equilibrium)."""
    config = config or SolveConfig(time_limit=60)
    backend = get_backend(solver)
    exact = backend.global_optimality
    encoding = encoding or ("sos1" if exact else "product")
    if start is None and not exact:
        from .enumeration import solve_enumeration

        anarchy = solve_enumeration(game.unregulated())
        start = (0.0, 0.0) if anarchy.abstain else (float(anarchy.gamma0[0]), float(anarchy.gamma0[1]))
    t0 = time.perf_counter()
    best: tuple[float, tuple[int, ...], Any, BilevelModel] | None = None
    statuses: list[str] = []
    all_proved = True
    labels: list[str] = []
    for k in range(game.n, 0, -1):
        for subset in itertools.combinations(range(game.n), k):
            bm = build_bilevel(game, subset, start)
            res = solve_bilevel(bm, encoding=encoding, solver=solver, config=config, certificate_solver="scip")
            statuses.append(str(res.status))
            if res.status is Status.INFEASIBLE:
                all_proved &= exact
                continue
            if not res.ok:
                all_proved = False
                continue
            all_proved &= res.status is Status.OPTIMAL and res.is_global
            labels.append(res.label)
            value = pyo.value(bm.model.obj)
            if best is None or value > best[0]:
                best = (value, subset, res, bm)
    elapsed = time.perf_counter() - t0
    method = f"kkt+{encoding}/{solver}"
    details = {"statuses": statuses, "time": elapsed, "labels": labels}
    status = "optimal" if (exact and all_proved) else ("locally_optimal" if best is not None else "failed")
    if not exact and best is None:
        status = "failed"
    if best is None or best[0] < -1e-7:
        # abstention: proved only if every program was solved to global optimality or proved infeasible; a local
        # method that finds no point reports status "failed" (abstention not proved)
        if not (exact and all_proved):
            details["message"] = "no feasible point found by a local method: abstention is not proved"
        nan2 = np.full((game.n, 2), np.nan)
        return SafetyEquilibrium(np.full(2, np.nan), nan2, 0.0, np.zeros(game.n), np.zeros(game.n, bool), True,
                                 method, is_global=exact and all_proved, certified=exact and all_proved,
                                 status=status if exact and all_proved else "failed", details=details)
    value, subset, res, bm = best
    m = bm.model
    gamma0 = np.array([pyo.value(m.a), pyo.value(m.b)])
    gamma = np.full((game.n, 2), np.nan)
    for i in subset:
        blk = getattr(m, f"D{i + 1}")
        gamma[i] = [pyo.value(blk.alpha), pyo.value(blk.beta)]
    # specialists left out of S: their own best response at γ0 (they take part if that pays)
    from .follower import best_step

    u_g, u_d = _utilities(game, gamma0, gamma)
    participates = np.zeros(game.n, bool)
    for i, s in enumerate(game.specialists):
        if i not in subset:
            x = best_step(s.cost, s.revenue, np.asarray(1 - s.delta), np.asarray(max(0.0, s.theta_D - gamma0[1])))
            gamma[i] = gamma0 + x
        participates[i] = (1 - s.delta) * s.revenue @ gamma[i] - (gamma[i] - gamma0) @ s.cost @ (gamma[i] - gamma0) \
            >= -PARTICIPATION_TOL * 100
    u_g, u_d = _utilities(game, gamma0, np.where(participates[:, None], gamma, np.nan))
    gamma = np.where(participates[:, None], gamma, np.nan)
    details["certificate"] = res.label
    return SafetyEquilibrium(gamma0, gamma, u_g, u_d, participates, False, method,
                             is_global=exact and all_proved, certified=res.certified, status=status, details=details)


def _utilities(game: SafetyGame, gamma0: np.ndarray, gamma: np.ndarray) -> tuple[float, np.ndarray]:
    """U_G over participating specialists (NaN rows do not take part) and every U_Di (0 when out)."""
    u_g = -float(gamma0 @ game.generalist_cost @ gamma0)
    u_d = np.zeros(game.n)
    for i, s in enumerate(game.specialists):
        if np.any(np.isnan(gamma[i])):
            continue
        step = gamma[i] - gamma0
        u_g += s.delta * float(s.revenue @ gamma[i])
        u_d[i] = (1 - s.delta) * float(s.revenue @ gamma[i]) - float(step @ s.cost @ step)
    return u_g, u_d
