"""Bargaining programs: Nash (log vs geo_mean forms), Kalai–Smorodinsky, egalitarian, utilitarian.

Game frontiers: the fine-tuning game's bargaining over δ through ``ftgames.formulations.bargaining.bargain`` with
each formulation and backend, on the reference games of spec §6 — one quadratic domain (objective: δ; reference:
the closed forms / values of the table), k = 3, and n domains (objective: max_i |δ_i − δ_i*|, reference 0).
Catalogue instances (``ftgames.catalogue.BARGAINING_INSTANCES``): abstract utility sets u ≥ d with Σu ≤ 1 or
u2 ≤ 1 − u1², solved here as CVXPY programs (the library's bargaining programs are written for games), each
solution concept in its standard convex form; objective: max_i |u_i − u_i*|, reference 0.  Size = number of players.
"""

from __future__ import annotations

import math
import time
from functools import partial

import numpy as np

from ftgames.bench import BenchOptions, Case, RunOutcome, Skip, Suite, discover
from ftgames.bench.helpers import backend_unavailable, guarded

SQRT13, SQRT7 = math.sqrt(13), math.sqrt(7)
#: One quadratic domain, r = 1: (c0, c1) → δ by solution (spec §6).
ONE_DOMAIN = {
    (1.0, 1.0): {"utilitarian": 0.5, "egalitarian": 0.5, "nash": 0.5, "kalai_smorodinsky": 0.5},
    (1.0, 2.0): {"utilitarian": 2 / 3, "egalitarian": math.sqrt(3) / 3, "nash": (2 + SQRT13) / 9,
                 "kalai_smorodinsky": (1 + 2 * SQRT7) / 9},
    (2.0, 1.0): {"utilitarian": 1 / 3, "egalitarian": 0.4226497308, "nash": 0.3771609694,
                 "kalai_smorodinsky": 0.3009441531},
    (1.0, 4.0): {"utilitarian": 0.8, "egalitarian": 0.6228390306, "nash": 0.6911075515,
                 "kalai_smorodinsky": 0.7584167386},
    (3.0, 1.0): {"utilitarian": 0.25, "egalitarian": 0.3923747815, "nash": 0.3310748233,
                 "kalai_smorodinsky": 0.2590097470},
}
#: k = 3, (c0, c1) = (1, 2), r = 1: values given to 4–5 digits.
CUBIC = {"utilitarian": 0.5575, "egalitarian": 0.5190, "nash": 0.53254, "kalai_smorodinsky": 0.54648}
#: n domains: (c0, c, r) → δ by solution.
N_DOMAINS = (
    ((1.0, (1.0, 1.0), (1.0, 1.0)), {"utilitarian": (2 / 3, 2 / 3), "nash": (0.52659863, 0.52659863)}),
    ((1.0, (1.0, 1.0, 1.0), (1.0, 2.0, 3.0)), {"utilitarian": (1.0, 5 / 6, 5 / 9),
                                              "nash": (0.13993, 0.52902, 0.65425)}),
    ((1.0, (1.0, 1.0, 1.0), (0.05, 1.0, 1.0)), {"utilitarian": (1.0, 2 / 3, 2 / 3), "nash": (0.0, 0.6214, 0.6214)}),
)
GAME_RUNS = (("auto", None), ("conic", "clarabel"), ("conic", "scs"), ("conic:log", "clarabel"), ("conic:log", "scs"),
             ("conic:geo_mean", "clarabel"), ("conic:geo_mean", "scs"), ("single_level", "ipopt"),
             ("single_level", "scip"), ("frontier", None))


def level_and_status(outcome) -> tuple[str, str]:
    """The certificate level of the bargaining program and the equilibrium it induces together (the weaker), and
    the status, "optimal" only when that is proved global."""
    level = str(outcome.overall.level)
    status = outcome.status
    if status == "optimal" and level != "global":
        status = "locally_optimal"
    return level, status


def run_game(game_args: tuple, exponent: float, solution: str, formulation: str, backend: str | None,
             target: tuple[float, ...] | None, time_limit: float) -> RunOutcome:
    from ftgames.formulations.bargaining import bargain
    from ftgames.models import FineTuningGame
    from ftgames.solvers import SolveConfig

    c0, costs, revenues = game_args
    game = FineTuningGame.polynomial(c0, list(costs), list(revenues), exponent=exponent)
    start = time.perf_counter()
    outcome = bargain(game, solution, formulation=None if formulation == "auto" else formulation, solver=backend,
                      config=SolveConfig(time_limit=time_limit))
    elapsed = time.perf_counter() - start
    level, status = level_and_status(outcome)
    delta = np.asarray(outcome.delta, dtype=float)
    objective = float(delta[0]) if target is None else float(np.max(np.abs(delta - np.asarray(target))))
    return RunOutcome(status, level, objective, 0.0, elapsed, f"{outcome.formulation}/{outcome.solver}")


# ------------------------------------------------------------------------------------------------ catalogue
def catalogue_program(instance, solution: str, form: str):
    """(problem, u) for ``solution`` on the instance's utility set {u ≥ d, frontier}."""
    import cvxpy as cp

    n = instance.players
    u = cp.Variable(n, name="u")
    d = np.asarray(instance.disagreement)
    w = np.asarray(instance.weights)
    feasible = [u >= d]
    if instance.frontier == "linear":
        feasible.append(cp.sum(u) <= 1)
    elif instance.frontier == "quadratic":
        feasible.append(u[1] + cp.square(u[0]) <= 1)
    else:
        raise ValueError(f"unknown frontier {instance.frontier!r}")
    if solution == "nash":
        objective = w @ cp.log(u - d) if form == "conic:log" else cp.geo_mean(u - d, list(w))
        return cp.Problem(cp.Maximize(objective), feasible), u
    t = cp.Variable(name="t")
    if solution == "egalitarian":
        return cp.Problem(cp.Maximize(t), [*feasible, u - d >= t]), u
    if solution == "kalai_smorodinsky":
        ideal = np.array([cp.Problem(cp.Maximize(u[i]), feasible).solve(solver="CLARABEL") for i in range(n)])
        return cp.Problem(cp.Maximize(t), [*feasible, u - d >= t * (ideal - d)]), u
    raise ValueError(f"unknown solution {solution!r}")


def run_catalogue(key: str, solution: str, form: str, backend: str, time_limit: float) -> RunOutcome:
    from ftgames.catalogue import BARGAINING_INSTANCES
    from ftgames.solvers import Capability, SolveConfig, solve

    instance = next(i for i in BARGAINING_INSTANCES if i.key == key)
    t0 = time.perf_counter()
    problem, u = catalogue_program(instance, solution, form)
    build_time = time.perf_counter() - t0
    needs = {Capability.EXP_CONE} if (solution == "nash" and form == "conic:log") else {Capability.SOC}
    result = solve(problem, requires=needs, solver=backend, config=SolveConfig(time_limit=time_limit), convex=True,
                   formulation=f"{solution} {form}")
    if not result.ok:
        return RunOutcome(str(result.status), "none", None, build_time, result.solve_time, result.message)
    gap = float(np.max(np.abs(u.value - np.asarray(instance.solutions[solution]))))
    return RunOutcome.from_result(result, objective=gap, build_time=build_time)


# ------------------------------------------------------------------------------------------------ suite
def cases(options: BenchOptions):
    bargaining, why = discover("ftgames.formulations.bargaining", "bargain", "FORMULATIONS")
    catalogue, why_cat = discover("ftgames.catalogue", "BARGAINING_INSTANCES")
    unavailable = {b: backend_unavailable(b, "cvxpy") for b in ("clarabel", "scs")}
    unavailable.update({b: backend_unavailable(b) for b in ("ipopt", "scip")})
    for backend, reason in unavailable.items():
        if reason:
            yield Skip("*", "*", backend, reason)
    runs = [(f, b) for f, b in GAME_RUNS if (b is None or not unavailable[b])]
    if bargaining is None:
        yield Skip("game frontiers", "*", "*", why)
    else:
        runs = [(f, b) for f, b in runs if f == "auto" or f in bargaining.FORMULATIONS]
        games = [(f"k=2 c0={c0:g} c1={c1:g}", (c0, (c1,), (1.0,)), 2.0, values, None)
                 for (c0, c1), values in ONE_DOMAIN.items()]
        games.append(("k=3 c0=1 c1=2", (1.0, (2.0,), (1.0,)), 3.0, CUBIC, None))
        games += [(f"k=2 c={c} r={r}", (c0, c, r), 2.0, values, "vector") for (c0, c, r), values in N_DOMAINS]
        for label, args, exponent, values, kind in games:
            n = len(args[1])
            for solution, reference in values.items():
                tolerance = 1e-4 if exponent == 3.0 or kind == "vector" else 1e-6
                for formulation, backend in runs:
                    target = tuple(reference) if kind == "vector" else None
                    yield Case(f"{solution} · {label}", n, formulation, backend or "exact",
                               guarded(partial(run_game, args, exponent, solution, formulation, backend, target)),
                               0.0 if kind == "vector" else reference, tolerance)
    if catalogue is None:
        yield Skip("catalogue", "*", "*", why_cat)
        return
    for instance in catalogue.BARGAINING_INSTANCES:
        for solution in instance.solutions:
            forms = ("conic:log", "conic:geo_mean") if solution == "nash" else ("conic",)
            for form in forms:
                for backend in ("clarabel", "scs"):
                    if unavailable[backend]:
                        continue
                    yield Case(f"catalogue {instance.key} · {solution}", instance.players, form, backend,
                               guarded(partial(run_catalogue, instance.key, solution, form, backend)), 0.0,
                               1e-5)


SUITE = Suite("bargaining", "bargaining programs on game frontiers and catalogue utility sets", cases)
