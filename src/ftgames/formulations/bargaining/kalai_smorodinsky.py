"""Kalai–Smorodinsky and egalitarian points over δ for one quadratic specialist (SOC programs, d = 0).

egalitarian:        max t  s.t.  t ≤ √U_G(δ),  t ≤ √U_D(δ)                  (max min(U_G, U_D), √ is monotone)
kalai_smorodinsky:  max t  s.t.  t·√Ũ_G ≤ √U_G(δ),  t·√Ũ_D ≤ √U_D(δ)      (Ũ_j = max U_j: the ideal point)
The KS point is the Pareto point where U_G/Ũ_G = U_D/Ũ_D, i.e. the max-min of the normalized gains.
"""

from __future__ import annotations

import cvxpy as cp

from ...models.fine_tuning import FineTuningGame
from .conic import one_specialist_conic


def egalitarian_problem(game: FineTuningGame):
    prog = one_specialist_conic(game)
    t = cp.Variable(name="t")
    return cp.Problem(cp.Maximize(t), [*prog.rows, t <= prog.sqrt_ug, t <= prog.sqrt_ud]), prog.delta


def one_sided_problem(game: FineTuningGame, player: str):
    """max √U_G (``player="G"``) or max √U_D (``"D"``): the ends of the Pareto interval."""
    prog = one_specialist_conic(game)
    target = prog.sqrt_ug if player == "G" else prog.sqrt_ud
    return cp.Problem(cp.Maximize(target), prog.rows), prog.delta


def kalai_smorodinsky_problem(game: FineTuningGame, ideal_g: float, ideal_d: float):
    prog = one_specialist_conic(game)
    t = cp.Variable(name="t")
    rows = [*prog.rows, t * ideal_g ** 0.5 <= prog.sqrt_ug, t * ideal_d ** 0.5 <= prog.sqrt_ud]
    return cp.Problem(cp.Maximize(t), rows), prog.delta
