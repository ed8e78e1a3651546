"""Convex (CVXPY) programs over δ for the one-specialist quadratic game, and the n-specialist utilitarian QP.

With K = r²/(4 c0 c1), both utilities are products of two affine functions of δ, positive on (0, 1):

    U_G(δ) = K · δ · (c1 δ + 2 c0 (1 − δ))          U_D(δ) = K · (1 − δ) · (2 c1 δ + c0 (1 − δ))

so √U = √K · geo_mean(two affine functions) is concave (a second-order cone) and log U is a sum of logs of affine
functions (exponential cone).  Hence Nash (log or geo_mean form), egalitarian, Kalai–Smorodinsky and the two
one-sided optima are convex programs.  The utilitarian sum U_G + Σ U_Di of the n-specialist quadratic game is the
concave quadratic (2 s R − s²)/(4 c0) + Σ_i r_i²(1 − δ_i²)/(4 c_i), s = Σ δ_i r_i, R = Σ r_i.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cvxpy as cp

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame


@dataclass
class OneSpecialistConic:
    """δ and concave hypographs of √U_G, √U_D as CVXPY expressions (the constraints they need are in ``rows``)."""

    delta: Any
    sqrt_ug: Any
    sqrt_ud: Any
    scale: float  # K
    rows: list


def one_specialist_conic(game: FineTuningGame) -> OneSpecialistConic:
    check_one_specialist_quadratic(game)
    c0, c1, r = game.generalist.cost, game.specialists[0].cost, game.specialists[0].revenue
    k = r * r / (4.0 * c0 * c1)
    scale = c0 + c1  # the affine factors are divided by c0 + c1 (and K multiplied) for conditioning
    delta = cp.Variable(name="delta")
    gain_g = (c1 * delta + 2 * c0 * (1 - delta)) / scale
    gain_d = (2 * c1 * delta + c0 * (1 - delta)) / scale
    sqrt_ug = (k * scale) ** 0.5 * cp.geo_mean(cp.hstack([delta, gain_g]))
    sqrt_ud = (k * scale) ** 0.5 * cp.geo_mean(cp.hstack([1 - delta, gain_d]))
    return OneSpecialistConic(delta, sqrt_ug, sqrt_ud, k, [delta >= 0, delta <= 1])


def check_one_specialist_quadratic(game: FineTuningGame) -> None:
    if game.n != 1 or not game.is_quadratic:
        raise ModelError("formulation 'conic' (and 'conic:log', 'conic:geo_mean') needs one specialist with "
                         "quadratic costs, linear revenue and no entry decisions; use 'single_level' or 'frontier'")


def check_quadratic(game: FineTuningGame) -> None:
    if not game.is_quadratic:
        raise ModelError("the conic utilitarian program needs quadratic costs, linear revenue and no entry "
                         "decisions; use 'single_level' or 'frontier'")


def utilitarian_problem(game: FineTuningGame) -> tuple[cp.Problem, Any]:
    """max (2 s R − s²)/(4 c0) + Σ r_i²(1 − δ_i²)/(4 c_i) over δ ∈ [0, 1]^n (a concave QP)."""
    check_quadratic(game)
    c0 = game.generalist.cost
    r = [s.revenue for s in game.specialists]
    c = [s.cost for s in game.specialists]
    delta = cp.Variable(game.n, name="delta")
    s = sum(r[i] * delta[i] for i in range(game.n))
    total_r = sum(r)
    surplus = (2 * total_r * s - cp.square(s)) / (4 * c0) + sum(
        r[i] ** 2 * (1 - cp.square(delta[i])) / (4 * c[i]) for i in range(game.n))
    magnitude = total_r ** 2 / (4 * c0) + sum(r[i] ** 2 / (4 * c[i]) for i in range(game.n))  # for conditioning
    return cp.Problem(cp.Maximize(surplus / magnitude), [delta >= 0, delta <= 1]), delta


def polish_utilitarian(game: FineTuningGame, delta, bound_tol: float = 1e-5):
    """Active-set polish of the utilitarian QP (an interior-point answer near a bound is only ~tolerance accurate):
    fix the shares the solver put within ``bound_tol`` of 0 or 1, solve the stationarity system
    H_FF δ_F = −(q + H δ_A)_F for the rest (H = −r rᵀ/(2c0) − diag(r_i²/(2c_i)), q = r R/(2c0)), and keep the
    result only if it satisfies the KKT conditions of the box-constrained QP."""
    import numpy as np

    c0 = game.generalist.cost
    r = np.array([s.revenue for s in game.specialists])
    c = np.array([s.cost for s in game.specialists])
    hess = -np.outer(r, r) / (2 * c0) - np.diag(r ** 2 / (2 * c))
    lin = r * r.sum() / (2 * c0)
    x = np.clip(np.asarray(delta, dtype=float), 0.0, 1.0)
    fixed = (x < bound_tol) | (x > 1 - bound_tol)
    x[fixed] = np.round(x[fixed])
    free = ~fixed
    if free.any():
        rhs = -(lin[free] + hess[np.ix_(free, fixed)] @ x[fixed])
        x[free] = np.linalg.solve(hess[np.ix_(free, free)], rhs)
    grad = hess @ x + lin
    ok = (np.all((x >= -1e-12) & (x <= 1 + 1e-12)) and np.all(grad[fixed & (x == 0)] <= 1e-9)
          and np.all(grad[fixed & (x == 1)] >= -1e-9))
    return tuple(np.clip(x, 0.0, 1.0).tolist()) if ok else tuple(np.asarray(delta, dtype=float).tolist())
