"""Product encoding:  ``mu * slack <= eps`` (with ``mu, slack >= 0``).

On a global backend (SCIP) ``eps = 0``: the exact nonconvex quadratic program, solved by spatial branch and bound.
On a local NLP backend (Ipopt) the MPCC violates constraint qualifications at ``eps = 0``, so the relaxation is solved
along a decreasing schedule ``eps_schedule`` (default 1, 1e-1, ..., 1e-8), each solve warm-started from the last;
the final point is then polished on its active set (``mu = 0`` or ``slack = 0``, whichever is smaller, per pair:
a smooth program).  ``starts`` (default ``SolveConfig.starts``) restarts from random points and keeps the best.
The Ipopt result is local: never more than ``certified_local``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from ftgames.solvers import Capability, SolveConfig, SolveResult, get_backend, solve

from . import EncodingReport
from ._common import load_values, polish_active_set

NAME = "product"
EXACT = True  # with eps = 0 on a global backend
OPTIONS: tuple[str, ...] = ("eps", "eps_schedule", "starts", "seed")  # keyword options this encoding reads
DEFAULT_SCHEDULE = (1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8)


def requires(options: dict[str, Any]) -> set[Capability]:
    return {Capability.NONCONVEX_QUADRATIC}


def add_complementarity(block: Any, pairs: list[Any], options: dict[str, Any]) -> EncodingReport:
    block.eps = pyo.Param(mutable=True, initialize=float(options.get("eps", 0.0)), within=pyo.NonNegativeReals)
    block.product = pyo.Constraint([p.key for p in pairs],
                                   rule=lambda b, k: _by_key(pairs, k).multiplier * _by_key(pairs, k).slack <= b.eps)
    return EncodingReport(NAME, EXACT, pairs=[p.key for p in pairs], extras={"product_pairs": pairs})


def _by_key(pairs: list[Any], key: str) -> Any:
    return next(p for p in pairs if p.key == key)


def _initialize(model: Any) -> None:
    """Give every variable without a value a start inside its bounds (Ipopt needs one)."""
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        if v.value is None:
            lb, ub = v.lb, v.ub
            v.set_value(0.0 if (lb is None or lb <= 0) and (ub is None or ub >= 0)
                        else (lb if lb is not None else ub), skip_validation=True)


def solve_encoded(reform: Any, solver: str, config: SolveConfig, options: dict[str, Any]) -> SolveResult:
    """Exact solve on a global backend; eps-homotopy then active-set polish on a local one."""
    block = reform.model.complementarity.product
    requires_ = reform.requires()
    name = f"{reform.model.name}:kkt+product"
    if get_backend(solver).global_optimality:
        block.eps.set_value(0.0)
        return solve(reform.model, requires=requires_, solver=solver, config=config, formulation=name)
    reform.report.exact = False
    schedule = [float(e) for e in options.get("eps_schedule", DEFAULT_SCHEDULE)]
    if not schedule or any(e < 0 for e in schedule):
        raise ValueError(f"eps_schedule must be a non-empty list of values >= 0, got {schedule}")
    starts = int(options.get("starts", config.starts))
    if starts < 1:
        raise ValueError(f"starts must be >= 1, got {starts}")
    objective = next(reform.model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    sign = 1 if objective.sense == pyo.minimize else -1
    rng = np.random.default_rng(int(options.get("seed", 0)))
    best = None
    for start in range(starts):
        if start == 0:
            _initialize(reform.model)
        else:
            _randomize(reform, rng)
        res = _homotopy(reform, block, schedule, solver, config, requires_, name)
        if res.ok and (best is None or sign * res.objective < sign * best.objective - 1e-9):
            best = res
        if best is None and start == starts - 1:
            return res
    if starts > 1:
        reform.report.notes.append(f"multistart: best of {starts} starts")
    reform.report.notes = list(dict.fromkeys(reform.report.notes))
    load_values(reform.model, best.values)
    return best


def _randomize(reform: Any, rng: np.random.Generator) -> None:
    """A random start: primal variables uniform in their bounds (a box of width 10 where unbounded), multipliers 0."""
    multipliers = {id(v) for fk in reform.kkt.followers for v in fk.multipliers()}
    for v in reform.model.component_data_objects(pyo.Var, descend_into=True):
        if v.fixed:
            continue
        if id(v) in multipliers:
            v.set_value(0.0 if v.lb is None else max(v.lb, 0.0), skip_validation=True)
            continue
        lb = v.lb if v.lb is not None else (v.ub - 10 if v.ub is not None else -5.0)
        ub = v.ub if v.ub is not None else lb + 10
        v.set_value(float(rng.uniform(lb, ub)), skip_validation=True)


def _homotopy(reform: Any, block: Any, schedule: list[float], solver: str, config: SolveConfig, requires_: set,
              name: str) -> SolveResult:
    """Solve along the eps schedule (warm starts), then polish the active set of the last point."""
    if block.product.active is False:
        block.product.activate()
    last = None
    for eps in schedule:
        block.eps.set_value(eps)
        res = solve(reform.model, requires=requires_, solver=solver, config=config, formulation=name)
        if not res.ok:
            if last is None:
                return res
            break
        last = res
    reform.report.notes.append(f"eps homotopy reached eps = {pyo.value(block.eps):g}")
    load_values(reform.model, last.values)
    block.product.deactivate()
    polished = polish_active_set(reform, reform.report.extras["product_pairs"], solver, config, requires_, name)
    if reform.model.complementarity.component("polish") is not None:
        reform.model.complementarity.del_component("polish")
    block.product.activate()
    if polished is not None:
        return polished
    load_values(reform.model, last.values)
    return last
