"""The sweep engine on each executor: wall time of ``run_sweep`` for grids of growing size.

Instances: the openness-regulation game over (θ, penalty) through its front end's batched ``solve_batch``, the
fine-tuning game over (c1, δ) through the per-point path (the front end's ``solve``, one report per point), and the
safety game's Figure-2 grid (θG × θD with θD ≥ θG, 105,651 games) through its batched front end (local pool and
Dask only).
Formulations: the executor — ``serial``, ``local`` (process pool, 2 workers), ``dask`` (a local cluster of 2
workers, start-up included).  Objective: the mean of G's utility over the grid, without a reference (cells carry †):
the executors are compared with each other, and the tests check that they return identical rows.
Size = number of grid points.
"""

from __future__ import annotations

import math
import tempfile
import time
from functools import partial
from pathlib import Path

from ftgames.bench import BenchOptions, Case, RunOutcome, Skip, Suite, discover

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FINE_TUNING = """
game = "fine_tuning"
[generalist]
cost = 1.0
[[specialists]]
cost = 2.0
[bargaining]
delta = [0.5]
"""
EXECUTORS = (("serial", 1), ("local", 2), ("dask", 2))
FINE_TUNING_INSTANCE = "fine_tuning (solve per point)"


FIGURE2 = (["regulation.theta_G=0:1.5:301", "regulation.theta_D=0:2.5:501"],
           ["regulation.theta_D >= regulation.theta_G"])
FIGURE2_POINTS = 105_651


def grid(instance: str, n: int) -> tuple[str, list[str], list[str]]:
    """(game file text or path, --param specs, --where constraints) with about n points."""
    if instance == "safety Figure-2 grid (solve_batch)":
        return str(EXAMPLES / "safety_backfiring.toml"), *FIGURE2
    side = max(1, round(math.sqrt(n)))
    if instance == "openness (solve_batch)":
        return str(EXAMPLES / "openness_default.toml"), [f"regulation.theta=0:1:{side}",
                                                         f"regulation.penalty=0:0.2:{max(1, n // side)}"], []
    return FINE_TUNING, [f"specialists[0].cost=0.5:4:{side}",
                         f"bargaining.delta[0]=0.05:0.95:{max(1, n // side)}"], []


def run(instance: str, n: int, executor: str, workers: int, time_limit: float) -> RunOutcome:
    from ftgames.sweep import run_sweep

    source, params, where = grid(instance, n)
    with tempfile.TemporaryDirectory() as tmp:
        game = Path(source) if source.endswith(".toml") else Path(tmp) / "game.toml"
        if not source.endswith(".toml"):
            game.write_text(source)
        start = time.perf_counter()
        result = run_sweep(game, params, where=where, out=Path(tmp) / "out", executor=executor, workers=workers)
        elapsed = time.perf_counter() - start
        frame = result.frame()
    if not result.ok:
        return RunOutcome("error", "none", None, 0.0, elapsed, result.failures[0].error)
    # batched rows carry U_G and a certificate level; per-point rows are flattened reports (the outcome at the
    # file's fixed shares); the sweep's level is the weakest of its rows'
    batched = "U_G" in frame.columns
    column = "U_G" if batched else "outcomes.fixed.U_G"
    levels = set(frame["certificate" if batched else "outcomes.fixed.certificate.level"])
    level = "global" if levels == {"global"} else ("local" if levels == {"global", "local"} or levels == {"local"}
                                                   else "none")
    return RunOutcome("optimal" if level == "global" else "locally_optimal", level, float(frame[column].mean()), 0.0,
                      elapsed, f"{result.points} points, {result.chunks} chunks")


def _front_end(module: str, batched: bool) -> bool:
    """Whether ``ftgames.games.<module>`` exposes a FRONT_END (with a ``solve_batch`` when ``batched``)."""
    mod, _ = discover(f"ftgames.games.{module}", "FRONT_END")
    return mod is not None and (not batched or callable(getattr(mod.FRONT_END, "solve_batch", None)))


def cases(options: BenchOptions):
    sizes = options.sizes(small=[4, 16, 64, 256], full=[4, 16, 64, 256, 1024, 4096])
    instances = []
    if _front_end("openness_regulation", batched=True) and (EXAMPLES / "openness_default.toml").exists():
        instances.append("openness (solve_batch)")
    else:
        yield Skip("openness (solve_batch)", "*", "*", "openness front end or its example file missing")
    if _front_end("fine_tuning", batched=False):
        instances.append(FINE_TUNING_INSTANCE)
    else:
        yield Skip(FINE_TUNING_INSTANCE, "*", "*", "fine-tuning front end missing")
    for instance in instances:
        for n in sizes:
            for executor, workers in EXECUTORS:
                yield Case(instance, n, f"sweep×{workers}", executor, partial(run, instance, n, executor, workers))
    figure2 = "safety Figure-2 grid (solve_batch)"
    if not _front_end("safety_regulation", batched=True) or not (EXAMPLES / "safety_backfiring.toml").exists():
        yield Skip(figure2, "*", "*", "safety front end or examples/safety_backfiring.toml missing")
    elif options.max_size is None or options.max_size >= FIGURE2_POINTS:
        for executor, workers in EXECUTORS[1:]:
            yield Case(figure2, FIGURE2_POINTS, f"sweep×{workers}", executor,
                       partial(run, figure2, FIGURE2_POINTS, executor, workers))


SUITE = Suite("sweep_executors", "ftgames sweep on the serial, local-pool and Dask executors", cases)
