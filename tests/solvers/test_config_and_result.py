"""Solve configuration (TOML table, env, overrides) and result semantics."""

from __future__ import annotations

import pyomo.environ as pyo
import pytest

from ftgames.solvers import Capability, ConfigError, SolveConfig, SolveFailed, Status, solve


def test_table_then_env_then_keyword(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FTGAMES_SOLVER", raising=False)
    assert SolveConfig.from_table({"solver": "highs", "time_limit": 5}).solver == "highs"
    monkeypatch.setenv("FTGAMES_SOLVER", "scip")
    config = SolveConfig.from_table({"solver": "highs", "time_limit": 5})
    assert config.solver == "scip" and config.time_limit == 5
    assert SolveConfig.from_table({"solver": "highs"}, solver="ipopt").solver == "ipopt"


def test_unknown_key_lists_valid_keys() -> None:
    with pytest.raises(ConfigError, match=r"unknown key\(s\) timelimit; valid: .*time_limit"):
        SolveConfig.from_table({"timelimit": 3})


def test_unknown_solver_lists_valid_solvers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FTGAMES_SOLVER", raising=False)
    with pytest.raises(ConfigError, match="unknown solver 'cplex'; valid: ipopt, highs, scip"):
        SolveConfig.from_table({"solver": "cplex"})
    monkeypatch.setenv("FTGAMES_SOLVER", "nope")
    with pytest.raises(ConfigError, match="'nope'"):
        SolveConfig.from_table({})


@pytest.mark.parametrize(("key", "value"), [("time_limit", 0), ("tolerance", 2.0), ("mip_gap", -1), ("threads", 0)])
def test_out_of_range_values_name_the_parameter(key: str, value: float) -> None:
    with pytest.raises(ConfigError, match=f"solve.{key}"):
        SolveConfig(**{key: value})


def _infeasible() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.c = pyo.Constraint(expr=m.x >= 2)
    m.obj = pyo.Objective(expr=m.x)
    return m


@pytest.mark.parametrize("solver", ["highs", "scip", "ipopt"])
def test_failed_solve_returns_no_values(solver: str) -> None:
    result = solve(_infeasible(), requires={Capability.LP}, solver=solver, formulation="infeasible_lp")
    assert result.status is Status.INFEASIBLE and not result.ok
    assert result.values == {}
    with pytest.raises(SolveFailed, match="infeasible"):
        result.value("x")


def test_time_limit_is_reported_as_such() -> None:
    # a knapsack-like MILP that SCIP cannot close in 0.01 s
    import random

    rng = random.Random(0)
    m = pyo.ConcreteModel()
    n = 60
    m.x = pyo.Var(range(n), domain=pyo.Binary)
    w = [rng.randint(50, 100) for _ in range(n)]
    m.c = pyo.ConstraintList()
    for k in range(20):
        m.c.add(sum(rng.randint(1, 60) * m.x[i] for i in range(n)) <= 700 + k)
    m.obj = pyo.Objective(expr=sum(w[i] * m.x[i] for i in range(n)), sense=pyo.maximize)
    result = solve(m, requires={Capability.MILP}, solver="scip", config=SolveConfig(time_limit=0.01))
    assert result.status is Status.TIME_LIMIT and not result.ok
    with pytest.raises(SolveFailed):
        result.value("x[0]")


def test_log_and_timings() -> None:
    m = _infeasible()
    m.c.deactivate()
    result = solve(m, requires={Capability.LP}, solver="highs", config=SolveConfig(log=True))
    assert result.ok and result.objective == pytest.approx(0.0)
    assert result.log and "HiGHS" in result.log
    assert result.solve_time > 0 and result.backend == "highs"
