"""The direct HiGHS path (``solvers.highs_direct``) against Pyomo's own HiGHS interface on the same models."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from ftgames.solvers import SolveConfig
from ftgames.solvers.highs import HighsBackend, quiet_log_capture
from ftgames.solvers.highs_direct import compile_program

pytest.importorskip("highspy")

BACKEND = HighsBackend()


def through_pyomo(model: pyo.ConcreteModel):
    from ftgames.solvers.base import solve_with_pyomo_factory

    config = SolveConfig()
    with quiet_log_capture():
        return solve_with_pyomo_factory(BACKEND, "highs", model, config, BACKEND._options(config), convex=True,
                                        formulation="test")


def direct(model: pyo.ConcreteModel):
    assert compile_program(model, quadratic=True) is not None
    return BACKEND.solve_pyomo(model, SolveConfig(), convex=True, formulation="test")


def random_program(seed: int, integer: bool) -> pyo.ConcreteModel:
    """Bounded random LP/MILP with ranged, equality and one-sided rows, constants in bodies, a fixed variable."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 7)), int(rng.integers(1, 6))
    A = rng.normal(size=(m, n))
    x0 = rng.uniform(0, 2, size=n)
    model = pyo.ConcreteModel()
    model.x = pyo.Var(range(n), bounds=(0, 4), domain=pyo.Integers if integer else pyo.Reals)
    model.z = pyo.Var(initialize=1.5)
    model.z.fix()
    model.rows = pyo.ConstraintList()
    for i in range(m):
        body = sum(A[i, j] * model.x[j] for j in range(n)) + 0.5 * model.z - 1.0
        level = float(A[i] @ x0) + 0.5 * 1.5 - 1.0
        kind = i % 3
        if kind == 0:
            model.rows.add(body <= level + 1.0)
        elif kind == 1:
            model.rows.add(pyo.inequality(level - 1.0, body, level + 2.0))
        else:
            model.rows.add(body >= level - 0.5)
    c = rng.normal(size=n)
    sense = pyo.maximize if seed % 2 else pyo.minimize
    model.obj = pyo.Objective(expr=sum(c[j] * model.x[j] for j in range(n)) + 3.0, sense=sense)
    return model


@pytest.mark.parametrize("integer", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_same_status_values_objective_and_duals(seed: int, integer: bool) -> None:
    first, second = random_program(seed, integer), random_program(seed, integer)
    ref, got = through_pyomo(first), direct(second)
    assert got.status == ref.status and got.is_global == ref.is_global
    assert got.objective == pytest.approx(ref.objective, abs=1e-7)
    assert second.obj() == pytest.approx(first.obj(), abs=1e-7)  # the point is loaded into the model
    assert set(got.duals) == set(ref.duals)
    for name, value in ref.duals.items():
        assert got.duals[name] == pytest.approx(value, abs=1e-7), name
    assert got.values["z"] == 1.5  # a fixed variable keeps its value


@pytest.mark.parametrize("seed", range(10))
def test_a_convex_qp_gets_the_same_answer_and_duals(seed: int) -> None:
    """Random convex QPs (a PSD Hessian when minimizing, NSD when maximizing; cross terms, a constant, the random
    rows above) through both paths: the same status, point, objective and row duals."""
    def build():
        model = random_program(seed, integer=False)
        rng = np.random.default_rng(100 + seed)
        n = len(model.x)
        B = rng.normal(size=(n, n))
        Q = B @ B.T + 0.1 * np.eye(n)
        sign = -1.0 if model.obj.sense == pyo.maximize else 1.0
        quadratic = sum(0.5 * Q[i, j] * model.x[i] * model.x[j] for i in range(n) for j in range(n))
        model.obj.set_value(model.obj.expr + sign * quadratic)
        return model

    ref, got = through_pyomo(build()), direct(build())
    assert got.status == ref.status and got.ok, (got.message, ref.message)
    assert got.objective == pytest.approx(ref.objective, rel=1e-6, abs=1e-6)
    assert set(got.values) == set(ref.values)
    for name, value in ref.values.items():
        assert got.values[name] == pytest.approx(value, abs=1e-5), name
    assert ref.duals and set(got.duals) == set(ref.duals)
    for name, value in ref.duals.items():
        assert got.duals[name] == pytest.approx(value, abs=1e-5), name


def test_duals_are_derivatives_of_the_optimal_value() -> None:
    """max x + 2y s.t. x + y <= b, y <= 1: the row's dual is d(value)/db = 1, for several b (LP: exact)."""
    def value(b: float):
        m = pyo.ConcreteModel()
        m.x = pyo.Var(bounds=(0, None))
        m.y = pyo.Var(bounds=(0, 1))
        m.cap = pyo.Constraint(expr=m.x + m.y <= b)
        m.obj = pyo.Objective(expr=m.x + 2 * m.y, sense=pyo.maximize)
        return direct(m)

    for b in (2.0, 3.5):
        res = value(b)
        assert res.duals["cap"] == pytest.approx((value(b + 1e-3).objective - res.objective) / 1e-3, abs=1e-6)


@pytest.mark.parametrize("kind", ["infeasible", "unbounded"])
def test_failures_are_reported_as_such(kind: str) -> None:
    def build():
        m = pyo.ConcreteModel()
        m.x = pyo.Var(bounds=(0, None))
        m.c = pyo.Constraint(expr=m.x <= -1 if kind == "infeasible" else m.x >= 1)
        m.obj = pyo.Objective(expr=m.x, sense=pyo.maximize)
        return m

    ref, got = through_pyomo(build()), direct(build())
    assert got.status == ref.status
    assert not got.ok and got.values == {}


@pytest.mark.parametrize("infeasible", [False, True])
def test_infeasible_or_unbounded_is_decided_on_both_paths(infeasible: bool) -> None:
    """HiGHS' MIP presolve says "infeasible or unbounded" for an unbounded MIP; both paths decide which by a solve
    without objective, instead of calling it infeasible."""
    def build():
        m = pyo.ConcreteModel()
        m.x = pyo.Var(within=pyo.Integers, bounds=(0, 5))
        m.y = pyo.Var(bounds=(0, None))
        m.ray = pyo.Constraint(expr=m.y >= m.x)
        if infeasible:
            m.cut = pyo.Constraint(expr=m.y <= m.x - 1)
        m.obj = pyo.Objective(expr=-m.y - m.x)
        return m

    expected = "infeasible" if infeasible else "unbounded"
    for res in (through_pyomo(build()), direct(build())):
        assert res.status.value == expected and not res.ok, res.message
    if not infeasible:  # the premise: HiGHS itself leaves it open
        assert "infeasible or unbounded" in direct(build()).message.lower()


def test_a_variable_with_a_zero_cost_and_no_row_gets_a_value() -> None:
    """``0.0*y`` drops out of the linear representation; y must still get a value, else evaluating the objective at
    the answer raised (found on a random bilevel enumeration)."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 2))
    m.y = pyo.Var(bounds=(-1, 1))
    m.obj = pyo.Objective(expr=-m.x + 0.0 * m.y)
    res = direct(m)
    assert res.ok and res.objective == pytest.approx(-2.0) and m.y.value is not None


def test_a_users_dual_suffix_receives_the_duals() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None))
    m.c = pyo.Constraint(expr=m.x >= 2)
    m.obj = pyo.Objective(expr=3 * m.x)
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    res = direct(m)
    assert res.duals == {"c": pytest.approx(3.0)} and m.dual[m.c] == pytest.approx(3.0)


def test_what_it_does_not_model_goes_through_pyomo() -> None:
    empty = pyo.ConcreteModel()  # every variable fixed: HiGHS would call the model empty
    empty.z = pyo.Var(initialize=1.0)
    empty.z.fix()
    empty.obj = pyo.Objective(expr=2 * empty.z)
    assert compile_program(empty) is None
    res = BACKEND.solve_pyomo(empty, SolveConfig(), convex=True, formulation="test")
    assert res.ok and res.objective == pytest.approx(2.0)
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(-1, 1), within=pyo.Integers)
    m.obj = pyo.Objective(expr=(m.x - 0.3) ** 2)
    assert compile_program(m) is None and compile_program(m, quadratic=True) is None  # a MIQP
    m.x.domain = pyo.Reals
    m.row = pyo.Constraint(expr=m.x ** 2 <= 1)
    assert compile_program(m, quadratic=True) is None  # a quadratic row


def test_a_time_limited_mip_keeps_its_incumbent_or_says_none() -> None:
    """A knapsack with many items and a tiny time limit: time_limit, never 'optimal' without a proof."""
    rng = np.random.default_rng(3)
    n = 60
    w, v = rng.integers(20, 60, size=n), rng.integers(20, 60, size=n)
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(n), domain=pyo.Binary)
    m.cap = pyo.Constraint(expr=sum(int(w[i]) * m.x[i] for i in range(n)) <= int(w.sum()) // 2)
    m.obj = pyo.Objective(expr=sum(int(v[i]) * m.x[i] for i in range(n)), sense=pyo.maximize)
    res = BACKEND.solve_pyomo(m, SolveConfig(time_limit=1e-4), convex=True, formulation="test")
    assert res.status in ("time_limit", "optimal")
    if res.status == "optimal":
        assert res.stats.get("gap", 0.0) <= SolveConfig().mip_gap + 1e-12


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_coefficient_that_is_not_a_number_is_an_error_not_an_optimum(value: float) -> None:
    m = pyo.ConcreteModel()
    m.p = pyo.Param(initialize=value, mutable=True)
    m.x = pyo.Var(bounds=(0, 1))
    m.c = pyo.Constraint(expr=m.p * m.x <= 1)
    m.obj = pyo.Objective(expr=m.x, sense=pyo.maximize)
    res = BACKEND.solve_pyomo(m, SolveConfig(), convex=True, formulation="test")
    assert res.status == "error" and not res.ok
    if value != value:
        assert "c: a coefficient" in res.message
