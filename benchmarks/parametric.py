"""Parametric re-solves (issue 14): one program built once and re-solved for every new parameter value, beside a
fresh build per value and beside the closed form, through the library's own entry points and result types.

Instances (size = number of re-solves, the parameter spread evenly over its range):

- ``equilibrium δ sweep``: the fine-tuning game c0 = 1, c1 = 2, r = 1; the SPE at δ ∈ [0.02, 0.98] through
  ``kkt:sos1`` on SCIP, fresh (``solve_equilibrium`` per δ) or parametric
  (:class:`ftgames.formulations.equilibrium.parametric.EquilibriumProgram`, one program, ``update(delta=...)``);
  also with SCIP's NLP components off (``options={"nlp/disable": True}``: SCIP then proves optimality by spatial
  branch and bound alone; its NLP heuristics are most of its time on this 14-variable program).  Objective: Σ U_G
  over the sweep; reference: the closed form U_G(δ) = δ²/4 + δ(1 − δ)/4.
- ``Nash bargaining c1 sweep``: one quadratic specialist, c0 = 1, c1 ∈ [0.5, 4]; the Nash share through ``conic:log``
  on Clarabel, fresh (``bargain`` per game) or parametric
  (:class:`ftgames.formulations.bargaining.parametric.ConicBargainingProgram`, compiled once).  Objective: Σ δ*;
  reference: the root of the cubic U_G' U_D + U_G U_D' = 0 in (0, 1) (the closed form, timed as the baseline).

``python benchmarks/parametric.py [sizes...]`` prints the same comparison as a table (time per re-solve).
"""

from __future__ import annotations

import sys
import time
from functools import partial

import numpy as np

from ftgames.bench import BenchOptions, Case, RunOutcome, Suite

C0, C1 = 1.0, 2.0
NLP_OFF = {"nlp/disable": True}


# ------------------------------------------------------------------------------------------------ equilibrium
def deltas(n: int) -> np.ndarray:
    return np.linspace(0.02, 0.98, n)


def equilibrium_reference(n: int) -> float:
    d = deltas(n)
    return float(np.sum(d ** 2 / (4 * C0) + d * (1 - d) / (2 * C1)))


def run_equilibrium(n: int, mode: str, options: dict | None, time_limit: float) -> RunOutcome:
    from ftgames.formulations.equilibrium import solve_equilibrium
    from ftgames.formulations.equilibrium.parametric import EquilibriumProgram
    from ftgames.models import FineTuningGame
    from ftgames.solvers import SolveConfig

    game = FineTuningGame.quadratic(C0, [C1])
    config = SolveConfig(time_limit=time_limit, options=options or {})
    total, levels, build, solve = 0.0, set(), 0.0, 0.0
    program = None
    if mode == "parametric":
        program = EquilibriumProgram(game, encoding="sos1", solver="scip", config=config)
    for d in deltas(n):
        t0 = time.perf_counter()
        if mode == "closed_form":
            eq = solve_equilibrium(game, [d])
        elif mode == "fresh":
            eq = solve_equilibrium(game, [d], formulation="kkt:sos1", solver="scip", config=config)
        else:
            eq = program.update(delta=[d]).solve()
        elapsed = time.perf_counter() - t0
        build += eq.build_time
        solve += elapsed - eq.build_time
        total += eq.U_G
        levels.add(str(eq.certificate.level))
    level = "global" if levels == {"global"} else "local" if "none" not in levels else "none"
    return RunOutcome("optimal", level, total, build, solve)


# ------------------------------------------------------------------------------------------------ bargaining
def costs(n: int) -> np.ndarray:
    return np.linspace(0.5, 4.0, n)


def nash_share(c0: float, c1: float) -> float:
    """The Nash share in closed form: the root in (0, 1) of U_G' U_D + U_G U_D' (a cubic) maximizing U_G U_D."""
    k = 1.0 / (4 * c0 * c1)
    ug = k * np.array([c1 - 2 * c0, 2 * c0, 0.0])
    ud = k * np.array([c0 - 2 * c1, 2 * (c1 - c0), c0])
    cubic = np.polyadd(np.polymul(np.polyder(ug), ud), np.polymul(ug, np.polyder(ud)))
    roots = [r.real for r in np.roots(cubic) if abs(r.imag) < 1e-12 and 0 < r.real < 1]
    return max(roots, key=lambda x: np.polyval(ug, x) * np.polyval(ud, x))


def nash_reference(n: int) -> float:
    return float(sum(nash_share(C0, c) for c in costs(n)))


def run_nash(n: int, mode: str, time_limit: float) -> RunOutcome:
    from ftgames.formulations.bargaining import bargain
    from ftgames.formulations.bargaining.parametric import ConicBargainingProgram
    from ftgames.models import FineTuningGame
    from ftgames.solvers import SolveConfig

    config = SolveConfig(time_limit=time_limit)
    total, build, solve, levels = 0.0, 0.0, 0.0, set()
    program = None
    if mode == "parametric":
        t0 = time.perf_counter()
        program = ConicBargainingProgram(FineTuningGame.quadratic(C0, [C1]), "nash", form="log", config=config)
        build += time.perf_counter() - t0
    for c in costs(n):
        t0 = time.perf_counter()
        if mode == "closed_form":
            total += nash_share(C0, float(c))
            solve += time.perf_counter() - t0
            levels.add("global")
            continue
        if mode == "fresh":
            outcome = bargain(FineTuningGame.quadratic(C0, [float(c)]), "nash", formulation="conic:log",
                              solver="clarabel", config=config)
        else:
            outcome = program.update(costs=[float(c)]).solve()
        solve += time.perf_counter() - t0
        total += outcome.delta[0]
        levels.add("global" if outcome.is_global else "local")
    return RunOutcome("optimal", "global" if levels == {"global"} else "local", total, build, solve)


# ------------------------------------------------------------------------------------------------ suite
def cases(options: BenchOptions):
    sizes = options.sizes(small=[1, 10, 100], full=[1, 10, 100, 1000])
    for n in sizes:
        ref = equilibrium_reference(n)
        instance = "equilibrium δ sweep"
        yield Case(instance, n, "closed_form", "analytic", partial(run_equilibrium, n, "closed_form", None), ref,
                   baseline=True)
        for mode in ("fresh", "parametric"):
            yield Case(instance, n, f"kkt:sos1 ({mode})", "scip", partial(run_equilibrium, n, mode, None), ref,
                       tolerance=1e-7)
            yield Case(instance, n, f"kkt:sos1 ({mode}, nlp off)", "scip", partial(run_equilibrium, n, mode, NLP_OFF),
                       ref, tolerance=1e-7)
        ref = nash_reference(n)
        instance = "Nash bargaining c1 sweep"
        yield Case(instance, n, "closed_form", "analytic", partial(run_nash, n, "closed_form"), ref, baseline=True)
        for mode in ("fresh", "parametric"):
            yield Case(instance, n, f"conic:log ({mode})", "clarabel", partial(run_nash, n, mode), ref,
                       tolerance=1e-7)


SUITE = Suite("parametric", "parametric re-solves vs fresh builds vs closed forms (KKT on SCIP, conic on Clarabel)",
              cases)


def main(sizes: list[int]) -> None:
    """Print time per re-solve (ms) for every row at each size, and the fresh ÷ parametric ratio."""
    rows = [("equilibrium δ sweep", "closed_form", partial(run_equilibrium, mode="closed_form", options=None)),
            ("equilibrium δ sweep", "kkt:sos1 fresh", partial(run_equilibrium, mode="fresh", options=None)),
            ("equilibrium δ sweep", "kkt:sos1 parametric", partial(run_equilibrium, mode="parametric", options=None)),
            ("equilibrium δ sweep", "kkt:sos1 fresh, nlp off", partial(run_equilibrium, mode="fresh",
                                                                       options=NLP_OFF)),
            ("equilibrium δ sweep", "kkt:sos1 parametric, nlp off", partial(run_equilibrium, mode="parametric",
                                                                            options=NLP_OFF)),
            ("Nash c1 sweep", "closed_form", partial(run_nash, mode="closed_form")),
            ("Nash c1 sweep", "conic:log fresh", partial(run_nash, mode="fresh")),
            ("Nash c1 sweep", "conic:log parametric", partial(run_nash, mode="parametric"))]
    references = {"equilibrium δ sweep": equilibrium_reference, "Nash c1 sweep": nash_reference}
    for _, _, run in rows:  # imports and first-call set-up out of the timings
        run(1, time_limit=60.0)
    print("| instance | formulation | " + " | ".join(f"{n} re-solves" for n in sizes) + " |")
    print("|---|---|" + "---:|" * len(sizes))
    for instance, name, run in rows:
        cells = []
        for n in sizes:
            t0 = time.perf_counter()
            out = run(n, time_limit=60.0)
            per = (time.perf_counter() - t0) / n
            ref = references[instance](n)
            ok = abs(out.objective - ref) <= 1e-7 * max(1.0, abs(ref)) and out.certificate == "global"
            cells.append(f"{per * 1e3:.3g} ms" + ("" if ok else f" (wrong: {out.objective} vs {ref})"))
        print(f"| {instance} | {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 10, 100, 1000])
