"""Parametric re-solves (issue 14): one program built once and re-solved for every new parameter value, beside a
fresh build per value and beside the closed form, through the library's own entry points and result types.

Instances (size = number of re-solves, the parameter spread evenly over its range):

- ``equilibrium δ sweep``: the fine-tuning game c0 = 1, c1 = 2, r = 1; the SPE at δ ∈ [0.02, 0.98] through
  ``kkt:sos1`` on SCIP, fresh (``solve_equilibrium`` per δ) or parametric
  (:class:`ftgames.formulations.equilibrium.parametric.EquilibriumProgram`, one program, ``update(delta=...)``);
  also with SCIP's NLP components on (``options={"nlp/disable": False}``, the default before the library turned
  them off for the pure MIP encodings: its NLP heuristics were most of SCIP's time on this 14-variable program).
  Objective: Σ U_G over the sweep; reference: the closed form U_G(δ) = δ²/4 + δ(1 − δ)/4.
- ``Nash bargaining c1 sweep``: one quadratic specialist, c0 = 1, c1 ∈ [0.5, 4]; the Nash share through ``conic:log``
  on Clarabel, fresh (``bargain`` per game) or parametric
  (:class:`ftgames.formulations.bargaining.parametric.ConicBargainingProgram`, compiled once).  Objective: Σ δ*;
  reference: the root of the cubic U_G' U_D + U_G U_D' = 0 in (0, 1) (the closed form, timed as the baseline).

- ``power-revenue frontier``: the exact equilibrium at N shares δ (N = size) of three power-revenue games
  (:data:`FRONTIER_GAMES`: one specialist ρ = 0.5; two, ρ = 0.5 and 0.7 with an entry cost; three, ρ = 0.3, 0.5,
  0.8 with entry costs and a marginal cost), the table a sampled Pareto frontier or a sampled bargain is built from:
  the old per-point path (``exact_leader`` row by row, :func:`ftgames.formulations.bargaining.frontier.per_point_table`,
  the baseline) against the batched search ``equilibrium_table`` now takes
  (:func:`ftgames.formulations.equilibrium.power.leader_batch`).  Objective: Σ over the points of U_G + Σ U_D; no
  closed form (``main`` compares the two paths point by point instead).

- ``safety θD sweep``: the backfiring example (C0 = C1 = I, r = (1, 1), δ = 1/2, θG = 0), θD ∈ [0, 1]; the
  equilibrium through ``kkt:sos1`` on SCIP, fresh (``solve_kkt`` per θD) or parametric
  (:class:`ftgames.formulations.safety.parametric.SafetyKKTProgram`); baseline and reference: the exact
  enumeration (Σ U_G).
- ``openness θ sweep``: the default openness game with penalty 0.1, θ ∈ [0, 0.95]; through ``kkt:sos1`` on SCIP,
  fresh (``solve_equilibrium(game, "kkt:sos1")`` per θ) or parametric
  (:class:`ftgames.formulations.openness.parametric.OpennessKKTProgram`); baseline and reference: the exact
  enumeration (Σ U_G).

``python benchmarks/parametric.py [sizes...]`` prints the first two instances as a table (time per re-solve);
``python benchmarks/parametric.py safety [sizes...]`` (or ``openness``, ``equilibrium``, ``nash``) one of them;
``python benchmarks/parametric.py frontier [sizes...]`` the power-revenue frontier (with the 200-point totals and
one sampled Nash bargain, ``bargain(..., formulation="frontier")``, through each path).
"""

from __future__ import annotations

import sys
import time
from functools import partial

import numpy as np

from ftgames.bench import BenchOptions, Case, RunOutcome, Suite

C0, C1 = 1.0, 2.0
NLP_ON = {"nlp/disable": False}  # the SCIP default the library overrides for sos1/indicator


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


# ------------------------------------------------------------------------------------------------ power frontier
def frontier_games() -> dict:
    """The power-revenue games of the frontier rows, by name."""
    from ftgames.models.fine_tuning import FineTuningGame, Generalist, Specialist

    return {
        "1 specialist, ρ = 0.5": FineTuningGame(Generalist(1.0), (Specialist(2.0, revenue_power=0.5),)),
        "2 specialists, ρ = 0.5, 0.7, F2 = 0.02": FineTuningGame(Generalist(1.0), (
            Specialist(1.0, revenue_power=0.5),
            Specialist(2.0, revenue=1.5, revenue_power=0.7, entry_cost=0.02))),
        "3 specialists, ρ = 0.3, 0.5, 0.8, F = 0.02, 0.05, b3 = 0.1": FineTuningGame(Generalist(1.0), (
            Specialist(1.0, revenue_power=0.3, entry_cost=0.02),
            Specialist(1.5, revenue=1.5, revenue_power=0.5, entry_cost=0.05),
            Specialist(2.0, revenue=2.0, revenue_power=0.8, marginal_cost=0.1))),
    }


FRONTIER_GAMES = tuple(frontier_games())


def frontier_deltas(n_specialists: int, points: int) -> np.ndarray:
    """The shares of a frontier of ``points`` points: evenly spread for one specialist, seeded uniform otherwise."""
    if n_specialists == 1:
        return np.linspace(0.0, 1.0, points)[:, None]
    return np.random.default_rng(14).uniform(0.0, 1.0, (points, n_specialists))


def frontier_table(name: str, points: int, mode: str):
    from ftgames.formulations.bargaining.frontier import equilibrium_table, per_point_table

    game = frontier_games()[name]
    table = per_point_table if mode == "per point" else equilibrium_table
    return table(game, frontier_deltas(game.n, points))


def run_frontier(name: str, points: int, mode: str, time_limit: float) -> RunOutcome:
    t0 = time.perf_counter()
    table = frontier_table(name, points, mode)
    elapsed = time.perf_counter() - t0
    # G's investment on each piece is a 1-D search (grid and local refinement), not proved global: local
    return RunOutcome("optimal", "local", float(table.utilities.sum()), 0.0, elapsed)


# ------------------------------------------------------------------------------------------------ safety, openness
def safety_game():
    """The backfiring example (examples/safety_backfiring.toml): C0 = C1 = I, r = (1, 1), δ = 1/2."""
    from ftgames.models.safety import symmetric_game

    return symmetric_game(0.0, delta=0.5)


def floors(n: int) -> np.ndarray:
    return np.linspace(0.0, 1.0, n)


def safety_at(theta_d: float):
    return safety_game().with_regulation(theta_G=0.0, theta_D=theta_d)


def safety_reference(n: int) -> float:
    from ftgames.formulations.safety.enumeration import solve_enumeration

    return float(sum(solve_enumeration(safety_at(float(t))).U_G for t in floors(n)))


def run_safety(n: int, mode: str, time_limit: float) -> RunOutcome:
    from ftgames.formulations.safety.enumeration import solve_enumeration
    from ftgames.formulations.safety.kkt import solve_kkt
    from ftgames.formulations.safety.parametric import SafetyKKTProgram
    from ftgames.solvers import SolveConfig

    config = SolveConfig(time_limit=time_limit)
    program = SafetyKKTProgram(safety_game(), solver="scip", config=config) if mode == "parametric" else None
    total, build, solve, levels = 0.0, 0.0, 0.0, set()
    for t in floors(n):
        t0 = time.perf_counter()
        if mode == "enumeration":
            eq = solve_enumeration(safety_at(float(t)))
        elif mode == "fresh":
            eq = solve_kkt(safety_at(float(t)), solver="scip", config=config)
        else:
            eq = program.update(theta_D=float(t)).solve()
        elapsed = time.perf_counter() - t0
        build += eq.build_time
        solve += elapsed - eq.build_time
        total += eq.U_G
        levels.add(str(eq.certificate.level))
    return RunOutcome("optimal", "global" if levels == {"global"} else "local", total, build, solve)


def thresholds(n: int) -> np.ndarray:
    return np.linspace(0.0, 0.95, n)


def openness_at(theta: float):
    from ftgames.models.openness import OpennessGame

    return OpennessGame().with_regulation(theta, 0.1)


def openness_reference(n: int) -> float:
    from ftgames.formulations.openness.equilibrium import solve_equilibrium

    return float(sum(solve_equilibrium(openness_at(float(t))).U_G for t in thresholds(n)))


def run_openness(n: int, mode: str, time_limit: float) -> RunOutcome:
    from ftgames.formulations.openness.equilibrium import solve_equilibrium
    from ftgames.formulations.openness.parametric import OpennessKKTProgram
    from ftgames.solvers import SolveConfig

    config = SolveConfig(time_limit=time_limit)
    program = None
    if mode == "parametric":
        program = OpennessKKTProgram(openness_at(0.0), solver="scip", config=config)
    total, solve, levels = 0.0, 0.0, set()
    for t in thresholds(n):
        t0 = time.perf_counter()
        if mode == "enumeration":
            eq = solve_equilibrium(openness_at(float(t)))
        elif mode == "fresh":
            eq = solve_equilibrium(openness_at(float(t)), "kkt:sos1", solver="scip", config=config)
        else:
            eq = program.update(theta=float(t)).solve()
        solve += time.perf_counter() - t0
        total += eq.U_G
        levels.add(str(eq.certificate.level))
    return RunOutcome("optimal", "global" if levels == {"global"} else "local", total, 0.0, solve)


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
            yield Case(instance, n, f"kkt:sos1 ({mode}, nlp on)", "scip", partial(run_equilibrium, n, mode, NLP_ON),
                       ref, tolerance=1e-7)
        ref = nash_reference(n)
        instance = "Nash bargaining c1 sweep"
        yield Case(instance, n, "closed_form", "analytic", partial(run_nash, n, "closed_form"), ref, baseline=True)
        for mode in ("fresh", "parametric"):
            yield Case(instance, n, f"conic:log ({mode})", "clarabel", partial(run_nash, n, mode), ref,
                       tolerance=1e-7)
    for n in options.sizes(small=[1, 10], full=[1, 10, 100]):
        ref = safety_reference(n)
        instance = "safety θD sweep"
        yield Case(instance, n, "enumeration", "exact", partial(run_safety, n, "enumeration"), ref, baseline=True)
        for mode in ("fresh", "parametric"):
            yield Case(instance, n, f"kkt:sos1 ({mode})", "scip", partial(run_safety, n, mode), ref,
                       tolerance=1e-7)
        ref = openness_reference(n)
        instance = "openness θ sweep"
        yield Case(instance, n, "enumeration", "exact", partial(run_openness, n, "enumeration"), ref, baseline=True)
        for mode in ("fresh", "parametric"):
            yield Case(instance, n, f"kkt:sos1 ({mode})", "scip", partial(run_openness, n, mode), ref,
                       tolerance=1e-6)
    for n in options.sizes(small=[1, 10, 100, 200], full=[1, 10, 100, 200, 1000]):
        for name in FRONTIER_GAMES:
            instance = f"power-revenue frontier, {name}"
            yield Case(instance, n, "exact_leader (per point)", "numpy", partial(run_frontier, name, n, "per point"),
                       baseline=True)
            yield Case(instance, n, "equilibrium_table (batched)", "numpy", partial(run_frontier, name, n, "batched"))


SUITE = Suite("parametric", "parametric re-solves vs fresh builds vs closed forms (KKT on SCIP, conic on Clarabel); "
              "the power-revenue frontier batched vs per point", cases)


def main(sizes: list[int], only: tuple[str, ...] | None = None) -> None:
    """Print time per re-solve (ms) at each size.  The modes of an instance are interleaved point by point (fresh,
    parametric, ... at the same parameter value, in turn), so a busy machine slows them alike; each program's build
    is inside its mode's total.  Every answer is checked against the closed form (safety, openness: the exact
    enumeration) and must be certified global.  ``only``: the instances to run (default: all four)."""
    from ftgames.formulations.bargaining import bargain
    from ftgames.formulations.bargaining.parametric import ConicBargainingProgram
    from ftgames.formulations.equilibrium import solve_equilibrium
    from ftgames.formulations.equilibrium.parametric import EquilibriumProgram
    from ftgames.models import FineTuningGame
    from ftgames.solvers import SolveConfig

    game = FineTuningGame.quadratic(C0, [C1])
    plain, nlp_on = SolveConfig(), SolveConfig(options=NLP_ON)

    def equilibrium_modes(d: float, programs: dict) -> dict:
        def param(key: str, config: SolveConfig):
            def run():
                if key not in programs:
                    programs[key] = EquilibriumProgram(game, encoding="sos1", solver="scip", config=config)
                return programs[key].update(delta=[d]).solve()
            return run
        return {"closed_form": lambda: solve_equilibrium(game, [d]),
                "kkt:sos1 fresh": lambda: solve_equilibrium(game, [d], formulation="kkt:sos1", solver="scip"),
                "kkt:sos1 parametric": param("p", plain),
                "kkt:sos1 fresh, SCIP NLP on": lambda: solve_equilibrium(
                    game, [d], formulation="kkt:sos1", solver="scip", config=nlp_on),
                "kkt:sos1 parametric, SCIP NLP on": param("q", nlp_on)}

    def nash_modes(c: float, programs: dict) -> dict:
        def param():
            if "p" not in programs:
                programs["p"] = ConicBargainingProgram(FineTuningGame.quadratic(C0, [C1]), "nash", form="log")
            return programs["p"].update(costs=[c]).solve()
        return {"closed_form": lambda: nash_share(C0, c),
                "conic:log fresh": lambda: bargain(FineTuningGame.quadratic(C0, [c]), "nash", formulation="conic:log"),
                "conic:log parametric": param}

    def check_equilibrium(value, d):
        exact = d * d / (4 * C0) + d * (1 - d) / (2 * C1)
        return abs(value.U_G - exact) <= 1e-7 and value.certificate.level == "global"

    def check_nash(value, c):
        exact = nash_share(C0, c)
        share = value if isinstance(value, float) else value.delta[0]
        return abs(share - exact) <= 1e-7 and (isinstance(value, float) or value.is_global)

    def safety_modes(t: float, programs: dict) -> dict:
        from ftgames.formulations.safety.enumeration import solve_enumeration
        from ftgames.formulations.safety.kkt import solve_kkt
        from ftgames.formulations.safety.parametric import SafetyKKTProgram

        def param():
            if "p" not in programs:
                programs["p"] = SafetyKKTProgram(safety_game(), solver="scip")
            return programs["p"].update(theta_D=t).solve()
        return {"enumeration": lambda: solve_enumeration(safety_at(t)),
                "kkt:sos1 fresh": lambda: solve_kkt(safety_at(t), solver="scip"),
                "kkt:sos1 parametric": param}

    def openness_modes(t: float, programs: dict) -> dict:
        from ftgames.formulations.openness.equilibrium import solve_equilibrium as solve_openness
        from ftgames.formulations.openness.parametric import OpennessKKTProgram

        def param():
            if "p" not in programs:
                programs["p"] = OpennessKKTProgram(openness_at(0.0), solver="scip")
            return programs["p"].update(theta=t).solve()
        return {"enumeration": lambda: solve_openness(openness_at(t)),
                "kkt:sos1 fresh": lambda: solve_openness(openness_at(t), "kkt:sos1", solver="scip"),
                "kkt:sos1 parametric": param}

    def check_safety(value, t):
        from ftgames.formulations.safety.enumeration import solve_enumeration

        return abs(value.U_G - solve_enumeration(safety_at(t)).U_G) <= 1e-7 and value.certificate.level == "global"

    def check_openness(value, t):
        from ftgames.formulations.openness.equilibrium import solve_equilibrium as solve_openness

        exact = solve_openness(openness_at(t))
        return (abs(value.U_G - exact.U_G) <= 1e-6 and value.regime == exact.regime
                and value.certificate.level == "global")

    instances = [("equilibrium δ sweep", deltas, equilibrium_modes, check_equilibrium),
                 ("Nash c1 sweep", costs, nash_modes, check_nash),
                 ("safety θD sweep", floors, safety_modes, check_safety),
                 ("openness θ sweep", thresholds, openness_modes, check_openness)]
    instances = [i for i in instances if only is None or i[0] in only]
    for _, values, modes, _ in instances:  # imports and first-call set-up out of the timings
        for run in modes(float(values(1)[0]), {}).values():
            run()
    print("| instance | formulation | " + " | ".join(f"{n} re-solves" for n in sizes) + " |")
    print("|---|---|" + "---:|" * len(sizes))
    for instance, values, modes, check in instances:
        table: dict[str, list[str]] = {}
        for n in sizes:
            programs: dict = {}
            spent: dict[str, float] = {}
            wrong: dict[str, int] = {}
            for v in values(n):
                for name, run in modes(float(v), programs).items():
                    t0 = time.perf_counter()
                    out = run()
                    spent[name] = spent.get(name, 0.0) + time.perf_counter() - t0
                    wrong[name] = wrong.get(name, 0) + (not check(out, float(v)))
            for name, total in spent.items():
                cell = f"{total / n * 1e3:.3g} ms" + (f" ({wrong[name]} wrong)" if wrong[name] else "")
                table.setdefault(name, []).append(cell)
        for name, cells in table.items():
            print(f"| {instance} | {name} | " + " | ".join(cells) + " |", flush=True)


def frontier_main(sizes: list[int]) -> None:
    """Print ms per frontier point of each path at each size, then the 200-point totals and one sampled Nash bargain
    through each path.  The two tables of each size are compared point by point: U_G to 1e-12 (flat at G's
    optimum), U_D to 1e-6 (they move with α0, which exact_leader's Brent search locates to about 1e-8); participation
    exactly.  A disagreement is counted in the batched cell."""
    from ftgames.formulations.bargaining import bargain, frontier

    games = frontier_games()
    frontier_table(FRONTIER_GAMES[0], 2, "batched")  # imports out of the timings
    print("| game | path | " + " | ".join(f"{n} points" for n in sizes) + " |")
    print("|---|---|" + "---:|" * len(sizes))
    totals: dict[tuple[str, str], float] = {}
    for name in FRONTIER_GAMES:
        cells: dict[str, list[str]] = {"per point": [], "batched": []}
        for n in sizes:
            spent, tables = {}, {}
            for mode in ("per point", "batched"):
                t0 = time.perf_counter()
                tables[mode] = frontier_table(name, n, mode)
                spent[mode] = time.perf_counter() - t0
                if n == 200:
                    totals[(name, mode)] = spent[mode]
            old, new = tables["per point"], tables["batched"]
            wrong = int(np.sum(~(np.isclose(old.utility_generalist, new.utility_generalist, rtol=0, atol=1e-12)
                                 & np.all(np.isclose(old.utility_specialists, new.utility_specialists, rtol=0,
                                                     atol=1e-6), axis=1)
                                 & np.all(old.participates == new.participates, axis=1))))
            cells["per point"].append(f"{spent['per point'] / n * 1e3:.3g} ms")
            cells["batched"].append(f"{spent['batched'] / n * 1e3:.3g} ms" + (f" ({wrong} differ)" if wrong else ""))
        for mode, row in cells.items():
            print(f"| {name} | {mode} | " + " | ".join(row) + " |", flush=True)
    for name in FRONTIER_GAMES:
        if (name, "batched") in totals:
            print(f"200 points, {name}: per point {totals[(name, 'per point')]:.2f} s, "
                  f"batched {totals[(name, 'batched')]:.3f} s")
    game = games[FRONTIER_GAMES[1]]
    batched_table = frontier.equilibrium_table
    for mode in ("batched", "per point"):
        frontier.equilibrium_table = batched_table if mode == "batched" else frontier.per_point_table
        try:
            t0 = time.perf_counter()
            outcome = bargain(game, "nash", formulation="frontier")
            elapsed = time.perf_counter() - t0
        finally:
            frontier.equilibrium_table = batched_table
        print(f"sampled Nash bargain, {FRONTIER_GAMES[1]}, {mode}: {elapsed:.2f} s, "
              f"delta = {[round(x, 6) for x in outcome.delta]}", flush=True)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    kinds = {"safety": "safety θD sweep", "openness": "openness θ sweep", "equilibrium": "equilibrium δ sweep",
             "nash": "Nash c1 sweep"}
    if arguments[:1] == ["frontier"]:
        frontier_main([int(a) for a in arguments[1:]] or [1, 10, 100, 200, 1000])
    elif arguments[:1] and arguments[0] in kinds:
        main([int(a) for a in arguments[1:]] or [1, 10, 100], only=(kinds[arguments[0]],))
    else:
        main([int(a) for a in arguments] or [1, 10, 100, 1000], only=("equilibrium δ sweep", "Nash c1 sweep"))
