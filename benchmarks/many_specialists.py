"""Many specialists (issue 13): certified bargaining and the equilibrium at fixed shares as n grows.

Bargaining: random games with linear revenue, quadratic (k = 2) or cubic (k = 3) costs, n = 10, 100, 1000; each
solution by the S-decomposition (``decomposition``, the default for n ≥ 2 except the utilitarian QP of quadratic
games, run as ``auto`` beside it), by the single-level program on SCIP (global; n = 10 only, it exceeds a minute
beyond) and on Ipopt (local; at most 200 specialists).  Objective: the criterion's value at the exact equilibrium of the
answer; reference: none (the certificate column says what was proved).  Equilibrium: the closed form at δ = 1/2 for
n = 10^4 .. 10^6 through ``solve_equilibrium`` (record, certificate) and ``equilibrium_arrays`` (arrays), beside a
bare numpy evaluation of the same closed form (the baseline: times are divided by it).

    ftgames bench many_specialists --out out/many       # or: python benchmarks/many_specialists.py
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np

from ftgames.bench import BenchOptions, Case, RunOutcome, Suite
from ftgames.bench.helpers import guarded

SIZES = (10, 100, 1000)
SOLUTIONS = ("utilitarian", "generalist_optimal", "nash", "egalitarian", "kalai_smorodinsky")
RUNS = (("decomposition", None), ("auto", None), ("single_level", "scip"), ("single_level", "ipopt"))
EQUILIBRIUM_SIZES = (10_000, 100_000, 1_000_000)


def game_of(n: int, exponent: float, seed: int = 13):
    from ftgames.models import FineTuningGame

    rng = np.random.default_rng(seed + n)
    return FineTuningGame.polynomial(1.0, np.round(rng.uniform(0.5, 2.0, n), 4), np.round(rng.uniform(0.5, 2.0, n), 4),
                                     exponent=exponent)


def run_bargain(n: int, exponent: float, solution: str, formulation: str, backend: str | None,
                time_limit: float) -> RunOutcome:
    from ftgames.formulations.bargaining import bargain
    from ftgames.solvers import SolveConfig

    game = game_of(n, exponent)
    start = time.perf_counter()
    out = bargain(game, solution, formulation=None if formulation == "auto" else formulation, solver=backend,
                  config=SolveConfig(time_limit=time_limit))
    elapsed = time.perf_counter() - start
    level = str(out.overall.level)
    status = out.status if level == "global" or out.status != "optimal" else "locally_optimal"
    return RunOutcome(status, level, out.objective, 0.0, elapsed, f"{out.formulation}/{out.solver}")


def run_equilibrium(n: int, how: str, time_limit: float) -> RunOutcome:
    from ftgames.formulations.equilibrium import solve_equilibrium
    from ftgames.formulations.equilibrium.vectorised import equilibrium_arrays

    del time_limit
    game = game_of(n, 2.0)
    game.arrays()  # built once with the game (parameters as arrays), not timed
    delta = np.full(n, 0.5)
    start = time.perf_counter()
    if how == "numpy":
        a = game.arrays()
        inc = (1.0 - delta) * a.revenue / (2.0 * a.cost)
        alpha0 = float(np.sum(delta * a.revenue)) / (2.0 * a.c0)
        u_g = float(np.sum(delta * a.revenue * (alpha0 + inc))) - a.c0 * alpha0 ** 2
        value, level = u_g, "global"
    elif how == "arrays":
        eq = equilibrium_arrays(game, delta)
        value, level = eq.utility_generalist, "global"
    else:
        eq = solve_equilibrium(game, delta)
        value, level = eq.U_G, str(eq.certificate.level)
    return RunOutcome("optimal", level, value, 0.0, time.perf_counter() - start)


def cases(options: BenchOptions):
    for exponent in (2.0, 3.0):
        for solution in SOLUTIONS:
            for n in SIZES:
                for formulation, backend in RUNS:
                    if formulation == "single_level" and n > (10 if backend == "scip" else 200):
                        continue  # Ipopt: the formulation's own limit (refused before building); SCIP: > 60 s
                    if formulation == "auto" and not (solution == "utilitarian" and exponent == 2.0):
                        continue  # the default is the decomposition itself
                    yield Case(f"{solution} · k={exponent:g}", n, formulation, backend or "exact",
                               guarded(partial(run_bargain, n, exponent, solution, formulation, backend)))
    for n in EQUILIBRIUM_SIZES:
        for how in ("numpy", "arrays", "solve_equilibrium"):
            yield Case("equilibrium at δ = 1/2 · k=2", n, how, "exact", guarded(partial(run_equilibrium, n, how)),
                       baseline=how == "numpy")


SUITE = Suite("many_specialists", "certified bargaining and fixed-share equilibria for 10 to 10^6 specialists",
              cases)


if __name__ == "__main__":  # a quick table without the runner
    import sys

    only = set(sys.argv[1:])
    for case in cases(BenchOptions()):
        if only and not any(word in case.instance or word == case.formulation for word in only):
            continue
        result = case.run(60.0)
        print(f"| {case.instance} | {case.size} | {case.formulation} | {result.certificate} | "
              f"{result.wall_time if result.wall_time is not None else result.solve_time:.3g} s | {result.message} |",
              flush=True)
