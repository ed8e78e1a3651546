"""Batched low-degree polynomials: coefficient arrays ``c[..., k]`` of b^k (increasing powers), real roots."""

from __future__ import annotations

import numpy as np

_DEGREE_EPS = 1e-13  # a leading coefficient below this (relative to the largest) is treated as zero
_IMAG_TOL = 1e-7  # roots with a smaller relative imaginary part count as real (candidates are re-evaluated anyway)


def polymul(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Product of two batched polynomials (degrees add)."""
    dp, dq = p.shape[-1], q.shape[-1]
    shape = np.broadcast_shapes(p.shape[:-1], q.shape[:-1]) + (dp + dq - 1,)
    out = np.zeros(shape)
    for i in range(dp):
        out[..., i:i + dq] += p[..., i:i + 1] * q
    return out


def polyadd(*polys: np.ndarray) -> np.ndarray:
    """Sum of batched polynomials of any degrees."""
    degree = max(p.shape[-1] for p in polys)
    shape = np.broadcast_shapes(*(p.shape[:-1] for p in polys)) + (degree,)
    out = np.zeros(shape)
    for p in polys:
        out[..., : p.shape[-1]] += p
    return out


def polyder(p: np.ndarray) -> np.ndarray:
    """Derivative d/db."""
    k = np.arange(1, p.shape[-1])
    return p[..., 1:] * k


def polyval(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Evaluate p at x (Horner); p has shape (..., d+1) and x broadcasts against p[..., 0]."""
    out = np.zeros(np.broadcast_shapes(p.shape[:-1], np.shape(x)))
    for k in range(p.shape[-1] - 1, -1, -1):
        out = out * x + p[..., k]
    return out


def real_roots(p: np.ndarray, polish: int = 2) -> np.ndarray:
    """Real roots of every polynomial in the batch: shape (..., d), NaN where a root is missing or complex.

    The effective degree drops where leading coefficients vanish; degree 1 and 2 use closed forms, higher degrees
    the eigenvalues of the companion matrix, then ``polish`` Newton steps on the full polynomial.
    """
    p = np.asarray(p, dtype=float)
    degree = p.shape[-1] - 1
    batch = p.shape[:-1]
    flat = p.reshape(-1, degree + 1)
    out = np.full((flat.shape[0], degree), np.nan)
    scale = np.abs(flat).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    normed = flat / scale
    effective = np.zeros(flat.shape[0], dtype=int)
    for m in range(1, degree + 1):
        effective = np.where(np.abs(normed[:, m]) > _DEGREE_EPS, m, effective)
    for m in range(1, degree + 1):
        rows = np.nonzero(effective == m)[0]
        if rows.size == 0:
            continue
        c = normed[rows, : m + 1]
        if m == 1:
            roots = (-c[:, 0] / c[:, 1])[:, None]
        elif m == 2:
            roots = _quadratic_roots(c)
        else:
            companion = np.zeros((rows.size, m, m))
            companion[:, 0, :] = -c[:, m - 1::-1] / c[:, m:m + 1]
            companion[:, np.arange(1, m), np.arange(m - 1)] = 1.0
            eig = np.linalg.eigvals(companion)
            real = np.abs(eig.imag) <= _IMAG_TOL * (1.0 + np.abs(eig.real))
            roots = np.where(real, eig.real, np.nan)
        out[rows, :m] = roots
    for _ in range(polish):
        value = polyval(flat[:, None, :], out)
        slope = polyval(polyder(flat)[:, None, :], out)
        step = np.where(np.abs(slope) > 0, value / np.where(slope == 0, 1.0, slope), 0.0)
        out = np.where(np.isfinite(step) & (np.abs(step) < 1e-3 * (1 + np.abs(out))), out - step, out)
    return out.reshape(batch + (degree,))


def _quadratic_roots(c: np.ndarray) -> np.ndarray:
    """Roots of c0 + c1 x + c2 x² (c2 ≠ 0), numerically stable; a slightly negative discriminant counts as 0."""
    a, b, k = c[:, 2], c[:, 1], c[:, 0]
    disc = b * b - 4 * a * k
    tangent = (disc < 0) & (disc > -1e-10 * (b * b + np.abs(4 * a * k) + 1e-300))
    disc = np.where(tangent, 0.0, disc)
    sq = np.sqrt(np.where(disc >= 0, disc, np.nan))
    q = -0.5 * (b + np.copysign(sq, b))
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = q / a
        r2 = np.where(q != 0, k / q, r1)
    return np.stack([r1, r2], axis=1)
