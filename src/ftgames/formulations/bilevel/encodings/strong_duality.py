"""Strong-duality encoding for followers that are linear in their own variables.

For such a follower the Lagrangian ``L(y) = phi(y) - sum mu * slack + sum nu * (e - rhs)`` is affine in ``y``; with
stationarity (``grad_y L = 0``) it equals its value at ``y = 0``, the dual objective ``D``.  Weak duality gives
``phi(y) >= D`` for every primal-dual feasible pair, so the single row ``phi(y) <= D`` replaces all complementarity
conditions of that follower (exact).  ``D`` has products of multipliers and leader variables when the follower's
right-hand sides depend on them: a nonconvex quadratic row (SCIP).
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo
from pyomo.core.expr.visitor import replace_expressions
from pyomo.repn import generate_standard_repn

from ftgames.solvers import Capability, SolveConfig, SolveResult, get_backend, solve

from ..analysis import _curvature, parameters_fixed
from ..interface import BilevelError
from . import EncodingReport
from ._common import load_values, polish_active_set

NAME = "strong_duality"
EXACT = True
OPTIONS: tuple[str, ...] = ()  # keyword options this encoding reads


def requires(options: dict[str, Any]) -> set[Capability]:
    return set()


def add_complementarity(block: Any, pairs: list[Any], options: dict[str, Any]) -> EncodingReport:
    kkt = options.get("_kkt")
    if kkt is None:
        raise BilevelError("strong_duality needs the followers' KKT systems (use reformulate / solve_bilevel)")
    model = block.model()
    keys = {p.key for p in pairs}
    block.duality = pyo.ConstraintList()
    for fk in kkt.followers:
        own = [p for p in fk.pairs if p.key in keys]
        if len(own) != len(fk.pairs):
            raise BilevelError(f"strong_duality: follower {fk.follower!r} must have all its pairs in this encoding")
        _require_linear(model, fk)
        lagrangian = fk.objective - sum(p.multiplier * p.slack for p in fk.pairs)
        for key, nu in fk.equality_multipliers.items():
            row = fk.equality_rows[key]
            lagrangian = lagrangian + nu * (row.body - row.lower)
        dual_objective = replace_expressions(lagrangian, {id(y): 0 for y in fk.variables},
                                             remove_named_expressions=True)
        gap = generate_standard_repn(fk.objective - dual_objective, quadratic=True, compute_values=True)
        block.duality.add(gap.to_expression() <= 0)  # simplified: zero products removed (SCIP is sensitive)
    return EncodingReport(NAME, EXACT, pairs=sorted(keys),
                          notes=["complementarity replaced by primal objective <= dual objective, per follower"])


def _require_linear(model: Any, fk: Any) -> None:
    ys = {id(v): i for i, v in enumerate(fk.variables)}
    params = [v for v in model.component_data_objects(pyo.Var, descend_into=True) if id(v) not in ys]
    exprs = [("objective", fk.objective)] + [(p.key, p.slack) for p in fk.pairs]
    exprs += [(k, r.body) for k, r in fk.equality_rows.items()]
    with parameters_fixed(params):
        for what, expr in exprs:
            if _curvature(expr, ys) != "affine":
                raise BilevelError(f"strong_duality: follower {fk.follower!r} is not linear in its variables "
                                   f"({what}); use sos1, bigm, product or enumeration")


def solve_encoded(reform: Any, solver: str, config: SolveConfig, options: dict[str, Any]) -> SolveResult:
    """One solve; on a local backend the interior point is then polished on its active set (exact complementarity)."""
    name = f"{reform.model.name}:kkt+strong_duality"
    requires_ = reform.requires()
    res = solve(reform.model, requires=requires_, solver=solver, config=config, formulation=name)
    if not res.ok or get_backend(solver).global_optimality:
        return res
    reform.report.exact = False
    polished = polish_active_set(reform, reform.kkt.pairs, solver, config, requires_, name)
    if polished is not None:
        return polished
    load_values(reform.model, res.values)
    return res
