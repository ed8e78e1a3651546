"""Nash bargaining over δ:  max Π_j (U_j − d_j)^{w_j}  (weights w, disagreement point d ≥ 0; default w = 1, d = 0).

One specialist, quadratic costs (convex, CVXPY)::

    ``log``       max Σ_j w_j [log(s_j − √d_j) + log(s_j + √d_j)],  s_j ≤ √U_j (SOC hypograph)  — exponential cone
                  (for d = 0 this is w_j log U_j = w_j (log of two affine factors));
    ``geo_mean``  max geo_mean(s_G − √d_G, s_G + √d_G, s_D − √d_D, s_D + √d_D; weights w)          — SOC only.

(U − d = (√U − √d)(√U + √d): both factors are concave in √U, so the log/geo-mean of them stays concave.)
"""

from __future__ import annotations

from collections.abc import Sequence

import cvxpy as cp
import numpy as np

from ...models.fine_tuning import FineTuningGame
from .conic import one_specialist_conic


def nash_problem(game: FineTuningGame, form: str, weights: Sequence[float], disagreement: Sequence[float]):
    """The one-specialist Nash program in the ``log`` or ``geo_mean`` form: returns (problem, δ variable)."""
    prog = one_specialist_conic(game)
    w = [weights[0], weights[0], weights[1], weights[1]]
    if not any(disagreement):  # U_G ∝ δ·g_G(δ), U_D ∝ (1 − δ)·g_D(δ): the four affine factors directly
        c0, c1 = game.generalist.cost, game.specialists[0].cost
        delta = prog.delta
        scale = c0 + c1
        factors = [delta, (c1 * delta + 2 * c0 * (1 - delta)) / scale, 1 - delta,
                   (2 * c1 * delta + c0 * (1 - delta)) / scale]
        rows = list(prog.rows)
    else:
        s_g = cp.Variable(name="sqrt_U_G")
        s_d = cp.Variable(name="sqrt_U_D")
        rows = [*prog.rows, s_g <= prog.sqrt_ug, s_d <= prog.sqrt_ud]
        root_g, root_d = np.sqrt(disagreement[0]), np.sqrt(disagreement[1])
        factors = [s_g - root_g, s_g + root_g, s_d - root_d, s_d + root_d]
    if form == "log":
        objective = cp.Maximize(sum(wi * cp.log(f) for wi, f in zip(w, factors, strict=True)))
    elif form == "geo_mean":
        objective = cp.Maximize(cp.geo_mean(cp.hstack(factors), p=w))
    else:
        raise ValueError(f"nash form must be 'log' or 'geo_mean', got {form!r}")
    return cp.Problem(objective, rows), prog.delta


def one_specialist_polynomials(game: FineTuningGame) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (highest degree first) of U_G(δ) = K[(c1 − 2c0)δ² + 2c0δ] and
    U_D(δ) = K[(c0 − 2c1)δ² + 2(c1 − c0)δ + c0], K = r²/(4 c0 c1)."""
    c0, c1, r = game.generalist.cost, game.specialists[0].cost, game.specialists[0].revenue
    k = r * r / (4 * c0 * c1)
    return k * np.array([c1 - 2 * c0, 2 * c0, 0.0]), k * np.array([c0 - 2 * c1, 2 * (c1 - c0), c0])


def polish(game: FineTuningGame, delta: float, weights, disagreement, iterations: int = 30) -> tuple[float, float]:
    """Newton's method on f'(δ) = 0 for the concave f(δ) = Σ_j w_j log(U_j(δ) − d_j), started at the conic
    solution: an interior-point optimum is only accurate to about √tolerance in δ on a flat maximum.  Each step
    is kept only if it stays where every gain is positive and does not decrease f.  Returns (δ, |f'(δ)|)."""
    polys = one_specialist_polynomials(game)

    def parts(x: float) -> tuple[float, float, float]:
        f = df = d2f = 0.0
        for w, p, d in zip(weights, polys, disagreement, strict=True):
            if w == 0:
                continue
            u, du, d2u = np.polyval(p, x) - d, np.polyval(np.polyder(p), x), np.polyval(np.polyder(p, 2), x)
            if u <= 0:
                return -np.inf, 0.0, -1.0
            f += w * np.log(u)
            df += w * du / u
            d2f += w * (d2u * u - du * du) / (u * u)
        return f, df, d2f

    x = float(delta)
    f, df, d2f = parts(x)
    for _ in range(iterations):
        if d2f >= 0 or abs(df) < 1e-14:
            break
        y = min(max(x - df / d2f, 0.0), 1.0)
        fy, dfy, d2fy = parts(y)
        if not fy >= f - 1e-15:
            break
        x, f, df, d2f = y, fy, dfy, d2fy
    return x, abs(df)


def polish_egalitarian(game: FineTuningGame, delta: float) -> float:
    """The egalitarian optimum of one quadratic specialist sits where U_G(δ) = U_D(δ) (one utility rises, the other
    falls on the Pareto interval): the real root of the polynomial U_G − U_D nearest the conic solution, kept only
    if min(U_G, U_D) is at least as high there.  The interior-point answer is only accurate to its tolerance."""
    p_g, p_d = one_specialist_polynomials(game)
    roots = [r.real for r in np.roots(np.polysub(p_g, p_d)) if abs(r.imag) < 1e-12 and 0.0 <= r.real <= 1.0]
    if not roots:
        return delta
    root = min(roots, key=lambda r: abs(r - delta))

    def worst(x: float) -> float:
        return min(np.polyval(p_g, x), np.polyval(p_d, x))

    return float(root) if worst(root) >= worst(delta) - 1e-12 else delta
