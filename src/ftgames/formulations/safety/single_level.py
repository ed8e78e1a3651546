"""The safety game's KKT programs (see :mod:`.kkt` for the program): the leader–follower model of each set S of
specialists G keeps on board, the options a solve uses, and G's optimum over the sets with its certificate and the
agreement with the exact enumeration.  Shared by :func:`.kkt.solve_kkt` (a fresh build per call) and the parametric
program :class:`.parametric.SafetyKKTProgram` (built once, re-solved), so that neither imports the other."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pyomo.environ as pyo

from ...models.outcomes import Level
from ...models.safety import SafetyEquilibrium, SafetyGame
from ...solvers import SolveConfig, Status, explicit_choice, get_backend
from ..bilevel import BilevelModel
from .enumeration import PARTICIPATION_TOL


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
                  start: tuple[float, float] | None = None, *, parametric: bool = False) -> BilevelModel:
    """G's problem with the specialists in ``subset`` (default: all) as KKT followers; ``start`` = (α0, β0).

    With ``parametric`` the shares and floors are mutable ``Param`` s of the model instead of numbers written into
    it: ``delta[i]`` and ``theta_D[i]`` (one per specialist of the game), ``theta_G`` and ``b_upper`` (= max(M, θG),
    the upper bound of β0), so that the program can be re-solved for new values
    (:class:`ftgames.formulations.safety.parametric.SafetyKKTProgram`).  D_i's β_i is then bounded by 2M, the bound
    a fresh build uses whenever θD_i ≤ 2M (beyond it a fresh build raises the bound to θD_i)."""
    subset = tuple(range(game.n)) if subset is None else subset
    bm = BilevelModel("safety_regulation")
    m = bm.model
    C0 = game.generalist_cost
    M = investment_bound(game)
    if parametric:
        m.delta = pyo.Param(range(game.n), mutable=True,
                            initialize={i: s.delta for i, s in enumerate(game.specialists)},
                            doc="G's revenue share of each domain")
        m.theta_D = pyo.Param(range(game.n), mutable=True,
                              initialize={i: s.theta_D for i, s in enumerate(game.specialists)},
                              doc="each specialist's safety floor")
        m.theta_G = pyo.Param(mutable=True, initialize=game.theta_G, doc="G's safety floor")
        m.b_upper = pyo.Param(mutable=True, initialize=max(M, game.theta_G), doc="upper bound of β0: max(M, θG)")
    m.a = pyo.Var(bounds=(0, M), initialize=start[0] if start else 0.0)
    m.b = pyo.Var(bounds=(m.theta_G, m.b_upper) if parametric else (game.theta_G, max(M, game.theta_G)),
                  initialize=max(start[1], game.theta_G) if start else game.theta_G)
    revenue = 0
    for i in subset:
        s = game.specialists[i]
        f = bm.add_follower(f"D{i + 1}", sense="max")
        blk = f.block
        x0 = pyo.value(m.a) + 0.5 * (1 - s.delta) * np.linalg.solve(s.cost, s.revenue)[0]
        blk.alpha = pyo.Var(bounds=(0, 2 * M), initialize=max(x0, pyo.value(m.a)))
        beta_max = 2 * M if parametric else max(2 * M, s.theta_D)
        blk.beta = pyo.Var(bounds=(0, beta_max), initialize=min(max(pyo.value(m.b), s.theta_D) + 0.1, beta_max))
        blk.alpha_above_generalist = pyo.Constraint(expr=blk.alpha >= m.a)
        blk.beta_above_generalist = pyo.Constraint(expr=blk.beta >= m.b)
        blk.beta_floor = pyo.Constraint(expr=blk.beta >= (m.theta_D[i] if parametric else s.theta_D))
        da, db = blk.alpha - m.a, blk.beta - m.b
        K, r = s.cost, s.revenue
        share = m.delta[i] if parametric else s.delta
        w = 1 - share
        step_cost = K[0, 0] * da * da + 2 * K[0, 1] * da * db + K[1, 1] * db * db
        utility = w * (r[0] * blk.alpha + r[1] * blk.beta) - step_cost
        f.set_objective(utility)
        setattr(m, f"participation_D{i + 1}", pyo.Constraint(expr=utility >= 0))
        revenue = revenue + share * (r[0] * blk.alpha + r[1] * blk.beta)
    own_cost = C0[0, 0] * m.a * m.a + 2 * C0[0, 1] * m.a * m.b + C0[1, 1] * m.b * m.b
    m.obj = pyo.Objective(expr=revenue - own_cost, sense=pyo.maximize)
    return bm


def resolve_options(game: SafetyGame, solver: str | None, encoding: str | None, config: SolveConfig | None,
                    start: tuple[float, float] | None) -> tuple[SolveConfig, str, tuple[float, float] | None]:
    """The configuration, encoding and start :func:`solve_kkt` uses (see its docstring)."""
    config = config or SolveConfig(time_limit=60)
    choice = explicit_choice(solver, config)
    local_choice = choice is not None and not get_backend(choice.name).global_optimality
    encoding = encoding or ("product" if local_choice else "sos1")
    if start is None and (local_choice or encoding == "product"):
        from .enumeration import solve_enumeration

        anarchy = solve_enumeration(game.unregulated())
        start = (0.0, 0.0) if anarchy.abstain else (float(anarchy.gamma0[0]), float(anarchy.gamma0[1]))
    return config, encoding, start


def subsets(game: SafetyGame) -> list[tuple[int, ...]]:
    """Every non-empty set of specialists G may keep on board, largest first (the order of the solves)."""
    return [subset for k in range(game.n, 0, -1) for subset in itertools.combinations(range(game.n), k)]


def equilibrium_of_subsets(game: SafetyGame, encoding: str,
                           solve_subset: Callable[[tuple[int, ...]], tuple[BilevelModel, Any, float]]
                           ) -> SafetyEquilibrium:
    """G's optimum over the sets S it may keep: ``solve_subset(S)`` returns the solved bilevel model of S, its
    :class:`~ftgames.formulations.bilevel.BilevelResult` and the time spent building the model (a fresh build in
    :func:`solve_kkt`, a re-solve in the parametric program); the best S gives the equilibrium record."""
    t0 = time.perf_counter()
    best: tuple[float, tuple[int, ...], Any, BilevelModel] | None = None
    statuses: list[str] = []
    solved = True  # every program ended optimal (proved by a global backend) or infeasible (proved so)
    proved = True  # ... and the bilevel certificate backs each answer (exact encoding, every check passed)
    labels: list[str] = []
    reasons: list[str] = []
    backends: set[str] = set()
    build_time = 0.0
    for subset in subsets(game):
        where = "S = {" + ", ".join(game.specialists[i].name for i in subset) + "}"
        bm, res, model_time = solve_subset(subset)
        build_time += model_time + res.build_time
        backends.add(res.backend)
        exact = get_backend(res.backend).global_optimality
        statuses.append(str(res.status))
        if res.status is Status.INFEASIBLE:
            solved &= exact
            exact_encoding = res.report is None or res.report.exact
            if not (exact and exact_encoding):
                proved = False
                reasons.append(f"{where}: infeasibility is not proved ("
                               + ("a local method" if not exact else "the encoding is not exact here") + ")")
            continue
        if not res.ok:
            solved = proved = False
            reasons.append(f"{where}: status {res.status}: {res.message}")
            continue
        solved &= res.status is Status.OPTIMAL and res.is_global
        # the bilevel certificate is the proof: an optimum of an inexact encoding (an unproven big-M that is
        # active, a local method) is not G's proved optimum even when the backend reports "optimal"
        if res.certificate is None or not res.certificate.is_global:
            proved = False
            reasons.extend(f"{where}: {r}" for r in (res.certificate.reasons if res.certificate else
                                                      ["not certified"]))
        labels.append(str(res.certificate.level))
        value = pyo.value(bm.model.obj)
        if best is None or value > best[0]:
            best = (value, subset, res, bm)
    backend = "+".join(sorted(backends)) or None
    exact = all(get_backend(b).global_optimality for b in backends)
    elapsed = time.perf_counter() - t0
    method = f"kkt:{encoding}"
    details = {"statuses": statuses, "time": elapsed, "labels": labels, "reasons": reasons}
    status = "optimal" if (exact and solved) else ("locally_optimal" if best is not None else "error")
    is_global = exact and solved and proved
    if best is None or best[0] < -1e-7:
        # abstention: proved only if every program was solved to global optimality or proved infeasible; a local
        # method that finds no point reports status "error" (abstention not proved)
        if not (exact and solved):
            details["message"] = ("no feasible point found by a local method: abstention is not proved" if best is None
                                  else "G's best value found is negative, but a local method does not prove that no "
                                  "choice pays: abstention is not proved")
        nan2 = np.full((game.n, 2), np.nan)
        if is_global:  # a proof of abstention, too, must agree with the exact enumeration
            disagreement = exact_disagreement(game, None, nan2, 0.0, np.zeros(game.n, bool))
            details["checks"] = {"exact_agreement": disagreement is None}
            if disagreement is not None:
                is_global = False
                details["reasons"].append(disagreement)
        return SafetyEquilibrium(np.full(2, np.nan), nan2, 0.0, np.zeros(game.n), np.zeros(game.n, bool), True,
                                 method, is_global=is_global, followers_verified=exact and solved,
                                 status=status if exact and solved else "error", details=details,
                                 backend=backend, build_time=build_time)
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
    tied = tied_choice(game, gamma0, gamma, u_g)
    if tied is not None:  # G is indifferent: report the canonical choice, whichever optimum the program found
        details["tie_break"] = (f"G is indifferent between γ0 = {np.round(gamma0, 9).tolist()} (found by the "
                                f"program) and γ0 = {np.round(tied.gamma0, 9).tolist()}; ties are broken for the "
                                "specialists (the largest Σ U_Di, then the largest β0), as in the enumeration")
        gamma0, gamma, u_g, u_d, participates = (tied.gamma0, tied.gamma, tied.U_G, tied.U_D.copy(),
                                                 tied.participates.copy())
    details["certificate"] = str(res.certificate.level)
    cert = res.certificate
    gaps = [f.gap for f in cert.followers]
    details["checks"] = {"follower_gap": None if any(g is None for g in gaps) else float(max(gaps, default=0.0)),
                         "complementarity_residual": _float(cert.complementarity_residual),
                         "primal_infeasibility": _float(cert.primal_infeasibility),
                         "bigm_active": list(cert.bigm_active)}
    if is_global:  # a global claim must also agree with the independent exact method
        disagreement = exact_disagreement(game, gamma0, gamma, u_g, participates)
        details["checks"]["exact_agreement"] = disagreement is None
        if disagreement is not None:
            is_global = False
            details.setdefault("reasons", []).append(disagreement)
    return SafetyEquilibrium(gamma0, gamma, u_g, u_d, participates, False, method,
                             is_global=is_global, followers_verified=cert.level is not Level.NONE,
                             status=status, details=details, backend=backend, build_time=build_time)


#: a global claim agrees with the exact enumeration to this (absolute, on γ and U_G)
AGREEMENT_TOL = 1e-7


def tied_choice(game: SafetyGame, gamma0: np.ndarray, gamma: np.ndarray, u_g: float) -> SafetyEquilibrium | None:
    """The exact enumeration's equilibrium when it gives G the same value (within AGREEMENT_TOL) at a distinct
    investment γ0 (more than the enumeration's TIE_DISTINCT away) — G is indifferent, and the enumeration's choice
    is the canonical one — else None."""
    from .enumeration import TIE_DISTINCT, solve_enumeration

    exact = solve_enumeration(game)
    if exact.abstain or abs(exact.U_G - u_g) > AGREEMENT_TOL * (1 + abs(u_g)):
        return None
    distinct = float(np.max(np.abs(exact.gamma0 - gamma0))) > TIE_DISTINCT
    return exact if distinct else None


def exact_disagreement(game: SafetyGame, gamma0: np.ndarray | None, gamma: np.ndarray, u_g: float,
                       participates: np.ndarray) -> str | None:
    """None if the answer is the exact enumeration's (same participation, γ and U_G within AGREEMENT_TOL), else
    why not, in words (``gamma0`` None: the answer is that G abstains).  The enumeration is exact and takes
    milliseconds, so every global KKT claim is checked."""
    from .enumeration import solve_enumeration

    exact = solve_enumeration(game)
    if exact.abstain or gamma0 is None:
        return None if exact.abstain and gamma0 is None else (
            f"the exact enumeration finds that G {'abstains' if exact.abstain else 'takes part'}")
    if not np.array_equal(exact.participates, participates):
        return f"participation {participates.tolist()} differs from the exact {exact.participates.tolist()}"
    worst = max(float(np.max(np.abs(exact.gamma0 - gamma0))), abs(exact.U_G - u_g),
                float(np.nanmax(np.abs(np.where(participates[:, None], exact.gamma - gamma, 0.0)))))
    if worst > AGREEMENT_TOL:
        return f"differs from the exact enumeration by {worst:.2g} (> {AGREEMENT_TOL:g}) in γ or U_G"
    return None


def _float(v: Any) -> float | None:
    return None if v is None else float(v)


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
