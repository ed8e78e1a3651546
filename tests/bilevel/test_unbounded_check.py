"""The boxed re-check of a "global optimal" single-level program (bilevel/unbounded.py), on programs whose answer is
known without it."""

from __future__ import annotations

import pyomo.environ as pyo

from ftgames.formulations.bilevel.unbounded import check_unbounded, objective_can_be_unbounded
from ftgames.solvers import SolveConfig, SolveResult, Status
from ftgames.solvers.capabilities import Capability


def _claimed(model: pyo.ConcreteModel, objective: float) -> SolveResult:
    """What a solver that wrongly called ``model`` optimal at ``objective`` (the current values) would return."""
    values = {v.name: v.value for v in model.component_data_objects(pyo.Var)}
    return SolveResult(status=Status.OPTIMAL, backend="scip", objective=objective, values=values, is_global=True,
                       message="optimal")


def _ray_model(sense: int) -> pyo.ConcreteModel:
    """min (or max) -y (or y) over y >= x - 1, 0 <= x <= 2, y >= 0: unbounded along y."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 2), initialize=1.0)
    m.y = pyo.Var(bounds=(0, None), initialize=1.0)
    m.row = pyo.Constraint(expr=m.y >= m.x - 1)
    m.obj = pyo.Objective(expr=-sense * m.y, sense=pyo.minimize if sense == 1 else pyo.maximize)
    return m


def test_a_ray_is_reported_unbounded_and_the_values_are_restored():
    for sense in (1, -1):
        m = _ray_model(sense)
        out = check_unbounded(m, _claimed(m, -sense * 1.0), requires=lambda: {Capability.LP}, backend="highs",
                              config=SolveConfig(), formulation="ray", tolerance=1e-6)
        assert out.status is Status.UNBOUNDED and not out.is_global and "boxed at ±10000" in out.message
        assert m.y.ub is None and m.y.lb == 0 and m.x.ub == 2  # bounds restored
        assert m.y.value == 1.0 and m.x.value == 1.0  # the claimed point restored


def test_a_bounded_program_keeps_its_optimum():
    m = _ray_model(1)
    m.cap = pyo.Constraint(expr=m.y <= 3 * m.x)  # now bounded: the optimum is y = 6 at x = 2
    m.x.set_value(2.0), m.y.set_value(6.0)
    out = check_unbounded(m, _claimed(m, -6.0), requires=lambda: {Capability.LP}, backend="highs", config=SolveConfig(),
                          formulation="capped", tolerance=1e-6)
    assert out.status is Status.OPTIMAL and out.is_global


def test_bounded_objective_variables_skip_the_check():
    m = _ray_model(1)
    assert objective_can_be_unbounded(m)
    m.y.setub(5)
    assert not objective_can_be_unbounded(m)
    m.y.setub(None)
    m.y.fix(1.0)  # a fixed variable is a constant
    assert not objective_can_be_unbounded(m)
