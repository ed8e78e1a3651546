"""Persistent re-solves: sweep a parameter by changing it in place vs rebuilding the program each time.

Instances (size = number of parameter values swept):
- ``safety follower θD sweep``: D's best response in the safety game (C1 = I, r = (1, 1), δ = 1/2, γ0 = (1/4, 1/4)),
      max (1 − δ) rᵀγ1 − (γ1 − γ0)ᵀ C1 (γ1 − γ0)   s.t.  α1 ≥ α0, β1 ≥ β0, β1 ≥ θD,
  for θD on a grid in [0, 1.5]; closed form α1 = α0 + (1 − δ)/2, β1 = max(β0 + (1 − δ)/2, θD).
- ``fine-tuning followers δ sweep (n = 20)``: the 20 specialists' best responses at α0 = 1/2,
      max Σ_i (1 − δ) r_i α_i − c_i (α_i − α0)²,  α_i ≥ α0,
  for a common δ on a grid in [0.05, 0.95]; closed form α_i = α0 + (1 − δ) r_i / (2 c_i).
The objective of a case is the sum of the optimal values over the sweep, checked against the closed forms.

Formulations: ``rebuild`` (a new program and solver object per value) and ``persistent`` (one program with a
CVXPY ``cp.Parameter``, compiled once by DPP; or a Pyomo mutable ``Param`` with a persistent solver interface that
only pushes the changed coefficients).  Backends: cvxpy-clarabel, pyomo-highs and pyomo-scip (Pyomo's
``pyomo.contrib.solver`` interfaces ``highs`` and ``scip_persistent``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from ftgames.bench import BenchOptions, Case, RunOutcome, Skip, Suite

DELTA = 0.5
GAMMA0 = (0.25, 0.25)
N_SPECIALISTS = 20
SPECIALIST_COST = np.linspace(0.5, 2.0, N_SPECIALISTS)
SPECIALIST_REVENUE = np.linspace(1.0, 3.0, N_SPECIALISTS)
ALPHA0 = 0.5


# ------------------------------------------------------------------------------------------------ references
def safety_values(n: int) -> np.ndarray:
    return np.linspace(0.0, 1.5, n)


def safety_reference(n: int) -> float:
    """Σ over θD of D's optimal utility (closed form, C1 = I)."""
    w = 1 - DELTA
    total = 0.0
    for theta in safety_values(n):
        a1 = GAMMA0[0] + w / 2
        b1 = max(GAMMA0[1] + w / 2, theta)
        total += w * (a1 + b1) - (a1 - GAMMA0[0]) ** 2 - (b1 - GAMMA0[1]) ** 2
    return total


def delta_values(n: int) -> np.ndarray:
    return np.linspace(0.05, 0.95, n)


def fine_tuning_reference(n: int) -> float:
    """Σ over δ of Σ_i D_i's optimal utility: Δ_i = (1 − δ) r_i / (2 c_i)."""
    total = 0.0
    for d in delta_values(n):
        inc = (1 - d) * SPECIALIST_REVENUE / (2 * SPECIALIST_COST)
        total += float(np.sum((1 - d) * SPECIALIST_REVENUE * (ALPHA0 + inc) - SPECIALIST_COST * inc**2))
    return total


# ------------------------------------------------------------------------------------------------ CVXPY
def cvxpy_safety(theta: Any) -> Any:
    import cvxpy as cp

    x = cp.Variable(2, name="gamma1")
    g0 = np.array(GAMMA0)
    w = 1 - DELTA
    objective = cp.Maximize(w * cp.sum(x) - cp.sum_squares(x - g0))
    return cp.Problem(objective, [x >= g0, x[1] >= theta])


def cvxpy_fine_tuning(delta: Any) -> Any:
    import cvxpy as cp

    a = cp.Variable(N_SPECIALISTS, name="alpha")
    share = 1 - delta
    revenue = share * (SPECIALIST_REVENUE @ a)
    cost = cp.sum(cp.multiply(SPECIALIST_COST, cp.square(a - ALPHA0)))
    return cp.Problem(cp.Maximize(revenue - cost), [a >= ALPHA0])


def run_cvxpy(builder: Callable[[Any], Any], values: np.ndarray, persistent: bool, time_limit: float) -> RunOutcome:
    import cvxpy as cp

    from ftgames.solvers import Capability, SolveConfig, solve

    config = SolveConfig(time_limit=time_limit)
    build_time = solve_time = 0.0
    total = 0.0
    problem = parameter = None
    if persistent:
        t0 = time.perf_counter()
        parameter = cp.Parameter(name="swept")
        problem = builder(parameter)
        build_time += time.perf_counter() - t0
    for value in values:
        t0 = time.perf_counter()
        if persistent:
            parameter.value = float(value)
        else:
            problem = builder(float(value))
        t1 = time.perf_counter()
        result = solve(problem, requires={Capability.CONVEX_QP}, solver="clarabel", config=config, convex=True,
                       formulation="persistent" if persistent else "rebuild")
        t2 = time.perf_counter()
        build_time += t1 - t0
        solve_time += t2 - t1
        if not result.ok:
            return RunOutcome(str(result.status), "none", None, build_time, solve_time, result.message)
        total += result.objective
    return RunOutcome("optimal", "global", total, build_time, solve_time)


# ------------------------------------------------------------------------------------------------ Pyomo
def pyomo_safety(theta: float) -> Any:
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    m.theta = pyo.Param(mutable=True, initialize=theta)
    m.alpha = pyo.Var()
    m.beta = pyo.Var()
    m.alpha_above = pyo.Constraint(expr=m.alpha >= GAMMA0[0])
    m.beta_above = pyo.Constraint(expr=m.beta >= GAMMA0[1])
    m.beta_floor = pyo.Constraint(expr=m.beta >= m.theta)
    w = 1 - DELTA
    m.utility = pyo.Objective(expr=w * (m.alpha + m.beta) - (m.alpha - GAMMA0[0]) ** 2 - (m.beta - GAMMA0[1]) ** 2,
                              sense=pyo.maximize)
    return m


def pyomo_fine_tuning(delta: float) -> Any:
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, N_SPECIALISTS - 1)
    m.delta = pyo.Param(mutable=True, initialize=delta)
    m.alpha = pyo.Var(m.I, bounds=(ALPHA0, None))
    m.utility = pyo.Objective(
        expr=sum((1 - m.delta) * SPECIALIST_REVENUE[i] * m.alpha[i] - SPECIALIST_COST[i] * (m.alpha[i] - ALPHA0) ** 2
                 for i in m.I), sense=pyo.maximize)
    return m


PYOMO_SOLVERS = {"pyomo-highs": "highs", "pyomo-scip": "scip_persistent"}


def _pyomo_solver(name: str, time_limit: float) -> Any:
    from pyomo.contrib.solver.common.factory import SolverFactory

    solver = SolverFactory(name)
    solver.config.time_limit = time_limit
    return solver


def run_pyomo(builder: Callable[[float], Any], values: np.ndarray, backend: str, persistent: bool,
              time_limit: float) -> RunOutcome:
    import pyomo.environ as pyo
    from pyomo.contrib.solver.common.results import TerminationCondition

    name = PYOMO_SOLVERS[backend]
    build_time = solve_time = 0.0
    total = 0.0
    model = solver = None
    if persistent:
        t0 = time.perf_counter()
        model = builder(float(values[0]))
        solver = _pyomo_solver(name, time_limit)
        build_time += time.perf_counter() - t0
    for value in values:
        t0 = time.perf_counter()
        if persistent:
            (model.theta if hasattr(model, "theta") else model.delta).set_value(float(value))
        else:
            model = builder(float(value))
            solver = _pyomo_solver(name, time_limit)
        t1 = time.perf_counter()
        results = solver.solve(model, raise_exception_on_nonoptimal_result=False, load_solutions=False)
        t2 = time.perf_counter()
        build_time += t1 - t0
        solve_time += t2 - t1
        if results.termination_condition is not TerminationCondition.convergenceCriteriaSatisfied:
            return RunOutcome("error", "none", None, build_time, solve_time, str(results.termination_condition))
        results.solution_loader.load_vars()
        total += float(pyo.value(model.utility))
    return RunOutcome("optimal", "global", total, build_time, solve_time)


def _pyomo_unavailable(backend: str) -> str | None:
    try:
        from pyomo.contrib.solver.common.factory import SolverFactory

        available = SolverFactory(PYOMO_SOLVERS[backend]).available()
    except Exception as exc:  # noqa: BLE001
        return f"{PYOMO_SOLVERS[backend]}: {type(exc).__name__}: {exc}"
    return None if available else f"Pyomo solver {PYOMO_SOLVERS[backend]} not available ({available})"


# ------------------------------------------------------------------------------------------------ suite
INSTANCES = {
    "safety follower θD sweep": (safety_values, safety_reference, cvxpy_safety, pyomo_safety),
    f"fine-tuning followers δ sweep (n = {N_SPECIALISTS})": (delta_values, fine_tuning_reference, cvxpy_fine_tuning,
                                                             pyomo_fine_tuning),
}


def cases(options: BenchOptions):
    sizes = options.sizes(small=[10, 100], full=[10, 100, 1000])
    unavailable = {b: _pyomo_unavailable(b) for b in PYOMO_SOLVERS}
    for instance, (values, reference, cvx_builder, pyo_builder) in INSTANCES.items():
        for backend, reason in unavailable.items():
            if reason:
                yield Skip(instance, "rebuild/persistent", backend, reason)
        for n in sizes:
            ref = reference(n)
            for persistent in (False, True):
                formulation = "persistent" if persistent else "rebuild"
                yield Case(instance, n, formulation, "cvxpy-clarabel",
                           partial(run_cvxpy, cvx_builder, values(n), persistent), ref, tolerance=1e-5)
                for backend in PYOMO_SOLVERS:
                    if unavailable[backend]:
                        continue
                    yield Case(instance, n, formulation, backend,
                               partial(run_pyomo, pyo_builder, values(n), backend, persistent), ref, tolerance=1e-5)


SUITE = Suite("persistent", "parameter sweeps: persistent re-solve vs rebuild (CVXPY DPP, Pyomo persistent)", cases)
