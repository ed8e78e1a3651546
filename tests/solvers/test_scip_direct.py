"""The direct SCIP path (``solvers.scip_direct``) against Pyomo's own SCIP interface on the same models."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from ftgames.solvers import SolveConfig
from ftgames.solvers.scip import ScipBackend, _register_quiet_scip, one_sided_ranges
from ftgames.solvers.scip_direct import compile_program

pytest.importorskip("pyscipopt")

BACKEND = ScipBackend()


def through_pyomo(model: pyo.ConcreteModel, config: SolveConfig | None = None):
    from ftgames.solvers.base import solve_with_pyomo_factory

    config = config or SolveConfig()
    with one_sided_ranges(model):
        return solve_with_pyomo_factory(BACKEND, _register_quiet_scip(), model, config, BACKEND._params(config),
                                        convex=False, formulation="test")


def direct(model: pyo.ConcreteModel, config: SolveConfig | None = None):
    assert compile_program(model) is not None
    return BACKEND.solve_pyomo(model, config or SolveConfig(), convex=False, formulation="test")


def random_program(seed: int) -> pyo.ConcreteModel:
    """A bounded random program: integer and continuous variables, ranged/equality/one-sided linear rows with
    constants, a fixed variable, SOS1 pairs, a nonconvex quadratic row and a (possibly indefinite) quadratic
    objective, minimized or maximized."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 7))
    model = pyo.ConcreteModel()
    model.x = pyo.Var(range(n), bounds=(0, 4))
    for j in range(n):
        if rng.random() < 0.4:
            model.x[j].domain = pyo.Integers
    model.z = pyo.Var(initialize=1.5)
    model.z.fix()
    model.rows = pyo.ConstraintList()
    x0 = rng.uniform(0, 2, size=n)
    for i in range(int(rng.integers(1, 5))):
        a = rng.normal(size=n)
        body = sum(a[j] * model.x[j] for j in range(n)) + 0.5 * model.z - 1.0
        level = float(a @ x0) - 0.25
        kind = i % 3
        model.rows.add(body <= level + 1.0 if kind == 0 else
                       pyo.inequality(level - 1.0, body, level + 2.0) if kind == 1 else body >= level - 2.0)
    if seed % 3 == 0:  # a nonconvex quadratic row
        model.rows.add(model.x[0] * model.x[1] - model.x[2] ** 2 >= -3.0)
    model.sos = pyo.SOSConstraint(pyo.RangeSet(1), rule=lambda m, k: [m.x[0], m.x[n - 1]], sos=1)
    Q = rng.normal(size=(n, n))
    c = rng.normal(size=n)
    quadratic = 0.3 * sum(Q[i, j] * model.x[i] * model.x[j] for i in range(n) for j in range(n))
    sense = pyo.maximize if seed % 2 else pyo.minimize
    model.obj = pyo.Objective(expr=sum(c[j] * model.x[j] for j in range(n)) + quadratic + 3.0, sense=sense)
    return model


@pytest.mark.parametrize("seed", range(16))
def test_same_status_objective_and_a_point_as_good(seed: int) -> None:
    ref, got = through_pyomo(random_program(seed)), direct(random_program(seed))
    assert got.status == ref.status, (got.message, ref.message)
    if not ref.ok:
        return
    assert got.is_global and ref.is_global
    assert got.objective == pytest.approx(ref.objective, rel=1e-6, abs=1e-6)
    assert set(got.values) == set(ref.values)
    assert "nodes" in got.stats and "dual_bound" in got.stats
    # the point may differ where optima tie; it must be feasible in the model
    model = random_program(seed)
    for name, value in got.values.items():
        model.find_component(name).set_value(value, skip_validation=True)
    for row in model.component_data_objects(pyo.Constraint, active=True):
        level = pyo.value(row.body)
        assert row.lower is None or level >= pyo.value(row.lower) - 1e-6
        assert row.upper is None or level <= pyo.value(row.upper) + 1e-6
    assert min(abs(model.x[0].value), abs(model.x[len(model.x) - 1].value)) <= 1e-6  # the SOS1 pair


@pytest.mark.parametrize("kind", ["infeasible", "unbounded", "ambiguous"])
def test_failures_are_reported_as_such(kind: str) -> None:
    def build():
        m = pyo.ConcreteModel()
        m.x = pyo.Var(within=pyo.Integers, bounds=(0, 5))
        m.y = pyo.Var(bounds=(0, None))
        m.c = pyo.Constraint(expr=m.y >= m.x)
        if kind == "infeasible":
            m.d = pyo.Constraint(expr=m.y <= m.x - 1)
        m.obj = pyo.Objective(expr=-m.y - m.x if kind != "ambiguous" else -m.y)
        return m

    got = direct(build())
    assert got.status.value == ("infeasible" if kind == "infeasible" else "unbounded"), got.message
    assert not got.ok and got.values == {}


def test_a_row_of_fixed_variables_is_checked_not_sent() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.z = pyo.Var(initialize=2.0)
    m.z.fix()
    m.fixed_row = pyo.Constraint(expr=m.z <= 1)
    m.obj = pyo.Objective(expr=m.x)
    res = direct(m)
    assert res.status.value == "infeasible" and "fixed_row" in res.message
    m.z.set_value(0.5)
    assert direct(m).ok


@pytest.mark.parametrize("value", [float("nan")])
def test_a_coefficient_that_is_not_a_number_is_an_error_not_an_optimum(value: float) -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.p = pyo.Param(mutable=True, initialize=value)
    m.c = pyo.Constraint(expr=m.p * m.x <= 1)
    m.obj = pyo.Objective(expr=m.x, sense=pyo.maximize)
    res = direct(m)
    assert res.status.value == "error" and "c" in res.message


@pytest.mark.parametrize("log", [False, True])
def test_a_ranged_row_with_a_constant_keeps_both_sides(log: bool) -> None:
    """``1 <= x + 0.5 z - 1 <= 3`` (z fixed at 1.5) means x >= 1.25; Pyomo 6.10's SCIP interface alone gave 0.25.
    Both paths (the direct one, and Pyomo's, taken when a log is asked for) give 1.25."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 5))
    m.z = pyo.Var(initialize=1.5)
    m.z.fix()
    m.c = pyo.Constraint(expr=pyo.inequality(1, m.x + 0.5 * m.z - 1.0, 3))
    m.obj = pyo.Objective(expr=m.x)
    res = BACKEND.solve_pyomo(m, SolveConfig(log=log), convex=True, formulation="test")
    assert res.ok and res.values["x"] == pytest.approx(1.25, abs=1e-7)
    assert m.c.active and m.component("ftgames_one_sided_ranges") is None  # the model is given back as it was


def test_what_it_does_not_model_goes_through_pyomo() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0.5, 2))
    m.obj = pyo.Objective(expr=pyo.exp(m.x))
    assert compile_program(m) is None
    res = BACKEND.solve_pyomo(m, SolveConfig(), convex=False, formulation="test")
    assert res.ok and res.values["x"] == pytest.approx(0.5, abs=1e-6)
