"""Deterministic fine-tuning games of any size for the benchmark suites, and closed-form references (spec §3–4)."""

from __future__ import annotations

import numpy as np

KINDS = ("quadratic k=2", "cubic k=3", "quadratic k=2 + entry costs")


def parameters(n: int) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """c0 = 1; c_i = 1 + 0.25 (i mod 4); r_i = 1 + 0.5 (i mod 3); entry costs F_i = 0.02 (1 + i mod 5)."""
    i = np.arange(n)
    return 1.0, 1.0 + 0.25 * (i % 4), 1.0 + 0.5 * (i % 3), 0.02 * (1 + i % 5)


def make_game(kind: str, n: int):
    from ftgames.models import FineTuningGame

    c0, costs, revenues, entry = parameters(n)
    if kind == "quadratic k=2":
        return FineTuningGame.polynomial(c0, costs, revenues, exponent=2.0)
    if kind == "cubic k=3":
        return FineTuningGame.polynomial(c0, costs, revenues, exponent=3.0)
    if kind == "quadratic k=2 + entry costs":
        return FineTuningGame.polynomial(c0, costs, revenues, exponent=2.0, entry_cost=list(entry))
    raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")


def closed_form_leader_utility(kind: str, n: int, delta: float) -> float | None:
    """U_G at the SPE for polynomial costs and linear revenue (no entry costs), independent of the library:
    Δ_i = ((1 − δ) r_i / (k c_i))^(1/(k−1)), α0 = (Σ δ r_j / (k c0))^(1/(k−1)), U_G = Σ δ r_i α_i − c0 α0^k."""
    if kind == "quadratic k=2 + entry costs":
        return None
    k = 2.0 if kind == "quadratic k=2" else 3.0
    c0, costs, revenues, _ = parameters(n)
    alpha0 = (delta * revenues.sum() / (k * c0)) ** (1 / (k - 1))
    alpha = alpha0 + ((1 - delta) * revenues / (k * costs)) ** (1 / (k - 1))
    return float(np.sum(delta * revenues * alpha) - c0 * alpha0**k)


def utilitarian_surplus(n: int) -> float:
    """Total surplus U_G + Σ U_Di at the utilitarian δ of the quadratic game (spec §4, closed form with clipping):
    δ_i = c_i R_F / (r_i (c0 + C_F)) on the free set F, δ_i = 1 where that would reach 1."""
    c0, c, r, _ = parameters(n)
    capped = np.zeros(n, dtype=bool)
    while True:
        free = ~capped
        delta = np.ones(n)
        delta[free] = c[free] * r[free].sum() / (r[free] * (c0 + c[free].sum()))
        newly = free & (delta >= 1.0)
        if not newly.any():
            break
        capped |= newly
    delta = np.minimum(delta, 1.0)
    s = float(np.sum(delta * r))
    u_g = s**2 / (4 * c0) + np.sum(delta * (1 - delta) * r**2 / (2 * c))
    u_d = (1 - delta) * r * s / (2 * c0) + (1 - delta) ** 2 * r**2 / (4 * c)
    return float(u_g + u_d.sum())
