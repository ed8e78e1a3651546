"""Big-M encoding:  binary ``z``,  ``mu <= M_mu * z``,  ``slack <= M_s * (1 - z)``.

M values, per pair and side, come from (in order): variable bounds (interval arithmetic), an LP over the linear
relaxation of the KKT system (both proven valid), then the user's hints (``bigm=`` a number or a dict keyed by pair
key, values a number or ``(M_mu, M_slack)``) and ``bigm_default``.  Hints and defaults are not proven: a solution
that makes such a bound active may have had the true optimum cut off (catalogue #14) and is flagged; with only
proven M values the encoding is exact.  ``bigm_trusted=True`` declares the hints valid bounds.
"""

from __future__ import annotations

import math
from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import Capability, SolveConfig, SolveResult, solve

from ..analysis import program_requirements
from ..bounds import LinearRelaxation, interval_upper_bound
from . import PROVEN_SOURCES, BigMValue, EncodingReport
from ._common import load_values

NAME = "bigm"
EXACT = True  # when every M is proven; add_complementarity reports exact=False otherwise
OPTIONS: tuple[str, ...] = ("bigm", "bigm_trusted", "bigm_default", "tighten", "tighten_solver")
DEFAULT_M = 1e4
ACTIVE_TOL = 1e-6


def requires(options: dict[str, Any]) -> set[Capability]:
    return {Capability.MILP}


def _hint(options: dict[str, Any], key: str) -> tuple[float | None, float | None]:
    hint = options.get("bigm")
    if isinstance(hint, dict):
        hint = next((v for k, v in hint.items() if key == k or key.startswith(k + ":") or key.endswith("." + k)),
                    hint.get("*"))
    if hint is None:
        return None, None
    if isinstance(hint, int | float):
        return float(hint), float(hint)
    mu, slack = hint
    return (None if mu is None else float(mu)), (None if slack is None else float(slack))


def _choose(proven: float, source: str, hint: float | None, options: dict[str, Any], what: str) -> tuple[float, str]:
    if hint is not None and not hint > 0:
        from ..interface import BilevelError

        raise BilevelError(f"bigm: the M value for {what} must be > 0, got {hint}")
    trusted = bool(options.get("bigm_trusted", False))
    if hint is not None and hint < proven:
        return hint, "trusted_hint" if trusted else "hint"
    if math.isfinite(proven):
        return proven, source
    default = float(options.get("bigm_default", DEFAULT_M))
    return default, "default"


def add_complementarity(block: Any, pairs: list[Any], options: dict[str, Any]) -> EncodingReport:
    model = block.model()
    mu_bounds = [interval_upper_bound(p.multiplier) for p in pairs]
    slack_bounds = [interval_upper_bound(p.slack) for p in pairs]
    mu_src = ["bound"] * len(pairs)
    slack_src = ["bound"] * len(pairs)
    notes = []
    if options.get("tighten", True):
        relaxation = LinearRelaxation(model, options.get("tighten_solver"))
        if relaxation.available:
            tight = relaxation.maximize([p.multiplier for p in pairs] + [p.slack for p in pairs])
            for i in range(len(pairs)):
                if tight[i] < mu_bounds[i]:
                    mu_bounds[i], mu_src[i] = tight[i], "tightened"
                if tight[len(pairs) + i] < slack_bounds[i]:
                    slack_bounds[i], slack_src[i] = tight[len(pairs) + i], "tightened"
        else:
            notes.append("no LP backend available: big-M values not tightened")
    block.z = pyo.Var([p.key for p in pairs], within=pyo.Binary)
    block.multiplier_off = pyo.Constraint([p.key for p in pairs])
    block.slack_off = pyo.Constraint([p.key for p in pairs])
    values = []
    for i, p in enumerate(pairs):
        hint_mu, hint_slack = _hint(options, p.key)
        m_mu, s_mu = _choose(mu_bounds[i], mu_src[i], hint_mu, options, f"multiplier of {p.key}")
        m_s, s_s = _choose(slack_bounds[i], slack_src[i], hint_slack, options, f"slack of {p.key}")
        m_mu, m_s = max(m_mu, 0.0), max(m_s, 0.0)
        block.multiplier_off[p.key] = p.multiplier <= m_mu * block.z[p.key]
        block.slack_off[p.key] = p.slack <= m_s * (1 - block.z[p.key])
        values.append(BigMValue(p.key, m_mu, m_s, s_mu, s_s))
    exact = all(v.proven for v in values)
    if not exact:
        notes.append("some big-M values are hints or defaults (not proven): a solution where one is active is "
                     "flagged and not certified")
    return EncodingReport(NAME, exact, pairs=[p.key for p in pairs], bigm=values, notes=notes,
                          extras={"bigm_pairs": pairs})


def active_bounds(report: EncodingReport, tol: float = ACTIVE_TOL) -> list[tuple[str, bool]]:
    """The big-M bounds active at the loaded solution (``value >= M (1 - tol)``), each as (description, proven)."""
    from ..interface import BilevelError

    pairs = {p.key: p for p in report.extras.get("bigm_pairs", [])}
    out = []
    for v in report.bigm:
        p = pairs.get(v.pair)
        if p is None:
            raise BilevelError(f"bigm: no complementarity pair {v.pair!r} in the report")
        mu, slack = pyo.value(p.multiplier), pyo.value(p.slack)
        if mu > tol and mu >= v.multiplier_m * (1 - tol) - tol:
            out.append((f"{v.pair}: multiplier {mu:.6g} at its M = {v.multiplier_m:.6g} ({v.multiplier_source})",
                        v.multiplier_source in PROVEN_SOURCES))
        if slack > tol and slack >= v.slack_m * (1 - tol) - tol:
            out.append((f"{v.pair}: slack {slack:.6g} at its M = {v.slack_m:.6g} ({v.slack_source})",
                        v.slack_source in PROVEN_SOURCES))
    return out


def solve_encoded(reform: Any, solver: str, config: SolveConfig, options: dict[str, Any]) -> SolveResult:
    """Solve; if an unproven M is active on a multiplier, re-choose the multipliers at the same primal point.

    Multipliers of a degenerate follower are not unique and a solver may park one at its M.  With every primal and
    binary variable fixed, ``min sum(flagged multipliers)`` s.t. the KKT rows and ``leader objective no worse`` finds
    other valid multipliers when they exist (an LP); the flag then disappears.  An active slack M (a primal
    quantity, catalogue #14) cannot be moved this way and stays flagged.
    """
    name = f"{reform.model.name}:kkt+bigm"
    res = solve(reform.model, requires=reform.requires(), solver=solver, config=config, formulation=name)
    if not res.ok:
        return res
    flagged = [v for v in reform.report.bigm if v.multiplier_source not in PROVEN_SOURCES]
    pairs = {p.key: p for p in reform.report.extras.get("bigm_pairs", [])}
    parked = [pairs[v.pair].multiplier for v in flagged
              if pyo.value(pairs[v.pair].multiplier) >= v.multiplier_m * (1 - ACTIVE_TOL) - ACTIVE_TOL]
    if not parked:
        return res
    model = reform.model
    free = {id(v) for fk in reform.kkt.followers for v in fk.multipliers()}
    fixed = [v for v in model.component_data_objects(pyo.Var, descend_into=True) if id(v) not in free and not v.fixed]
    leader = next(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    current = pyo.value(leader.expr)
    for v in fixed:
        v.fix()
    leader.deactivate()
    slack = 1e-9 * (1 + abs(current))
    model._no_worse = pyo.Constraint(expr=leader.expr <= current + slack if leader.sense == pyo.minimize
                                     else leader.expr >= current - slack)
    model._relieve = pyo.Objective(expr=sum(parked))
    try:
        again = solve(model, requires=program_requirements(model), solver=solver, config=config,
                      formulation=name + " (multipliers re-chosen)")
    finally:
        model.del_component("_relieve")
        model.del_component("_no_worse")
        leader.activate()
        for v in fixed:
            v.unfix()
    if again.ok:
        reform.report.notes.append("multipliers parked at an unproven M were re-chosen at the same primal point")
        res.values = {**res.values, **{k: val for k, val in again.values.items()}}
    else:
        load_values(model, res.values)
    return res
