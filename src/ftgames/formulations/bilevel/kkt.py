"""KKT conditions of each follower, written onto a single-level Pyomo model (complementarity left to an encoding).

Follower ``k`` with sign ``s = +1`` (min) or ``-1`` (max) solves ``min_y  phi(y) = s * f(y; x)`` subject to its rows
``L <= e(y; x) <= U`` and bounds ``lb <= y <= ub``.  With multipliers ``mu_U, mu_L, sigma_lb, sigma_ub >= 0`` and
``nu`` (free, equality rows) the KKT system is

    stationarity   grad_y phi + sum nu grad e + sum (mu_U - mu_L) grad e - sigma_lb + sigma_ub = 0
    primal         L <= e <= U,  lb <= y <= ub         (the follower's own rows stay in the model)
    complementary  0 <= mu ⊥ slack >= 0  for each one-sided row/bound:  slack = U - e, e - L, y - lb, ub - y.

Several followers: their systems are stacked, each treating the others' variables as parameters (a Nash game).
The multiplier a user asked for with ``Follower.dual(c)`` is linked by ``dual = s * (mu_L - mu_U - nu)``, the
sensitivity of the follower's optimal value to the row's right-hand side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo
from pyomo.core.expr.calculus.derivatives import differentiate
from pyomo.core.expr.visitor import identify_variables

from .interface import BilevelSpec, FollowerSpec


@dataclass
class ComplementarityPair:
    """``0 <= multiplier ⊥ slack >= 0``.  ``slack >= 0`` is already implied by the model's primal rows/bounds."""

    key: str  # e.g. "lower.c1:ub", "lower.y:lb"
    follower: str
    multiplier: Any  # a VarData with lower bound 0
    slack: Any  # an expression
    row: Any = None  # the follower ConstraintData (None for a variable bound)
    variable: Any = None  # the follower VarData (bound pairs)
    side: str = "ub"  # "ub" or "lb"


@dataclass
class FollowerKKT:
    follower: str
    sign: int
    variables: list[Any]
    block: Any  # the block holding multipliers and stationarity rows
    pairs: list[ComplementarityPair] = field(default_factory=list)
    equality_multipliers: dict[str, Any] = field(default_factory=dict)
    equality_rows: dict[str, Any] = field(default_factory=dict)  # key -> ConstraintData (e == L)
    objective: Any = None  # phi = s * f as an expression on the single-level model
    user_duals: list[Any] = field(default_factory=list)  # the leader-visible dual variables (VarData) on the model

    def multipliers(self) -> list[Any]:
        """Every multiplier of this follower (mu, nu) and the user dual variables linked to them."""
        return [*self.block.mu.values(), *self.block.nu.values(), *self.user_duals]


@dataclass
class KKTSystem:
    followers: list[FollowerKKT]

    @property
    def pairs(self) -> list[ComplementarityPair]:
        return [p for f in self.followers for p in f.pairs]


def _is_zero(expr: Any) -> bool:
    if isinstance(expr, int | float):
        return expr == 0
    return not any(True for _ in identify_variables(expr, include_fixed=True)) and pyo.value(expr) == 0


def add_kkt(single: Any, bm: BilevelSpec) -> KKTSystem:
    """Write every follower's stationarity, multiplier and dual-link rows onto ``single`` (a clone of ``bm.model``)."""
    systems = [_add_follower_kkt(single, bm, f) for f in bm.followers]
    return KKTSystem(systems)


def _add_follower_kkt(single: Any, bm: BilevelSpec, original: FollowerSpec) -> FollowerKKT:
    fblock = single.find_component(original.block.name)
    sign = 1 if original.sense == "min" else -1
    ys = [v for v in fblock.component_data_objects(pyo.Var, descend_into=True) if not v.fixed]
    rows = list(fblock.component_data_objects(pyo.Constraint, active=True, descend_into=True))
    objective = fblock.component("objective")
    kb = pyo.Block()
    single.add_component(f"{original.name}_kkt", kb)
    out = FollowerKKT(original.name, sign, ys, kb, objective=sign * objective.expr)

    requested = {rel for rel in original.dual_vars}
    grad_phi = differentiate(out.objective, wrt_list=ys, mode=differentiate.Modes.reverse_symbolic)
    stationarity: list[Any] = [g for g in grad_phi]
    keys_ineq: list[tuple[str, Any, Any, Any, str, Any]] = []  # key, row, var, slack, side, dir grad
    keys_eq: list[tuple[str, Any, Any]] = []
    for row in rows:
        grad = differentiate(row.body, wrt_list=ys, mode=differentiate.Modes.reverse_symbolic)
        rel_comp = row.parent_component().getname(fully_qualified=True, relative_to=fblock)
        rel = row.getname(fully_qualified=True, relative_to=fblock)
        if all(_is_zero(g) for g in grad) and rel_comp not in requested:
            continue  # a row without follower variables: its multiplier can be 0, only primal feasibility matters
        if row.equality:
            keys_eq.append((f"{rel}:eq", row, grad))
            continue
        if row.has_ub():
            keys_ineq.append((f"{rel}:ub", row, None, row.upper - row.body, "ub", grad))
        if row.has_lb():
            keys_ineq.append((f"{rel}:lb", row, None, row.body - row.lower, "lb", grad))
    for j, y in enumerate(ys):
        rel = y.getname(fully_qualified=True, relative_to=fblock)
        unit = [1 if i == j else 0 for i in range(len(ys))]
        if y.has_lb():
            keys_ineq.append((f"{rel}:lb", None, y, y - y.lb, "lb", [-u for u in unit]))
        if y.has_ub():
            keys_ineq.append((f"{rel}:ub", None, y, y.ub - y, "ub", unit))

    kb.mu = pyo.Var([k[0] for k in keys_ineq], within=pyo.NonNegativeReals)
    kb.nu = pyo.Var([k[0] for k in keys_eq])
    for key, row, var, slack, side, grad in keys_ineq:
        mu = kb.mu[key]
        if row is not None:
            direction = 1 if side == "ub" else -1
            for j, g in enumerate(grad):
                if not _is_zero(g):
                    stationarity[j] = stationarity[j] + direction * mu * g
        else:
            j = next(i for i, v in enumerate(ys) if v is var)
            stationarity[j] = stationarity[j] + (mu if side == "ub" else -mu)
        out.pairs.append(ComplementarityPair(f"{original.name}.{key}", original.name, mu, slack, row, var, side))
    for key, _row, grad in keys_eq:
        nu = kb.nu[key]
        out.equality_multipliers[key] = nu
        out.equality_rows[key] = _row
        for j, g in enumerate(grad):
            if not _is_zero(g):
                stationarity[j] = stationarity[j] + nu * g
    kb.stationarity = pyo.ConstraintList()
    for expr in stationarity:
        if isinstance(expr, int | float):
            continue
        kb.stationarity.add(expr == 0)

    # Link the user's dual variables: dual = s * (mu_L - mu_U - nu)  (sensitivity of the optimal value to the rhs)
    kb.dual_link = pyo.ConstraintList()
    for rel_comp, user_var in original.dual_vars.items():
        clone_var = single.find_component(user_var.name)
        comp = fblock.find_component(rel_comp)
        for idx in comp:
            row = comp[idx]
            rel = row.getname(fully_qualified=True, relative_to=fblock)
            combo = 0
            if f"{rel}:lb" in kb.mu:
                combo = combo + kb.mu[f"{rel}:lb"]
            if f"{rel}:ub" in kb.mu:
                combo = combo - kb.mu[f"{rel}:ub"]
            if f"{rel}:eq" in kb.nu:
                combo = combo - kb.nu[f"{rel}:eq"]
            target = clone_var[idx] if clone_var.is_indexed() else clone_var
            out.user_duals.append(target)
            kb.dual_link.add(target == sign * combo)
    return out
