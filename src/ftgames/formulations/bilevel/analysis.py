"""Structure checks: is a follower's KKT system valid (continuous, convex), and what does a program need from a solver.

A follower ``min phi(y; x)`` s.t. ``g(y; x) <= 0``, ``h(y; x) = 0`` has KKT conditions that characterize its optima
when ``phi`` and ``g`` are convex and ``h`` affine in ``y`` (for fixed parameters ``x``) and a constraint
qualification holds (automatic for linear rows).  Quadratic functions are checked through their Hessian in ``y``;
anything else needs ``assume_convex=True`` on the follower.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.visitor import identify_variables
from pyomo.repn import generate_standard_repn

from ftgames.solvers import Capability

from .interface import BilevelError, FollowerSpec

HESSIAN_TOL = 1e-9


@contextmanager
def parameters_fixed(variables: list[Any]):
    """Temporarily fix ``variables`` (they become parameters of a standard repn); restore afterwards."""
    changed = [v for v in variables if not v.fixed]
    for v in changed:
        v.fixed = True
    try:
        yield
    finally:
        for v in changed:
            v.fixed = False


def _hessian(repn: Any, index: dict[int, int]) -> np.ndarray | None:
    """Hessian (in the follower's variables) of a quadratic repn; None if a coefficient depends on parameters."""
    n = len(index)
    hess = np.zeros((n, n))
    for (v1, v2), coef in zip(repn.quadratic_vars, repn.quadratic_coefs, strict=True):
        if not isinstance(coef, int | float):
            if any(True for _ in identify_variables(coef)):
                return None
            coef = pyo.value(coef)
        i, j = index[id(v1)], index[id(v2)]
        if i == j:
            hess[i, i] += 2 * coef
        else:
            hess[i, j] += coef
            hess[j, i] += coef
    return hess


def _curvature(expr: Any, index: dict[int, int]) -> str:
    """'affine', 'convex', 'concave', 'indefinite', 'parametric' (quadratic coefficient depends on parameters) or
    'nonlinear', of ``expr`` in the (unfixed) follower variables."""
    repn = generate_standard_repn(expr, compute_values=False, quadratic=True)
    if repn.nonlinear_expr is not None:
        return "nonlinear"
    if not repn.quadratic_vars:
        return "affine"
    hess = _hessian(repn, index)
    if hess is None:
        return "parametric"
    eig = np.linalg.eigvalsh(hess)
    if eig.min() >= -HESSIAN_TOL:
        return "convex"
    if eig.max() <= HESSIAN_TOL:
        return "concave"
    return "indefinite"


def check_follower(follower: FollowerSpec, all_variables: list[Any]) -> None:
    """Refuse (BilevelError) a follower whose KKT conditions would not characterize its optima."""
    ys = follower.variables()
    for v in ys:
        if not v.is_continuous():
            raise BilevelError(
                f"follower {follower.name!r}: variable {v.name!r} is integer; KKT conditions are not valid for "
                "integer follower variables (the relaxed answer can be wrong: catalogue #15). Use a value-function "
                "or enumeration method outside this layer, or make the variable continuous."
            )
    if follower.assume_convex:
        return
    index = {id(v): i for i, v in enumerate(ys)}
    y_ids = set(index)
    params = [v for v in all_variables if id(v) not in y_ids]
    with parameters_fixed(params):
        obj = follower.objective
        want = "convex" if follower.sense == "min" else "concave"
        shape = _curvature(obj.expr, index)
        _require(shape, {"affine", want}, follower, f"objective ({follower.sense})")
        for row in follower.rows():
            shape = _curvature(row.body, index)
            if row.equality or (row.has_lb() and row.has_ub()):
                _require(shape, {"affine"}, follower, f"row {row.name!r} (equality or two-sided)")
            elif row.has_ub():
                _require(shape, {"affine", "convex"}, follower, f"row {row.name!r} (<=)")
            else:
                _require(shape, {"affine", "concave"}, follower, f"row {row.name!r} (>=)")


def _require(shape: str, allowed: set[str], follower: FollowerSpec, what: str) -> None:
    if shape in allowed:
        return
    if shape in ("nonlinear", "parametric"):
        raise BilevelError(
            f"follower {follower.name!r}: {what} is not a quadratic with constant Hessian in the follower's "
            "variables, so its convexity cannot be checked; pass assume_convex=True to add_follower() if you know "
            "the follower's problem is convex"
        )
    raise BilevelError(
        f"follower {follower.name!r}: {what} is {shape} in the follower's variables; the KKT reformulation needs "
        f"it to be one of {sorted(allowed)}"
    )


# ------------------------------------------------------------------------------------------------ requirements
def program_requirements(model: Any) -> set[Capability]:
    """What a single-level Pyomo program needs from a backend: LP/MILP, convex QP/MIQP, nonconvex quadratic, NLP,
    SOS1 (read off the active objective, constraints, SOS constraints and variable domains)."""
    needs: set[Capability] = {Capability.LP}
    integer = any(not v.is_continuous() and not v.fixed
                  for v in model.component_data_objects(pyo.Var, descend_into=True))
    if any(True for _ in model.component_data_objects(pyo.SOSConstraint, active=True, descend_into=True)):
        needs.add(Capability.SOS1)
        integer = True
    if integer:
        needs.add(Capability.MILP)
    for con in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        degree = con.body.polynomial_degree()
        if degree is None:
            needs.add(Capability.NLP)
        elif degree >= 2:
            needs.add(Capability.NONCONVEX_QUADRATIC if degree == 2 else Capability.NLP)
    for obj in model.component_data_objects(pyo.Objective, active=True, descend_into=True):
        degree = obj.expr.polynomial_degree()
        if degree is None or degree > 2:
            needs.add(Capability.NLP)
        elif degree == 2:
            variables = list(identify_variables(obj.expr, include_fixed=False))
            shape = _curvature(obj.expr, {id(v): i for i, v in enumerate(variables)})
            convex = shape == ("convex" if obj.sense == pyo.minimize else "concave")
            if not convex:
                needs.add(Capability.NONCONVEX_QUADRATIC)
            else:
                needs.add(Capability.MIQP if integer else Capability.CONVEX_QP)
    return needs


def is_linear(expr: Any) -> bool:
    degree = expr.polynomial_degree()
    return degree is not None and degree <= 1
