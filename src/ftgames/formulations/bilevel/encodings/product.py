"""Product encoding:  ``mu * slack <= eps`` (with ``mu, slack >= 0``).

On a global backend (SCIP) ``eps = 0``: the exact nonconvex quadratic program, solved by spatial branch and bound.
On a local NLP backend (Ipopt) the MPCC violates constraint qualifications at ``eps = 0``, so the relaxation is solved
along a decreasing schedule ``eps_schedule`` (default 1, 1e-1, ..., 1e-8), each solve warm-started from the last;
the final point is then polished on its active set (``mu = 0`` or ``slack = 0``, whichever is smaller, per pair:
a smooth program).  The Ipopt result is local: never more than ``certified_local``.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import Capability, SolveConfig, SolveResult, get_backend, solve

from . import EncodingReport
from ._common import load_values, polish_active_set

NAME = "product"
EXACT = True  # with eps = 0 on a global backend
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
    _initialize(reform.model)
    schedule = [float(e) for e in options.get("eps_schedule", DEFAULT_SCHEDULE)]
    if not schedule or any(e < 0 for e in schedule):
        raise ValueError(f"eps_schedule must be a non-empty list of values >= 0, got {schedule}")
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
    block.product.deactivate()
    polished = polish_active_set(reform, reform.report.extras["product_pairs"], solver, config, requires_, name)
    if polished is not None:
        return polished
    block.product.activate()
    load_values(reform.model, last.values)
    return last
