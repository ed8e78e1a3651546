"""The specialist's problem, exactly: a strictly concave QP in the step x = γ_i − γ0.

For fixed γ0 = (α0, β0), D_i maximizes  w rᵀx − xᵀKx  (w = 1 − δ_i, K = C_i) over  x_α ≥ 0,  x_β ≥ β0 − β0 = 0
and x_β ≥ θD − β0, i.e. over  x_α ≥ 0,  x_β ≥ u  with  u = max(0, θD − β0).  Its four active sets:

    F1 none          x = (w/2) K⁻¹ r
    F2 x_β = u       x_α = (w r_α − 2 k_αβ u) / (2 k_αα)
    F3 x_α = 0       x_β = w r_β / (2 k_ββ)
    F4 both          x = (0, u)

Closed form of the optimum (the QP is strictly concave): x_β* = max(u, m) with m the best x_β when x_β is free
(F1's x_β if F1's x_α ≥ 0, else F3's), then x_α* = max(0, (w r_α − 2 k_αβ x_β*) / (2 k_αα)).
"""

from __future__ import annotations

import numpy as np

#: The follower responses used by the leader's case enumeration, as x(b) = P + Q·b in G's safety b = β0:
#: the four active sets with u = θD − b (binding floor) and the two u-dependent ones at u = 0 (b ≥ θD).
FORMULAS = ("F1", "F2", "F3", "F4", "F2@u=0", "F4@u=0")


def unconstrained_safety(K: np.ndarray, r: np.ndarray, w: np.ndarray) -> np.ndarray:
    """m: D's best x_β with only x_α ≥ 0 imposed."""
    kaa, kab, kbb = K[..., 0, 0], K[..., 0, 1], K[..., 1, 1]
    det = kaa * kbb - kab * kab
    x1a = w * (kbb * r[..., 0] - kab * r[..., 1]) / (2 * det)
    x1b = w * (kaa * r[..., 1] - kab * r[..., 0]) / (2 * det)
    x3b = w * r[..., 1] / (2 * kbb)
    return np.where(x1a >= 0, x1b, x3b)


def best_step(K: np.ndarray, r: np.ndarray, w: np.ndarray, u: np.ndarray) -> np.ndarray:
    """x*(u) = argmax { w rᵀx − xᵀKx : x_α ≥ 0, x_β ≥ u } (exact; arrays broadcast, result (..., 2))."""
    kaa, kab = K[..., 0, 0], K[..., 0, 1]
    xb = np.maximum(u, unconstrained_safety(K, r, w))
    xa = np.maximum(0.0, (w * r[..., 0] - 2 * kab * xb) / (2 * kaa))
    return np.stack(np.broadcast_arrays(xa, xb), axis=-1)


def step_value(K: np.ndarray, r: np.ndarray, w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """h = w rᵀx − xᵀKx: D's revenue share of the step minus its cost."""
    quad = np.einsum("...i,...ij,...j->...", x, K, x)
    return w * np.einsum("...i,...i->...", r, x) - quad


def switch_points(K: np.ndarray, r: np.ndarray, w: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Values of b = β0 where D's active set can change: θD, θD − m, θD − w r_α / (2 k_αβ); shape (..., 3)."""
    kab = K[..., 0, 1]
    m = unconstrained_safety(K, r, w)
    with np.errstate(divide="ignore", invalid="ignore"):
        zero_alpha = np.where(kab > 0, w * r[..., 0] / (2 * kab), np.nan)
    return np.stack(np.broadcast_arrays(theta, theta - m, theta - zero_alpha), axis=-1)


def affine_formulas(K: np.ndarray, r: np.ndarray, w: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every active-set formula of D's step as an affine function of b: x(b) = P + Q b; shapes (..., 6, 2).

    With u = θD − b the binding formulas F2 and F4 are affine in b; F1, F3 and F2, F4 at u = 0 are constant.
    """
    kaa, kab, kbb = K[..., 0, 0], K[..., 0, 1], K[..., 1, 1]
    det = kaa * kbb - kab * kab
    ra, rb = r[..., 0], r[..., 1]
    zero = np.zeros(np.broadcast_shapes(kaa.shape, w.shape, theta.shape))
    f1 = (w * (kbb * ra - kab * rb) / (2 * det), w * (kaa * rb - kab * ra) / (2 * det))
    f3 = (zero, w * rb / (2 * kbb))
    # F2 at u = θ − b:  x_α = (w r_α − 2 k_αβ (θ − b)) / (2 k_αα),  x_β = θ − b
    f2_p = ((w * ra - 2 * kab * theta) / (2 * kaa), theta)
    f2_q = (kab / kaa, -np.ones_like(zero))
    f4_p = (zero, theta)
    f4_q = (zero, -np.ones_like(zero))
    f2_0 = (w * ra / (2 * kaa), zero)
    P = np.stack([np.stack(np.broadcast_arrays(*f), axis=-1) for f in (f1, f2_p, f3, f4_p, f2_0, (zero, zero))],
                 axis=-2)
    const = (zero, zero)
    Q = np.stack([np.stack(np.broadcast_arrays(*f), axis=-1) for f in (const, f2_q, const, f4_q, const, const)],
                 axis=-2)
    return P, Q


def kkt_residual(K: np.ndarray, r: np.ndarray, w: float, u: float, x: np.ndarray) -> float:
    """Largest violation of D's KKT conditions at x (feasibility, dual sign, complementarity): 0 iff x is optimal."""
    grad = w * np.asarray(r) - 2 * np.asarray(K) @ np.asarray(x)
    lower = np.array([0.0, u])
    slack = np.asarray(x) - lower
    multiplier = -grad  # stationarity: grad + μ = 0
    return float(max(np.max(-slack, initial=0.0), np.max(-multiplier, initial=0.0),
                     np.max(np.minimum(np.abs(multiplier), np.abs(slack)))))
