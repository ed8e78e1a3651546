"""Benchmark: the full Figure-2 grid of the safety-regulation game (105,651 games) with the exact batched solver,
against per-game KKT/SCIP (global) and KKT/Ipopt (local) on a random sample.

    .venv/bin/python benchmarks/safety_figure2_grid.py                 # full grid, 1 and 2 processes, 40 samples
    .venv/bin/python benchmarks/safety_figure2_grid.py --sample 10 --json out.json

Reports wall time and games per second of the grid, the KKT/SCIP time per game and the ratio, agreement of the two
exact formulations on the sample, and where Ipopt (local) misses the global optimum — the backfiring jump.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ftgames.formulations.safety.enumeration import solve_grid
from ftgames.formulations.safety.kkt import solve_kkt
from ftgames.models.safety import symmetric_game


def figure2_points() -> tuple[np.ndarray, np.ndarray]:
    tg, td = np.meshgrid(np.linspace(0, 1.5, 301), np.linspace(0, 2.5, 501), indexing="ij")
    mask = td >= tg - 1e-12
    return tg[mask], td[mask]


def _solve_part(args: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    return solve_grid(symmetric_game(), theta_G=args[0], theta_D=args[1])


def time_grid(tg: np.ndarray, td: np.ndarray, workers: int) -> tuple[float, dict[str, np.ndarray]]:
    t0 = time.perf_counter()
    if workers == 1:
        res = _solve_part((tg, td))
    else:
        parts = [(a, b) for a, b in zip(np.array_split(tg, workers), np.array_split(td, workers), strict=True)]
        with ProcessPoolExecutor(workers) as pool:
            out = list(pool.map(_solve_part, parts))
        res = {k: np.concatenate([o[k] for o in out]) for k in out[0]}
    return time.perf_counter() - t0, res


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=40, help="games solved per game by KKT/SCIP and KKT/Ipopt")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="write the numbers to this file")
    args = parser.parse_args()

    tg, td = figure2_points()
    n = tg.size
    report: dict[str, object] = {"games": n}
    t1, res = time_grid(tg, td, 1)
    report["grid_seconds_1_process"] = t1
    print(f"Figure-2 grid: {n} games, exact batched enumeration, 1 process: {t1:.2f} s ({n / t1:,.0f} games/s)")
    if args.workers > 1:
        tw, res_w = time_grid(tg, td, args.workers)
        assert np.allclose(res_w["U_G"], res["U_G"])
        report[f"grid_seconds_{args.workers}_processes"] = tw
        print(f"                {args.workers} processes: {tw:.2f} s ({n / tw:,.0f} games/s)")

    rng = np.random.default_rng(args.seed)
    idx = rng.choice(n, size=min(args.sample, n), replace=False)
    # always include the backfiring band, where a local method can stay on the wrong branch
    band = np.nonzero((tg == 0) & (td > 0.375) & (td < 0.5))[0]
    idx = np.unique(np.concatenate([idx, band[:: max(1, band.size // 5)]]))
    scip_times, ipopt_times, diffs, misses = [], [], [], []
    for k in idx:
        game = symmetric_game(theta_G=float(tg[k]), theta_D=float(td[k]))
        t0 = time.perf_counter()
        scip = solve_kkt(game, solver="scip")
        scip_times.append(time.perf_counter() - t0)
        diffs.append(abs(scip.U_G - res["U_G"][k]))
        t0 = time.perf_counter()
        ipopt = solve_kkt(game, solver="ipopt")
        ipopt_times.append(time.perf_counter() - t0)
        failed = ipopt.status not in ("optimal", "locally_optimal")  # e.g. "error": no point returned
        if failed or ipopt.U_G < res["U_G"][k] - 1e-6:
            misses.append((float(tg[k]), float(td[k]), float(res["U_G"][k]),
                           None if failed else float(ipopt.U_G), ipopt.status))
    per_game_exact = t1 / n
    per_scip = float(np.mean(scip_times))
    report.update(sample=int(idx.size), scip_seconds_per_game=per_scip,
                  ipopt_seconds_per_game=float(np.mean(ipopt_times)),
                  exact_seconds_per_game=per_game_exact, speedup_vs_scip=per_scip / per_game_exact,
                  scip_grid_estimate_hours=per_scip * n / 3600, max_abs_U_G_difference_scip=float(max(diffs)),
                  ipopt_misses=misses)
    print(f"KKT/SCIP on {idx.size} sampled games: {per_scip:.3f} s/game -> the grid would take "
          f"{per_scip * n / 3600:.1f} h; batched enumeration is {per_scip / per_game_exact:,.0f}x faster per game")
    print(f"max |U_G(enumeration) - U_G(SCIP)| on the sample: {max(diffs):.2e}")
    print(f"KKT/Ipopt (local, kkt:product, started at the unregulated equilibrium): "
          f"{np.mean(ipopt_times):.3f} s/game, misses the global optimum on {len(misses)} of {idx.size}:")
    for m in misses:
        what = (f"Ipopt stops at U_G = {m[3]:.5f} (locally optimal)" if m[3] is not None
                else "Ipopt returns no point: it cannot prove that G abstains")
        print(f"   θG = {m[0]:.3f}, θD = {m[1]:.3f}: global U_G = {m[2]:.5f}; {what}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
