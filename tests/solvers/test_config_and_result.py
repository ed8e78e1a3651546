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
    with pytest.raises(ConfigError, match=r"\[solve\].timelimit: unknown key; valid keys of \[solve\]: .*time_limit"):
        SolveConfig.from_table({"timelimit": 3})


def test_unknown_solver_lists_valid_solvers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FTGAMES_SOLVER", raising=False)
    with pytest.raises(ConfigError, match="unknown solver 'cplex'; valid: ipopt, highs, scip"):
        SolveConfig.from_table({"solver": "cplex"})
    monkeypatch.setenv("FTGAMES_SOLVER", "nope")
    with pytest.raises(ConfigError, match="^environment variable FTGAMES_SOLVER: unknown solver 'nope'"):
        SolveConfig.from_table({})
    with pytest.raises(ConfigError, match="^--solver: unknown solver 'gurobix'"):
        SolveConfig.from_table({}, solver="gurobix", override_source="flag")


@pytest.mark.parametrize(("key", "value"), [("time_limit", 0), ("tolerance", 2.0), ("mip_gap", -1), ("threads", 0)])
def test_out_of_range_values_name_the_parameter(key: str, value: float) -> None:
    with pytest.raises(ConfigError, match=f"SolveConfig\\({key}=...\\): must"):
        SolveConfig(**{key: value})
    with pytest.raises(ConfigError, match=f"^\\[solve\\].{key}: must"):
        SolveConfig.from_table({key: value})


@pytest.mark.parametrize(("key", "value"), [("time_limit", "ten"), ("threads", "2"), ("threads", 1.5),
                                            ("starts", True), ("tolerance", [1e-6]), ("log", "yes"),
                                            ("options", 3), ("solver", 7), ("mip_gap", float("nan"))])
def test_wrong_types_are_config_errors_naming_the_key(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"^game.toml, line 4: solve.{key}: must"):
        SolveConfig.from_table({key: value}, where=lambda k: f"game.toml, line 4: solve.{k}")


def test_precedence_keyword_then_environment_then_file_then_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    from ftgames.solvers import Layer, resolve_solver

    monkeypatch.delenv("FTGAMES_SOLVER", raising=False)
    needs = {Capability.LP}
    file_config = SolveConfig.from_table({"solver": "scip"}, where=lambda k: f"g.toml: solve.{k}")
    assert resolve_solver(Layer.PYOMO, needs).source.startswith("default policy")
    assert resolve_solver(Layer.PYOMO, needs).name == "highs"  # LP: HiGHS first
    assert resolve_solver(Layer.PYOMO, needs, config=file_config).as_dict() == {"name": "scip",
                                                                               "source": "g.toml: solve.solver"}
    monkeypatch.setenv("FTGAMES_SOLVER", "ipopt")
    assert resolve_solver(Layer.PYOMO, needs, config=file_config).name == "ipopt"
    assert resolve_solver(Layer.PYOMO, needs, config=SolveConfig(solver="highs")).name == "ipopt"
    assert resolve_solver(Layer.PYOMO, needs, solver="highs", config=file_config).name == "highs"
    assert resolve_solver(Layer.PYOMO, needs, config=file_config.policy_only()).name == "highs"
    # the Python API honours the environment too: the solve records the backend that ran and who chose it
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.obj = pyo.Objective(expr=m.x)
    result = solve(m, requires=needs)
    assert result.backend == "ipopt" and result.backend_source == "environment variable FTGAMES_SOLVER"


def test_policy_prefers_a_global_backend_while_small_and_a_local_one_when_large() -> None:
    from ftgames.solvers import DEFAULT_POLICY, Layer, policy_choice

    quadratic = {Capability.NONCONVEX_QUADRATIC}
    assert policy_choice(Layer.PYOMO, quadratic, size=5).name == "scip"
    assert policy_choice(Layer.PYOMO, quadratic, size=10_000).name == "ipopt"
    assert policy_choice(Layer.PYOMO, {Capability.SOS1, Capability.MIQP}).name == "scip"
    assert policy_choice(Layer.CVXPY, {Capability.EXP_CONE}).name == "clarabel"
    assert all(rule.prefer for rule in DEFAULT_POLICY)


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


def test_branch_and_bound_statistics_are_reported_where_the_backend_gives_them() -> None:
    """A small knapsack-like MILP: SCIP and HiGHS report the dual bound (= the optimum once proved), a zero gap, node
    and iteration counts; the optimum is checked by enumerating the integer variable."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(within=pyo.Integers, bounds=(0, 10))
    m.y = pyo.Var(bounds=(0, 10))
    m.c = pyo.Constraint(expr=3 * m.x + 2 * m.y <= 12.5)
    m.d = pyo.Constraint(expr=m.x - m.y >= -2.3)
    m.o = pyo.Objective(expr=m.x + 2 * m.y, sense=pyo.maximize)
    best = max(x + 2 * min(10.0, (12.5 - 3 * x) / 2, x + 2.3) for x in range(0, 5))  # y at its largest for each x
    for backend in ("scip", "highs"):
        result = solve(m, solver=backend, requires=frozenset({Capability.MILP}))
        assert result.objective == pytest.approx(best, abs=1e-5)
        assert result.stats["dual_bound"] == pytest.approx(best, abs=1e-5)
        assert result.stats["gap"] == pytest.approx(0.0, abs=1e-6)
        assert result.stats["nodes"] >= 1 and result.stats["iterations"] >= 0


def test_json_output_stays_json_when_native_solvers_run(tmp_path) -> None:
    """`ftgames solve --json` with big-M on SCIP runs HiGHS for bound tightening (highspy prints a banner when a
    Highs object is made): stdout must still be exactly one JSON document (found by the crosscheck tool)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "game.toml"
    path.write_text('game = "fine_tuning"\nexponent = 2.0\n[generalist]\ncost = 1.0\n[[specialists]]\ncost = 1.2\n'
                    'revenue = 1.5\nmarginal_cost = 0.3\n[bargaining]\ndelta = [0.6]\n')
    command = [str(Path(sys.executable).with_name("ftgames")), "solve", str(path), "--json", "--formulation",
               "kkt:bigm", "--solver", "scip"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["schema"] == "ftgames.outcome/1"


def test_native_output_is_silenced_and_the_streams_restored(capfd) -> None:
    import os

    from ftgames.solvers.base import native_output_silenced

    with native_output_silenced():
        os.write(1, b"native stdout\n" * 10000)
        os.write(2, b"native stderr\n" * 10000)
    os.write(1, b"after\n")
    out, err = capfd.readouterr()
    assert "native" not in out and "native" not in err and out == "after\n"


def test_highs_quiet_capture_is_scoped_and_keeps_a_requested_log(capfd) -> None:
    """The stand-in for Pyomo's log capture (no reader threads when nobody reads the log) is installed only during
    ftgames' own HiGHS solves; with ``log = true`` HiGHS' log is still captured into the result."""
    import pyomo.environ as pyo
    from pyomo.contrib.solver.solvers import highs as pyomo_highs

    from ftgames.solvers import Capability, SolveConfig, solve

    before = pyomo_highs.capture_output
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 4))
    m.c = pyo.Constraint(expr=2 * m.x <= 5)
    m.o = pyo.Objective(expr=m.x, sense=pyo.maximize)
    quiet = solve(m, requires={Capability.LP}, solver="highs")
    assert quiet.objective == pytest.approx(2.5) and pyomo_highs.capture_output is before
    assert "HiGHS" not in capfd.readouterr().out
    logged = solve(m, requires={Capability.LP}, solver="highs", config=SolveConfig(log=True))
    assert logged.objective == pytest.approx(2.5) and pyomo_highs.capture_output is before
    assert "HiGHS" in (logged.log or "")
