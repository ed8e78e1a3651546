"""A test-only suite: projection onto the simplex hyperplane, min ||x − a||² s.t. Σx = 1, with a known optimum
(Σa − 1)²/n, solved in closed form and by CVXPY/Clarabel; plus a wrong, a slow and a crashing formulation."""

from __future__ import annotations

import time

import numpy as np

from ftgames.bench import BenchOptions, Case, RunOutcome, Skip, Suite, timed


def data(n: int) -> np.ndarray:
    return np.linspace(0.0, 2.0, n)


def reference(n: int) -> float:
    return float((data(n).sum() - 1.0) ** 2 / n)


def closed_form(n: int) -> RunOutcome:
    a = data(n)
    x, seconds = timed(lambda: a - (a.sum() - 1.0) / n)
    return RunOutcome("optimal", "global", float(np.sum((x - a) ** 2)), 0.0, seconds)


def conic(n: int, time_limit: float) -> RunOutcome:
    import cvxpy as cp

    from ftgames.solvers import Capability, SolveConfig, solve

    def build():
        x = cp.Variable(n)
        return cp.Problem(cp.Minimize(cp.sum_squares(x - data(n))), [cp.sum(x) == 1])

    problem, build_time = timed(build)
    result = solve(problem, requires={Capability.CONVEX_QP}, solver="clarabel",
                   config=SolveConfig(time_limit=time_limit), convex=True)
    return RunOutcome.from_result(result, build_time=build_time)


def wrong(n: int) -> RunOutcome:
    """A wrong answer that also under-reports its time: it takes 50 ms and says 0.1 ms."""
    time.sleep(0.05)
    return RunOutcome("optimal", "global", reference(n) + 0.5, 0.0, 1e-4)


def sleepy(n: int, time_limit: float) -> RunOutcome:
    if n >= 10:
        time.sleep(60)
    return RunOutcome("locally_optimal", "local", reference(n), 0.0, 1e-3)


def crash(n: int) -> RunOutcome:
    raise ZeroDivisionError("crash on purpose")


def cases(options: BenchOptions):
    yield Skip("projection", "future", "nowhere", "module not there yet")
    for n in options.sizes(small=[1, 10, 100], full=[1, 10, 100, 1000]):
        ref = reference(n)
        yield Case("projection", n, "closed_form", "numpy", lambda t, n=n: closed_form(n), ref, baseline=True)
        yield Case("projection", n, "conic", "clarabel", lambda t, n=n: conic(n, t), ref, tolerance=1e-6)
        yield Case("projection", n, "wrong", "none", lambda t, n=n: wrong(n), ref)
        yield Case("projection", n, "sleepy", "none", lambda t, n=n: sleepy(n, t), ref)
        yield Case("projection", n, "crash", "none", lambda t, n=n: crash(n), ref)


SUITE = Suite("toy", "projection onto a hyperplane: closed form vs conic, plus failure modes", cases)
