"""Bargaining over δ (G's share, common to every specialist) under regulation, on the exact equilibrium map.

    utilitarian  max U_G + Σ U_Di          nash  max log U_G + Σ log U_Di          egalitarian  max min(U_G, U_Di)

(disagreement point 0: a δ where someone gets 0 is never strictly better than no deal for Nash).  Under regulation
U(δ) is piecewise smooth and can jump (abstention, the backfiring switch), so no concavity in δ is assumed: every δ of
a grid (default the paper's 98 values in [0.01, 0.99]) is solved exactly by the batched enumeration, and the best grid
point is refined by golden-section search inside its two neighbouring cells (again exact inner solves).  The result is
the global optimum over the grid, refined locally: optimal up to the grid's resolution where U(δ) jumps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...models.costs import ModelError
from ...models.safety import SafetyGame
from .enumeration import solve_grid

RULES = ("utilitarian", "nash", "egalitarian")
ALIASES = {"vertical_monopoly": "utilitarian"}
#: The paper's δ grid for Figure 4: 98 values in [0.01, 0.99].
PAPER_DELTAS = np.linspace(0.01, 0.99, 98)


def rule_name(rule: str) -> str:
    name = ALIASES.get(rule, rule)
    if name not in RULES:
        raise ModelError(f"bargaining rule must be one of {', '.join(RULES + tuple(ALIASES))}, got {rule!r}")
    return name


def welfare(rule: str, u_g: np.ndarray, u_d: np.ndarray) -> np.ndarray:
    """The rule's criterion for utilities U_G (...) and U_D (..., n); −inf where Nash's product is not positive."""
    rule = rule_name(rule)
    if rule == "utilitarian":
        return u_g + u_d.sum(axis=-1)
    if rule == "egalitarian":
        return np.minimum(u_g, u_d.min(axis=-1))
    positive = (u_g > 0) & np.all(u_d > 0, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where(u_g > 0, u_g, 1.0)) + np.log(np.where(u_d > 0, u_d, 1.0)).sum(axis=-1)
    return np.where(positive, logs, -np.inf)


@dataclass(frozen=True)
class RegulatedBargain:
    """δ chosen by ``rule`` and the equilibrium it induces (``agreement`` False: no δ beats disagreement)."""

    rule: str
    delta: float
    welfare: float
    agreement: bool
    result: dict[str, np.ndarray]


def bargain(game: SafetyGame, rule: str, *, deltas: np.ndarray | None = None, refine: bool = True,
            tol: float = 1e-7) -> RegulatedBargain:
    """Bargained δ of one regulated game (grid of exact equilibria, then golden-section refinement)."""
    rule = rule_name(rule)
    grid = PAPER_DELTAS if deltas is None else np.asarray(deltas, float)
    if grid.ndim != 1 or grid.size == 0 or np.any((grid < 0) | (grid > 1)):
        raise ModelError("deltas must be a non-empty 1-D array of values in [0, 1]")
    res = solve_grid(game, delta=grid)
    values = welfare(rule, res["U_G"], res["U_D"])
    k = int(np.argmax(values))
    best_delta, best_value = float(grid[k]), float(values[k])
    if refine and np.isfinite(best_value) and grid.size > 1:
        lo, hi = float(grid[max(k - 1, 0)]), float(grid[min(k + 1, grid.size - 1)])

        def criterion(d: float) -> float:
            r = solve_grid(game, delta=np.array([d]))
            return float(welfare(rule, r["U_G"], r["U_D"])[0])

        d, v = _golden_max(criterion, lo, hi, tol)
        if v > best_value:
            best_delta, best_value = d, v
    final = solve_grid(game, delta=np.array([best_delta]))
    agreement = bool(np.isfinite(best_value) and not final["abstain"][0]
                     and (rule != "utilitarian" or best_value > 0))
    return RegulatedBargain(rule, best_delta, best_value, agreement, {k2: v2[0] for k2, v2 in final.items()})


def bargain_grid(game: SafetyGame, rule: str, theta_G: np.ndarray, theta_D: np.ndarray,
                 deltas: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Bargained δ (over the grid ``deltas``, no refinement) at every point of broadcast θG, θD arrays: the
    equilibrium arrays at the chosen δ plus ``delta`` and ``welfare`` (the batched form behind Figure 4)."""
    rule = rule_name(rule)
    grid = PAPER_DELTAS if deltas is None else np.asarray(deltas, float)
    tg, td = np.broadcast_arrays(np.asarray(theta_G, float), np.asarray(theta_D, float))
    shape = tg.shape
    TG, D = np.meshgrid(tg.reshape(-1), grid, indexing="ij")
    TD, _ = np.meshgrid(td.reshape(-1), grid, indexing="ij")
    res = solve_grid(game, theta_G=TG, theta_D=TD, delta=D)
    values = welfare(rule, res["U_G"], res["U_D"])  # (points, deltas)
    k = np.argmax(values, axis=1)
    rows = np.arange(values.shape[0])
    out = {key: value[rows, k].reshape(shape + value.shape[2:]) for key, value in res.items()}
    out["delta"] = grid[k].reshape(shape)
    out["welfare"] = values[rows, k].reshape(shape)
    return out


def _golden_max(f: Callable[[float], float], lo: float, hi: float, tol: float) -> tuple[float, float]:
    """Golden-section search for a maximum of f on [lo, hi] (a local refinement; f may be non-concave)."""
    ratio = (np.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (c, fc) if fc >= fd else (d, fd)
