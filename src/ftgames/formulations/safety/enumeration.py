"""Exact equilibrium of the safety-regulation game by enumerating the followers' active sets (numpy, batched).

Reduction (see docs/safety-regulation.md).  Write γ0 = (a, b) and D_i's step x_i = γ_i − γ0.  D_i's optimal step
depends on γ0 only through u_i = max(0, θD_i − b) (module :mod:`.follower`), so

    U_Di(a, b) = k_i a + φ_i(b),              k_i = (1 − δ_i) r_iα,   φ_i(b) = (1 − δ_i) r_iβ b + h_i(x_i*(b))
    U_G(a, b)  = R_α a − c_αα a² − 2 c_αβ a b + (terms in b only)

For fixed b, U_G is a concave parabola in a and participation U_Di ≥ 0 is the bound a ≥ −φ_i(b)/k_i, hence G's best
a is  a*(b) = max(â(b), 0, −φ_i(b)/k_i for i in S),  â(b) = (R_α − 2 c_αβ b)/(2 c_αα),  for the set S of
specialists G keeps on board.  V(b) = U_G(a*(b), b) is piecewise polynomial (degree ≤ 4): on each piece one follower
active set per specialist (F1..F4, with or without a binding floor) and one branch of the max hold.  Its global
maximum over b ≥ θG is therefore at a piece boundary (θG, θD_i, a follower switch point, a crossing of two branches
of the max) or at a stationary point of one piece's polynomial.  All these candidates are generated from every
formula (whether or not it is the active one there) and each candidate is evaluated with the *true* responses, so
spurious candidates are harmless and the best candidate is the global optimum (up to root accuracy, ~1e-12).

Each case is moreover a convex program in (a, b) (:func:`case_convexity` checks it numerically; the proof: U_G's
Hessian is −2 C0 because the follower's step is affine in b within a case, and U_Di = k_i a + φ_i(b) with
φ_i'' = −2 QᵀC_iQ ≤ 0), but the enumeration does not rely on it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ...models.safety import SafetyEquilibrium, SafetyGame
from .follower import affine_formulas, best_step, kkt_residual, step_value, switch_points
from .polynomials import polyadd, polyder, polymul, real_roots

__all__ = ["GameArrays", "solve_arrays", "solve_enumeration", "solve_grid", "case_convexity", "certify"]

#: Participation tolerance: D takes part when U_D ≥ −PARTICIPATION_TOL (indifferent D takes part).
PARTICIPATION_TOL = 1e-9
#: When D's participation does not depend on α0 (k_i = (1 − δ_i) r_iα = 0, e.g. δ_i = 1) it is a condition
#: φ_i(b) ≥ −FEASIBILITY_TOL on b alone; tight, since φ_i can vanish quadratically (a tolerance ε would let G
#: gain √ε of safety cost).
FEASIBILITY_TOL = 1e-13
#: G abstains when its best utility is below −ABSTAIN_TOL.
ABSTAIN_TOL = 1e-10
#: G is indifferent between two distinct investments (more than TIE_DISTINCT apart: separate maximizers, not two
#: candidates on one smooth piece, whose values differ by about c·distance²) whose values differ by at most
#: TIE_TOL (1 + |U_G|), rounding error; ties are broken by :func:`_break_ties`.
TIE_TOL = 1e-12
TIE_DISTINCT = 1e-4
#: Games solved per block of the batched solver (bounds memory: about 60 candidates per game).
BLOCK = 8192


@dataclass(frozen=True)
class GameArrays:
    """A batch of N games with n specialists each: C0 (N,2,2), C (N,n,2,2), r (N,n,2), delta, theta_D (N,n),
    theta_G (N,)."""

    C0: np.ndarray
    C: np.ndarray
    r: np.ndarray
    delta: np.ndarray
    theta_G: np.ndarray
    theta_D: np.ndarray

    @classmethod
    def from_games(cls, games: list[SafetyGame]) -> GameArrays:
        n = {g.n for g in games}
        if len(n) != 1:
            raise ValueError("a batch must have the same number of specialists in every game")
        return cls(
            C0=np.array([g.generalist_cost for g in games]),
            C=np.array([[s.cost for s in g.specialists] for g in games]),
            r=np.array([[s.revenue for s in g.specialists] for g in games]),
            delta=np.array([g.deltas for g in games]),
            theta_G=np.array([g.theta_G for g in games]),
            theta_D=np.array([g.theta_D for g in games]),
        )

    @property
    def size(self) -> int:
        return self.theta_G.shape[0]

    def block(self, sl: slice | np.ndarray) -> GameArrays:
        return GameArrays(self.C0[sl], self.C[sl], self.r[sl], self.delta[sl], self.theta_G[sl], self.theta_D[sl])


def _subsets(n: int) -> list[tuple[int, ...]]:
    return [s for k in range(1, n + 1) for s in itertools.combinations(range(n), k)]


def _phi_polys(g: GameArrays, P: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """φ_i(b) = w r_β b + w rᵀx(b) − x(b)ᵀC x(b) for x(b) = P + Q b, per formula: shape (N, n, 6, 3)."""
    w = (1 - g.delta)[..., None]
    r = g.r[:, :, None, :]
    K = g.C[:, :, None, :, :]
    kp = np.einsum("...ij,...j->...i", K, P)
    kq = np.einsum("...ij,...j->...i", K, Q)
    c0 = w * np.einsum("...i,...i->...", r, P) - np.einsum("...i,...i->...", P, kp)
    c1 = w * r[..., 1] + w * np.einsum("...i,...i->...", r, Q) - 2 * np.einsum("...i,...i->...", P, kq)
    c2 = -np.einsum("...i,...i->...", Q, kq)
    return np.stack(np.broadcast_arrays(c0, c1, c2), axis=-1)


def _candidates(g: GameArrays) -> np.ndarray:
    """Every candidate b (G's safety) of every game: shape (N, K), NaN where a formula has no root."""
    N, n = g.delta.shape
    w = 1 - g.delta
    k = w * g.r[..., 0]
    caa, cab, cbb = g.C0[:, 0, 0], g.C0[:, 0, 1], g.C0[:, 1, 1]
    P, Q = affine_formulas(g.C, g.r, w, g.theta_D)
    phi = _phi_polys(g, P, Q)  # (N, n, 6, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.where((k > 0)[..., None, None], -phi / k[..., None, None], np.nan)  # a ≥ bound(b), (N,n,6,3)
    dr = g.delta[..., None] * g.r  # δ_i r_i, (N, n, 2)
    pr = np.einsum("ni,nfi->nf", dr.reshape(-1, 2), P.reshape(N * n, 6, 2)).reshape(N, n, 6)
    qr = np.einsum("ni,nfi->nf", dr.reshape(-1, 2), Q.reshape(N * n, 6, 2)).reshape(N, n, 6)
    out = [g.theta_G[:, None], g.theta_D, switch_points(g.C, g.r, w, g.theta_D).reshape(N, -1)]
    for subset in _subsets(n):
        idx = list(subset)
        Ra = dr[:, idx, 0].sum(axis=1)
        Rb = dr[:, idx, 1].sum(axis=1)
        ahat = np.stack([Ra / (2 * caa), -cab / caa, np.zeros(N)], axis=-1)  # (N, 3)
        out.append(real_roots(ahat).reshape(N, -1))
        for j in idx:
            out.append(real_roots(k[:, j, None, None] * ahat[:, None, :] + phi[:, j]).reshape(N, -1))
            out.append(real_roots(phi[:, j]).reshape(N, -1))
            for m in idx:
                if m > j:
                    cross = (k[:, m, None, None, None] * phi[:, j, :, None, :]
                             - k[:, j, None, None, None] * phi[:, m, None, :, :])
                    out.append(real_roots(cross).reshape(N, -1))
        combos = np.array(list(itertools.product(range(6), repeat=len(idx))))  # (F, |S|)
        lin = sum(pr[:, i][:, combos[:, s]] for s, i in enumerate(idx))  # (N, F)
        slope = sum(qr[:, i][:, combos[:, s]] for s, i in enumerate(idx))
        base = np.stack([lin, Rb[:, None] + slope, -np.broadcast_to(cbb[:, None], lin.shape)], axis=-1)
        F = combos.shape[0]
        regimes = [np.broadcast_to(ahat[:, None, :], (N, F, 3)), np.zeros((N, F, 3))]
        regimes += [bound[:, i][:, combos[:, s]] for s, i in enumerate(idx)]
        for a_poly in regimes:
            value = polyadd(
                base,
                Ra[:, None, None] * a_poly,
                -caa[:, None, None] * polymul(a_poly, a_poly),
                -2 * cab[:, None, None] * polymul(a_poly, np.array([0.0, 1.0])),
            )
            deriv = np.nan_to_num(polyder(value), nan=0.0)
            out.append(real_roots(deriv).reshape(N, -1))
    cand = np.concatenate(out, axis=1)
    cand = np.where(np.isfinite(cand), cand, -np.inf)
    return np.maximum(cand, g.theta_G[:, None])  # below the floor → the floor (still a feasible point)


def _evaluate(g: GameArrays, b: np.ndarray, subset: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(U_G, a) at candidates b (N, K) when G keeps the specialists in ``subset`` on board; U_G = −inf if infeasible."""
    caa, cab, cbb = (g.C0[:, None, 0, 0], g.C0[:, None, 0, 1], g.C0[:, None, 1, 1])
    Ra = sum(g.delta[:, i, None] * g.r[:, i, None, 0] for i in subset)
    lower = np.zeros_like(b)
    feasible = np.ones(b.shape, dtype=bool)
    revenue_rest = np.zeros_like(b)
    for i in subset:
        w = 1 - g.delta[:, i, None]
        u = np.maximum(0.0, g.theta_D[:, i, None] - b)
        x = best_step(g.C[:, i, None], g.r[:, i, None], w, u)
        phi = w * g.r[:, i, None, 1] * b + step_value(g.C[:, i, None], g.r[:, i, None], w, x)
        k = w * g.r[:, i, None, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            lower = np.where(k > 0, np.maximum(lower, -phi / np.where(k > 0, k, 1.0)), lower)
        feasible &= (k > 0) | (phi >= -FEASIBILITY_TOL)
        dr = g.delta[:, i, None, None] * g.r[:, i, None]
        revenue_rest += dr[..., 1] * b + np.einsum("...i,...i->...", dr, x)
    a = np.maximum((Ra - 2 * cab * b) / (2 * caa), lower)
    u_g = Ra * a + revenue_rest - (caa * a * a + 2 * cab * a * b + cbb * b * b)
    return np.where(feasible, u_g, -np.inf), a


def _solve_block(g: GameArrays) -> dict[str, np.ndarray]:
    N, n = g.delta.shape
    cand = _candidates(g)
    values, invest_a = zip(*(_evaluate(g, cand, subset) for subset in _subsets(n)), strict=True)
    u_g = np.concatenate(values, axis=1)                  # (N, K·|subsets|): G's value at every candidate
    a = np.concatenate(invest_a, axis=1)
    b = np.tile(cand, (1, len(values)))
    rows = np.arange(N)
    j = np.argmax(u_g, axis=1)
    best = u_g[rows, j]
    j = _break_ties(g, u_g, a, b, best, j)
    return _outcome(g, best, a[rows, j], b[rows, j])


def _break_ties(g: GameArrays, u_g: np.ndarray, a: np.ndarray, b: np.ndarray, best: np.ndarray,
                j: np.ndarray) -> np.ndarray:
    """The canonical choice where G is indifferent (values within TIE_TOL of its best at distinct investments): the
    largest Σ U_Di, then the largest β0 (favouring the specialists makes a bargaining solution's supremum over δ,
    which sits where G switches, an attained maximum; every formulation reports this choice)."""
    rows = np.arange(len(best))
    tied = np.isfinite(best)[:, None] & (u_g >= (best - TIE_TOL * (1 + np.abs(best)))[:, None])
    distinct = tied & ((np.abs(a - a[rows, j][:, None]) > TIE_DISTINCT) | (np.abs(b - b[rows, j][:, None])
                                                                           > TIE_DISTINCT))
    which = np.flatnonzero(distinct.any(axis=1) & (best >= -ABSTAIN_TOL))
    if which.size == 0:
        return j
    j = j.copy()
    for row in which:
        cols = np.flatnonzero(tied[row])
        sub = g.block(np.full(len(cols), row))
        out = _outcome(sub, np.full(len(cols), best[row]), a[row, cols], b[row, cols])
        key = np.lexsort((b[row, cols], np.round(out["U_D"].sum(axis=1) / TIE_TOL)))
        j[row] = cols[key[-1]]
    return j


def _outcome(g: GameArrays, best: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """Investments, participation and utilities at G's choice (a, b); G abstains when its value is negative."""
    N, n = g.delta.shape
    abstain = ~(best >= -ABSTAIN_TOL)
    a = np.where(abstain, 0.0, a)
    b = np.where(abstain, 0.0, b)
    w = 1 - g.delta
    u = np.maximum(0.0, g.theta_D - b[:, None])
    x = best_step(g.C, g.r, w, u)  # (N, n, 2)
    gamma0 = np.stack([a, b], axis=-1)
    gamma = gamma0[:, None, :] + x
    u_d = w * np.einsum("nki,nki->nk", g.r, gamma) - np.einsum("nki,nkij,nkj->nk", x, g.C, x)
    u_d = np.where(np.abs(u_d) < 1e-12, 0.0, u_d)
    participates = (u_d >= -PARTICIPATION_TOL) & ~abstain[:, None]
    revenue = np.where(participates, g.delta * np.einsum("nki,nki->nk", g.r, gamma), 0.0).sum(axis=1)
    u_g = revenue - np.einsum("ni,nij,nj->n", gamma0, g.C0, gamma0)
    # certificate: D's KKT conditions at the returned step (feasibility, dual sign, complementarity)
    grad = w[..., None] * g.r - 2 * np.einsum("nkij,nkj->nki", g.C, x)
    slack = x - np.stack([np.zeros_like(u), u], axis=-1)
    residual = np.maximum(np.maximum(-slack, grad), np.minimum(np.abs(grad), np.abs(slack))).max(axis=(1, 2))
    nan = np.nan
    return {
        "certified": abstain | (residual <= 1e-9 * (1 + np.abs(g.r).max(axis=(1, 2)))),
        "alpha0": np.where(abstain, nan, a),
        "beta0": np.where(abstain, nan, b),
        "alpha": np.where(participates, gamma[..., 0], nan),
        "beta": np.where(participates, gamma[..., 1], nan),
        "U_G": np.where(abstain, 0.0, u_g),
        "kkt_residual": np.where(abstain, 0.0, residual),
        "U_D": np.where(participates, u_d, 0.0),
        "participates": participates,
        "abstain": abstain | ~participates.any(axis=1),
    }


def solve_arrays(g: GameArrays, block: int = BLOCK) -> dict[str, np.ndarray]:
    """Exact equilibria of a batch of games (see the module docstring); arrays of shape (N,) or (N, n)."""
    parts = [_solve_block(g.block(slice(s, s + block))) for s in range(0, g.size, block)]
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def solve_grid(game: SafetyGame, *, theta_G: np.ndarray | float | None = None,
               theta_D: np.ndarray | float | None = None, delta: np.ndarray | float | None = None,
               block: int = BLOCK) -> dict[str, np.ndarray]:
    """Solve ``game`` at every point of broadcast arrays θG, θD, δ (θD and δ shared by every specialist).

    Returns the arrays of :func:`solve_arrays` reshaped to the broadcast shape (plus a trailing specialist axis).
    """
    base_tg = game.theta_G if theta_G is None else theta_G
    base_td = game.theta_D[0] if theta_D is None else theta_D
    base_d = game.deltas[0] if delta is None else delta
    tg, td, dl = np.broadcast_arrays(np.asarray(base_tg, float), np.asarray(base_td, float), np.asarray(base_d, float))
    shape = tg.shape
    N, n = tg.size, game.n
    theta_d = np.repeat(td.reshape(-1, 1), n, axis=1) if theta_D is not None else np.tile(game.theta_D, (N, 1))
    deltas = np.repeat(dl.reshape(-1, 1), n, axis=1) if delta is not None else np.tile(game.deltas, (N, 1))
    if np.any(tg < 0) or np.any(theta_d < 0):
        raise ValueError("theta_G and theta_D must be >= 0")
    if np.any((deltas < 0) | (deltas > 1)):
        raise ValueError("delta (G's share) must be in [0, 1]")
    arrays = GameArrays(
        C0=np.broadcast_to(game.generalist_cost, (N, 2, 2)),
        C=np.broadcast_to(np.array([s.cost for s in game.specialists]), (N, n, 2, 2)),
        r=np.broadcast_to(np.array([s.revenue for s in game.specialists]), (N, n, 2)),
        delta=deltas, theta_G=tg.reshape(-1), theta_D=theta_d,
    )
    result = solve_arrays(arrays, block=block)
    return {key: value.reshape(shape + value.shape[1:]) for key, value in result.items()}


def solve_enumeration(game: SafetyGame) -> SafetyEquilibrium:
    """Exact subgame-perfect equilibrium of one game (global optimum of G's problem, certified)."""
    res = solve_arrays(GameArrays.from_games([game]))
    eq = SafetyEquilibrium(
        gamma0=np.array([res["alpha0"][0], res["beta0"][0]]),
        gamma=np.stack([res["alpha"][0], res["beta"][0]], axis=-1),
        U_G=float(res["U_G"][0]),
        U_D=res["U_D"][0].copy(),
        participates=res["participates"][0].copy(),
        abstain=bool(res["abstain"][0]),
        method="enumeration",
        is_global=True,
    )
    ok = certify(game, eq)
    return SafetyEquilibrium(**{**eq.__dict__, "followers_verified": ok, "status": "optimal"})


def certify(game: SafetyGame, eq: SafetyEquilibrium, tol: float = 1e-7) -> bool:
    """Re-check every follower at G's choice: KKT conditions of D_i's QP hold and participation is consistent."""
    if eq.abstain:
        return True
    b = eq.gamma0[1]
    for i, s in enumerate(game.specialists):
        u = max(0.0, s.theta_D - b)
        x = best_step(s.cost, s.revenue, np.asarray(1 - s.delta), np.asarray(u))
        best_value = (1 - s.delta) * s.revenue @ (eq.gamma0 + x) - x @ s.cost @ x
        if eq.participates[i]:
            step = eq.gamma[i] - eq.gamma0
            if kkt_residual(s.cost, s.revenue, 1 - s.delta, u, step) > tol or best_value < -tol:
                return False
        elif best_value >= -PARTICIPATION_TOL:
            return False
    return True


def case_convexity(game: SafetyGame) -> list[dict[str, object]]:
    """For every specialist and follower active set, check that G's case program is convex in (a, b):
    U_G's Hessian (−2 C0 within a case) is negative semidefinite and U_Di = k a + φ(b) has φ'' ≤ 0."""
    g = GameArrays.from_games([game])
    w = 1 - g.delta
    P, Q = affine_formulas(g.C, g.r, w, g.theta_D)
    phi = _phi_polys(g, P, Q)[0]
    hess_ok = bool(np.all(np.linalg.eigvalsh(-2 * game.generalist_cost) <= 1e-12))
    from .follower import FORMULAS

    return [{"specialist": i, "case": name, "objective_concave": hess_ok,
             "participation_concave": bool(phi[i, f, 2] <= 1e-12), "phi2": float(phi[i, f, 2])}
            for i in range(game.n) for f, name in enumerate(FORMULAS)]
