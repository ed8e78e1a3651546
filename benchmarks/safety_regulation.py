"""The safety-regulation game: single games with published reference values, and grid subsets.

Single games (size 1): the reference values of spec §4 (G's utility U_G; C0 = C1 = I or cross-terms c = ±0.1,
r = (1, 1), δ = 1/2), solved by exact enumeration, the KKT reformulation solved globally by SCIP (``kkt:sos1``
and ``kkt:bigm``), and ``kkt:product`` on Ipopt (local; it misses the backfiring jump).  Certificate: the level of
the equilibrium's certificate (global needs a proved optimum and every follower re-solved).
Grids (size = number of games): θG = 0 with θD evenly spaced in [0, 2.5] (Figure 3's slice), and the Figure-2 grid
(θG ∈ [0, 1.5] × θD ∈ [0, 2.5], θD ≥ θG, 105,651 games; left out when ``--max-size`` is smaller).
Objective: the mean of U_G over the grid; reference: the batched exact enumeration (its own error is 0 by
construction; the per-game methods are checked against it).
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np

from ftgames.bench import BenchOptions, Case, RunOutcome, Skip, Suite, discover
from ftgames.bench.helpers import backend_unavailable, guarded

#: (label, c, θG, θD, U_G reference, tolerance) from spec §4.
REFERENCE_GAMES = (
    ("θD=0.40 backfire", 0.0, 0.0, 0.40, 0.3875, 1e-6),
    ("θD=1.0 U_D=0 regime", 0.0, 0.0, 1.0, 0.66071, 1e-5),
    ("θD=1.5", 0.0, 0.0, 1.5, 43 / 64, 1e-6),
    ("θD=2.0", 0.0, 0.0, 2.0, 0.39880, 1e-5),
    ("(θG,θD)=(0.3,0.6)", 0.0, 0.3, 0.6, 0.3975, 1e-6),
    ("(θG,θD)=(0.5,1.0) mutualism", 0.0, 0.5, 1.0, 0.4375, 1e-6),
    ("(θG,θD)=(0.9,1.5)", 0.0, 0.9, 1.5, 0.1275, 1e-6),
    ("(θG,θD)=(0.9,0.9) abstain", 0.0, 0.9, 0.9, 0.0, 1e-6),
    ("c=0.1 θD=0.4", 0.1, 0.0, 0.4, 0.3675, 1e-6),
    ("c=-0.1 θD=1.0", -0.1, 0.0, 1.0, 0.7204, 1e-4),
    ("c=-0.1 θD=1.5", -0.1, 0.0, 1.5, 0.7895, 1e-4),
)
#: (formulation kind[:encoding], backend) of the KKT runs.
KKT_RUNS = (("kkt:sos1", "scip"), ("kkt:bigm", "scip"), ("kkt:product", "ipopt"))


def game_at(c: float, theta_g: float, theta_d: float):
    from ftgames.models.safety import symmetric_game

    return symmetric_game(c, theta_G=theta_g, theta_D=theta_d)


def outcome_of(eq, elapsed: float) -> RunOutcome:
    """The equilibrium's status and certificate level; "optimal" only when the certificate is global.  ``elapsed``
    is the wall clock around the call, of which ``eq.build_time`` is the build."""
    level = str(eq.certificate.level)
    status = eq.status if eq.status in ("optimal", "locally_optimal") else "error"
    if status == "optimal" and level != "global":
        status = "locally_optimal"
    build = min(max(eq.build_time, 0.0), elapsed)
    return RunOutcome(status, level, float(eq.U_G), build, elapsed - build, eq.method)


def solve_one(game, formulation: str, backend: str | None, time_limit: float):
    """``formulation``: ``enumeration`` or ``kkt:<encoding>``."""
    if formulation == "enumeration":
        from ftgames.formulations.safety.enumeration import solve_enumeration

        return solve_enumeration(game)
    from ftgames.formulations.safety.kkt import solve_kkt
    from ftgames.solvers import SolveConfig

    kind, _, encoding = formulation.partition(":")
    if kind != "kkt" or not encoding:
        raise ValueError(f"formulation must be enumeration or kkt:<encoding>, got {formulation!r}")
    return solve_kkt(game, solver=backend, encoding=encoding, config=SolveConfig(time_limit=time_limit))


def run_single(c: float, theta_g: float, theta_d: float, formulation: str, backend: str | None,
               time_limit: float) -> RunOutcome:
    game = game_at(c, theta_g, theta_d)
    start = time.perf_counter()
    eq = solve_one(game, formulation, backend, time_limit)
    return outcome_of(eq, time.perf_counter() - start)


def slice_points(n: int) -> tuple[np.ndarray, np.ndarray]:
    """θG = 0, θD = n values in [0, 2.5]."""
    return np.zeros(n), np.linspace(0.0, 2.5, n)


def figure2_points() -> tuple[np.ndarray, np.ndarray]:
    tg, td = np.meshgrid(np.linspace(0, 1.5, 301), np.linspace(0, 2.5, 501), indexing="ij")
    keep = td >= tg - 1e-9
    return tg[keep], td[keep]


def run_batched(points, time_limit: float) -> RunOutcome:
    from ftgames.formulations.safety.enumeration import solve_grid
    from ftgames.models.safety import symmetric_game

    tg, td = points()
    start = time.perf_counter()
    result = solve_grid(symmetric_game(), theta_G=tg, theta_D=td)
    elapsed = time.perf_counter() - start
    return RunOutcome("optimal", "global", float(np.mean(result["U_G"])), 0.0, elapsed, f"{len(tg)} games")


def run_per_game(points, formulation: str, backend: str | None, time_limit: float) -> RunOutcome:
    tg, td = points()
    start = time.perf_counter()
    values, levels, statuses = [], set(), set()
    for theta_g, theta_d in zip(tg, td, strict=True):
        remaining = time_limit - (time.perf_counter() - start)
        if remaining <= 0:
            return RunOutcome("time_limit", "none", None, 0.0, time.perf_counter() - start,
                              f"{len(values)} of {len(tg)} games solved")
        outcome = outcome_of(solve_one(game_at(0.0, float(theta_g), float(theta_d)), formulation, backend,
                                       remaining), 0.0)
        if outcome.status not in ("optimal", "locally_optimal"):
            return RunOutcome(outcome.status, "none", None, 0.0, time.perf_counter() - start,
                              f"game θG={theta_g}, θD={theta_d}: {outcome.status}")
        values.append(outcome.objective)
        levels.add(outcome.certificate)
        statuses.add(outcome.status)
    elapsed = time.perf_counter() - start
    # the weakest level over the games
    level = "none" if "none" in levels else ("local" if "local" in levels else "global")
    status = "optimal" if statuses == {"optimal"} else "locally_optimal"
    return RunOutcome(status, level, float(np.mean(values)), 0.0, elapsed, f"{len(values)} games")


def grid_reference(points) -> float | None:
    enumeration, _ = discover("ftgames.formulations.safety.enumeration", "solve_grid")
    if enumeration is None:
        return None
    from ftgames.models.safety import symmetric_game

    tg, td = points()
    return float(np.mean(enumeration.solve_grid(symmetric_game(), theta_G=tg, theta_D=td)["U_G"]))


def cases(options: BenchOptions):
    enumeration, why_enum = discover("ftgames.formulations.safety.enumeration", "solve_enumeration", "solve_grid")
    kkt, why_kkt = discover("ftgames.formulations.safety.kkt", "solve_kkt")
    model, why_model = discover("ftgames.models.safety", "symmetric_game")
    if model is None:
        yield Skip("*", "*", "*", why_model)
        return
    if enumeration is None:
        yield Skip("*", "enumeration", "exact", why_enum)
    if kkt is None:
        yield Skip("*", "kkt:*", "*", why_kkt)
    unavailable = {b: backend_unavailable(b) for b in ("scip", "ipopt")}
    for backend, why in unavailable.items():
        if why:
            yield Skip("*", "kkt:*", backend, why)
    runs: list[tuple[str, str | None]] = []
    if enumeration is not None:
        runs.append(("enumeration", None))
    if kkt is not None:
        runs += [(f, b) for f, b in KKT_RUNS if not unavailable[b]]
    for label, c, theta_g, theta_d, reference, tolerance in REFERENCE_GAMES:
        for formulation, backend in runs:
            yield Case(f"single game {label}", 1, formulation, backend or "exact",
                       guarded(partial(run_single, c, theta_g, theta_d, formulation, backend)), reference,
                       tolerance, baseline=formulation == "enumeration")
    sizes = options.sizes(small=[10, 100, 1000, 10000], full=[10, 100, 1000, 10000, 100000])
    grids = [("θG=0 slice", n, partial(slice_points, n)) for n in sizes]
    if options.max_size is None or options.max_size >= 105_651:
        grids.append(("Figure-2 grid", 105_651, figure2_points))
    for instance, n, points in grids:
        reference = grid_reference(points)
        if enumeration is not None:
            yield Case(instance, n, "enumeration (batched)", "exact", guarded(partial(run_batched, points)),
                       reference, 1e-9, baseline=True)
        if instance == "Figure-2 grid":
            continue  # per game it takes minutes (see the slices): only the batched solve
        for formulation, backend in runs:
            yield Case(instance, n, f"{formulation} (per game)", backend or "exact",
                       guarded(partial(run_per_game, points, formulation, backend)), reference, 1e-6)


SUITE = Suite("safety_regulation", "safety-regulation game: exact enumeration vs KKT (SCIP global, Ipopt local)",
              cases)
