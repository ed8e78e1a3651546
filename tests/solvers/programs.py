"""One small program per (layer, capability) with its optimum worked out by hand."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import cvxpy as cp
import pyomo.environ as pyo

from ftgames.solvers import Capability as C, Layer


def _pyomo_lp(integer: bool = False) -> Any:
    # min x + y s.t. x + 2y >= 4, 3x + y >= 6: LP optimum (1.6, 1.2) -> 2.8; integer optimum (2, 1) -> 3
    m = pyo.ConcreteModel()
    domain = pyo.NonNegativeIntegers if integer else pyo.NonNegativeReals
    m.x = pyo.Var(domain=domain, bounds=(0, 10))
    m.y = pyo.Var(domain=domain, bounds=(0, 10))
    m.c1 = pyo.Constraint(expr=m.x + 2 * m.y >= 4)
    m.c2 = pyo.Constraint(expr=3 * m.x + m.y >= 6)
    m.obj = pyo.Objective(expr=m.x + m.y)
    return m


def _pyomo_qp(integer: bool = False) -> Any:
    # min (x-1)^2 + (y-2.4)^2 s.t. x + y <= 2: projection (0.3, 1.7) -> 0.98; y integer: (0, 2) or (1, 1) -> 1.16 / 1.96
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-5, 5))
    m.y = pyo.Var(bounds=(-5, 5), domain=pyo.Integers if integer else pyo.Reals)
    m.c = pyo.Constraint(expr=m.x + m.y <= 2)
    m.obj = pyo.Objective(expr=(m.x - 1) ** 2 + (m.y - 2.4) ** 2)
    return m


def _pyomo_sos1() -> Any:
    # max x + y, x <= 3, y <= 2, at most one nonzero -> 3
    m = pyo.ConcreteModel()
    m.z = pyo.Var([0, 1], bounds=lambda m, i: (0, 3 - i))
    m.sos = pyo.SOSConstraint(var=m.z, sos=1)
    m.obj = pyo.Objective(expr=m.z[0] + m.z[1], sense=pyo.maximize)
    return m


def _pyomo_bilinear() -> Any:
    # min x*y + 0.1 x on [-1, 1]^2: global optimum -1.1 at (-1, 1) (not (1, -1), which gives -0.9)
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-1, 1), initialize=-0.5)
    m.y = pyo.Var(bounds=(-1, 1), initialize=0.5)
    m.obj = pyo.Objective(expr=m.x * m.y + 0.1 * m.x)
    return m


def _pyomo_nlp() -> Any:
    # min exp(x) - 2x -> x = ln 2, value 2 - 2 ln 2
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-3, 3), initialize=0.0)
    m.obj = pyo.Objective(expr=pyo.exp(m.x) - 2 * m.x)
    return m


def _cvx_lp(integer: bool = False) -> Any:
    x = cp.Variable(2, name="xy", integer=integer)
    return cp.Problem(cp.Minimize(cp.sum(x)), [x[0] + 2 * x[1] >= 4, 3 * x[0] + x[1] >= 6, x >= 0, x <= 10])


def _cvx_qp(integer: bool = False) -> Any:
    x = cp.Variable(name="x")
    y = cp.Variable(name="y", integer=integer)
    return cp.Problem(cp.Minimize(cp.square(x - 1) + cp.square(y - 2.4)), [x + y <= 2, y >= -5, y <= 5])


def _cvx_soc() -> Any:
    # max x1 + x2 s.t. ||x|| <= 1 -> sqrt(2)
    x = cp.Variable(2, name="x")
    return cp.Problem(cp.Maximize(cp.sum(x)), [cp.norm(x, 2) <= 1])


def _cvx_exp() -> Any:
    # max log x1 + log x2 s.t. x1 + x2 <= 1 -> 2 log(1/2)
    x = cp.Variable(2, name="x")
    return cp.Problem(cp.Maximize(cp.sum(cp.log(x))), [cp.sum(x) <= 1])


def _cvx_bilinear() -> Any:
    x = cp.Variable(name="x")
    y = cp.Variable(name="y")
    x.value, y.value = -0.5, 0.5
    return cp.Problem(cp.Minimize(x * y + 0.1 * x), [x >= -1, x <= 1, y >= -1, y <= 1])


def _cvx_nlp() -> Any:
    x = cp.Variable(name="x")
    x.value = 0.0
    return cp.Problem(cp.Minimize(cp.exp(x) - 2 * x), [x >= -3, x <= 3])


# (layer, capability) -> (builder, optimum, global optimum needed to count)
PROGRAMS: dict[tuple[Layer, C], tuple[Callable[[], Any], float]] = {
    (Layer.PYOMO, C.LP): (_pyomo_lp, 2.8),
    (Layer.PYOMO, C.MILP): (lambda: _pyomo_lp(True), 3.0),
    (Layer.PYOMO, C.CONVEX_QP): (_pyomo_qp, 0.98),
    (Layer.PYOMO, C.MIQP): (lambda: _pyomo_qp(True), 1.16),
    (Layer.PYOMO, C.SOS1): (_pyomo_sos1, 3.0),
    (Layer.PYOMO, C.NONCONVEX_QUADRATIC): (_pyomo_bilinear, -1.1),
    (Layer.PYOMO, C.NLP): (_pyomo_nlp, 2 - 2 * math.log(2)),
    (Layer.CVXPY, C.LP): (_cvx_lp, 2.8),
    (Layer.CVXPY, C.MILP): (lambda: _cvx_lp(True), 3.0),
    (Layer.CVXPY, C.CONVEX_QP): (_cvx_qp, 0.98),
    (Layer.CVXPY, C.MIQP): (lambda: _cvx_qp(True), 1.16),
    (Layer.CVXPY, C.SOC): (_cvx_soc, math.sqrt(2)),
    (Layer.CVXPY, C.EXP_CONE): (_cvx_exp, 2 * math.log(0.5)),
    (Layer.CVXPY, C.NONCONVEX_QUADRATIC): (_cvx_bilinear, -1.1),
    (Layer.CVXPY, C.NLP): (_cvx_nlp, 2 - 2 * math.log(2)),
}
