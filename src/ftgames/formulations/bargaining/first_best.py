"""The integrated benchmark: one firm owning G and every D_i chooses all investments and who takes part.

    max_{P, α0, Δ ≥ 0}  Σ_{i ∈ P} [r_i(α0 + Δ_i) − φ_i(Δ_i) − F_i] − φ0(α0)

Linear revenue: Δ_i = φ_i'^{-1}(r_i) and α0 = φ0'^{-1}(Σ_{i∈P} r_i) (closed form per set P).  Power revenue: a
concave program per P (CVXPY).  Without entry decisions everyone takes part (one P, any n); with them every
P is enumerated (exact; n ≤ 16).  The efficiency ratio of a contract is its
total surplus U_G + Σ U_Di over the first-best surplus (for k = 2, one domain: (c0² + c0c1 + c1²)/(c0 + c1)²).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import cvxpy as cp

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ...solvers import Capability, solve


@dataclass(frozen=True)
class FirstBest:
    alpha0: float
    alpha: tuple[float, ...]
    participating: tuple[bool, ...]
    surplus: float
    method: str
    is_global: bool

    def to_dict(self, contract_surplus: float | None = None) -> dict[str, Any]:
        out = {"alpha0": self.alpha0, "alpha": list(self.alpha), "participating": list(self.participating),
               "surplus": self.surplus, "method": self.method, "is_global": self.is_global}
        if contract_surplus is not None:
            out["efficiency_ratio"] = efficiency_ratio(contract_surplus, self)
        return out


def efficiency_ratio(contract_surplus: float, first: FirstBest) -> float:
    return contract_surplus / first.surplus if first.surplus > 0 else float("nan")


#: Participation sets are enumerated (2^n of them) only when some specialist may abstain.
MAX_ENUMERATED_SPECIALISTS = 16


def first_best(game: FineTuningGame, solver: str = "clarabel") -> FirstBest:
    if game.has_entry_decisions:
        if game.n > MAX_ENUMERATED_SPECIALISTS:
            raise ModelError(f"specialists: the first best enumerates participation sets when some specialist "
                             f"has an entry cost or outside option: at most {MAX_ENUMERATED_SPECIALISTS} "
                             f"specialists, got {game.n}")
        candidates: Any = itertools.product((True, False), repeat=game.n)
    else:  # nobody can lose by taking part (r_i(α0 + Δ) − φ_i(Δ) ≥ r_i(α0) ≥ 0): everyone takes part
        candidates = [(True,) * game.n]
    best: FirstBest | None = None
    for members in candidates:
        candidate = _linear(game, members) if game.linear_revenue else _concave(game, members, solver)
        if best is None or candidate.surplus > best.surplus + 1e-14:
            best = candidate
    assert best is not None
    if best.surplus < 0:  # nobody builds anything
        return FirstBest(0.0, (0.0,) * game.n, (False,) * game.n, 0.0, best.method, best.is_global)
    return best


def _linear(game: FineTuningGame, members: tuple[bool, ...]) -> FirstBest:
    rate = sum(rev.rate for rev, p in zip(game.revenues, members, strict=True) if p)
    alpha0 = game.generalist_cost.inverse_marginal(rate)
    inc = [cost.inverse_marginal(rev.rate) if p else 0.0
           for cost, rev, p in zip(game.specialist_costs, game.revenues, members, strict=True)]
    surplus = game.first_best_value(alpha0, inc, members)
    return FirstBest(alpha0, tuple(alpha0 + d for d in inc), members, surplus, "closed_form", True)


def _concave(game: FineTuningGame, members: tuple[bool, ...], solver: str) -> FirstBest:
    a0 = cp.Variable(nonneg=True, name="alpha0")
    inc = cp.Variable(game.n, nonneg=True, name="increment")
    g = game.generalist_cost
    terms = [-g.coefficient * cp.power(a0, g.exponent)]
    for i, (cost, rev) in enumerate(zip(game.specialist_costs, game.revenues, strict=True)):
        if not members[i]:
            continue
        revenue = rev.rate * (a0 + inc[i] if rev.is_linear else cp.power(a0 + inc[i], rev.power))
        terms.append(revenue - cost.coefficient * cp.power(inc[i], cost.exponent) - cost.linear * inc[i]
                     - game.specialists[i].entry_cost)
    problem = cp.Problem(cp.Maximize(sum(terms)), [inc[i] == 0 for i in range(game.n) if not members[i]])
    result = solve(problem, requires={Capability.SOC}, solver=solver, convex=True, formulation="first_best")
    result.raise_for_status()
    alpha0 = float(a0.value)
    increments = [float(max(x, 0.0)) if members[i] else 0.0 for i, x in enumerate(inc.value)]
    surplus = game.first_best_value(alpha0, increments, members)
    return FirstBest(alpha0, tuple(alpha0 + d for d in increments), members, surplus, f"conic:{solver}",
                     result.is_global)
