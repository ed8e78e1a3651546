"""``ftgames sweep GAME.toml --param KEY=START:STOP:NUM ... --out DIR``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .executors import EXECUTORS
from .storage import FORMATS


def cmd_sweep(args: argparse.Namespace) -> int:
    from .runner import run_sweep

    try:
        result = run_sweep(
            args.file, args.param, out=args.out, where=args.where, executor=args.executor, workers=args.workers,
            scheduler=args.scheduler, chunk_size=args.chunk_size, fmt=args.format, retries=args.retries,
            formulation=args.formulation, solver=args.solver, overwrite=args.overwrite,
            progress=not args.no_progress, reuse=not args.no_reuse,
        )
    except KeyboardInterrupt:
        print(f"sweep: interrupted; the finished chunks are kept in {args.out}: run the same command again to "
              "resume", file=sys.stderr)
        return 130
    print(f"sweep: {result.points} points in {result.chunks} chunks ({result.resumed_chunks} already done, "
          f"{result.computed_chunks} computed now) on {result.executor} in {result.elapsed:.2f} s -> {result.out}")
    for failure in result.failures:
        print(f"sweep: chunk {failure.key} FAILED after {failure.attempts} attempts: {failure.error}", file=sys.stderr)
    if result.failures:
        print(f"sweep: {len(result.failures)} chunk(s) failed (details in {result.out}/manifest.json); "
              "run the same command again to retry them", file=sys.stderr)
        return 1
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("sweep", help="solve a game over a grid of parameter values",
                              description="Solve a game file at every point of a parameter grid; results are "
                                          "written in chunks so an interrupted sweep resumes where it stopped.")
    p.add_argument("file", help="game file (TOML)")
    p.add_argument("--param", action="append", required=True, metavar="KEY=START:STOP:NUM",
                   help="swept key (any numeric game-file entry, e.g. regulation.theta_D or specialists[0].cost) "
                        "with a range START:STOP:NUM or values V1,V2,...; repeat for a product grid")
    p.add_argument("--where", action="append", default=[], metavar="EXPR",
                   help="keep only points where EXPR holds, e.g. 'regulation.theta_D >= regulation.theta_G'")
    p.add_argument("--out", required=True, help="output folder (created; reused to resume)")
    p.add_argument("--executor", choices=EXECUTORS, help="where to run: local process pool (default), dask, serial")
    p.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://host:8786); default: start a local cluster")
    p.add_argument("--chunk-size", type=int, help="points per chunk (default: about 1/64 of the grid, at most 1000)")
    p.add_argument("--format", choices=FORMATS, help="chunk file format (default parquet)")
    p.add_argument("--retries", type=int, help="retries of a failing chunk (default 2)")
    p.add_argument("--formulation", help="formulation passed to the game's front end")
    p.add_argument("--solver", help="solver passed to the game's front end")
    p.add_argument("--overwrite", action="store_true", help="discard an existing sweep in --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-reuse", action="store_true",
                   help="build every point's program afresh (default: a numerical formulation builds its program "
                        "once per worker and re-solves it with each point's data)")
    p.set_defaults(func=cmd_sweep)
