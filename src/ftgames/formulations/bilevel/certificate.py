"""Certificate of a bilevel solution: fix the leader's decision, re-solve every follower on its own, and measure.

Reported per follower: its objective at the solution ``f(y*)``, its best response value ``f*`` (a global re-solve)
and the gap ``|f(y*) - f*| / (1 + |f*|)``; for the whole solution: the complementarity residual
``max_pairs min(|mu|, |slack|)`` and the largest primal violation of any leader or follower row or bound.

Labels: ``certified_global`` (every check passes, the single-level program was solved to proven global optimality
by an exact encoding), ``certified_local`` (every check passes: an equilibrium of the followers at a leader decision
that is only locally optimal or not proven optimal), ``uncertified`` (anything else; never an equilibrium).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import SolveConfig, Status, solve

from .analysis import program_requirements
from .model import BilevelModel

CERTIFIED_GLOBAL = "certified_global"
CERTIFIED_LOCAL = "certified_local"
UNCERTIFIED = "uncertified"


@dataclass
class FollowerCheck:
    follower: str
    value_at_solution: float | None
    best_response_value: float | None
    gap: float | None
    status: str
    backend: str


@dataclass
class Certificate:
    label: str
    followers: list[FollowerCheck] = field(default_factory=list)
    complementarity_residual: float | None = None
    primal_infeasibility: float | None = None
    bigm_active: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why the label is not certified_global

    @property
    def certified(self) -> bool:
        return self.label in (CERTIFIED_GLOBAL, CERTIFIED_LOCAL)

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "followers": [vars(f) for f in self.followers],
            "complementarity_residual": self.complementarity_residual,
            "primal_infeasibility": self.primal_infeasibility,
            "bigm_active": self.bigm_active,
            "reasons": self.reasons,
        }


def primal_infeasibility(model: Any) -> float:
    """Largest violation of an active row or a variable bound of ``model`` at its current values."""
    worst = 0.0
    for c in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        body = pyo.value(c.body, exception=False)
        if body is None:
            return float("inf")
        if c.has_lb():
            worst = max(worst, pyo.value(c.lower) - body)
        if c.has_ub():
            worst = max(worst, body - pyo.value(c.upper))
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        if v.value is None:
            continue
        if v.has_lb():
            worst = max(worst, v.lb - v.value)
        if v.has_ub():
            worst = max(worst, v.value - v.ub)
    return worst


def complementarity_residual(pairs: list[Any]) -> float:
    worst = 0.0
    for p in pairs:
        mu = pyo.value(p.multiplier, exception=False)
        slack = pyo.value(p.slack, exception=False)
        if mu is None or slack is None:
            return float("inf")
        worst = max(worst, min(abs(mu), abs(slack)))
    return worst


def best_response(bm: BilevelModel, follower_name: str, solver: str, config: SolveConfig) -> tuple[Any, Any]:
    """Solve follower ``follower_name`` alone with every other variable fixed at its current value in ``bm.model``.
    Returns (value of its objective at the current point, SolveResult of the re-solve)."""
    clone = bm.model.clone()
    fblock = clone.find_component(bm.follower(follower_name).block.name)
    own = {id(v) for v in fblock.component_data_objects(pyo.Var, descend_into=True)}
    for v in clone.component_data_objects(pyo.Var, descend_into=True):
        if id(v) not in own and not v.fixed:
            v.fix(v.value if v.value is not None else 0.0, skip_validation=True)
    for c in clone.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        c.deactivate()
    for c in fblock.component_data_objects(pyo.Constraint, descend_into=True):
        c.activate()
    for o in clone.component_data_objects(pyo.Objective, active=True, descend_into=True):
        o.deactivate()
    objective = fblock.component("objective")
    objective.activate()
    current = pyo.value(objective.expr, exception=False)
    result = solve(clone, requires=program_requirements(clone), solver=solver, config=config, convex=True,
                   formulation=f"best response of {follower_name}")
    return current, result


def certify(
    bm: BilevelModel,
    pairs: list[Any],
    *,
    solved_globally: bool,
    exact_encoding: bool,
    bigm_active: list[str],
    unproven_bigm_active: bool,
    solver: str,
    config: SolveConfig | None = None,
    tolerance: float = 1e-5,
) -> Certificate:
    """Check the solution currently loaded in ``bm.model`` (and the multipliers in ``pairs``)."""
    config = config or SolveConfig(time_limit=60)
    cert = Certificate(UNCERTIFIED, bigm_active=list(bigm_active))
    cert.primal_infeasibility = primal_infeasibility(bm.model)
    cert.complementarity_residual = complementarity_residual(pairs)
    failed = []
    for f in bm.followers:
        current, res = best_response(bm, f.name, solver, config)
        gap = None
        if res.status is Status.OPTIMAL and current is not None and res.objective is not None:
            gap = abs(current - res.objective) / (1 + abs(res.objective))
        cert.followers.append(FollowerCheck(f.name, current, res.objective, gap, str(res.status), res.backend))
        if gap is None:
            failed.append(f"follower {f.name!r}: re-solve ended with status {res.status} ({res.message})")
        elif gap > tolerance:
            failed.append(f"follower {f.name!r}: not a best response (gap {gap:.3g} > {tolerance:g})")
    if cert.primal_infeasibility > tolerance:
        failed.append(f"primal infeasibility {cert.primal_infeasibility:.3g} > {tolerance:g}")
    if cert.complementarity_residual > tolerance * 10:
        failed.append(f"complementarity residual {cert.complementarity_residual:.3g} > {10 * tolerance:g}")
    if unproven_bigm_active:
        failed.append("an unproven big-M bound is active: the true optimum may have been cut off")
    if failed:
        cert.reasons = failed
        return cert
    reasons = []
    if not solved_globally:
        reasons.append("the single-level program was not solved to proven global optimality")
    if not exact_encoding:
        reasons.append("the encoding is not exact (unproven big-M values or a relaxation)")
    cert.reasons = reasons
    cert.label = CERTIFIED_LOCAL if reasons else CERTIFIED_GLOBAL
    return cert
