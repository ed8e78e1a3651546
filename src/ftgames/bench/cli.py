"""``ftgames bench SUITE [SUITE ...] --out DIR``: run benchmark suites, write CSV, JSON, Markdown and plots."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from ..sweep.executors import ENV_EXECUTOR, EXECUTORS, make_executor
from .case import SCALES


def cmd_bench(args: argparse.Namespace) -> int:
    from .case import BenchOptions
    from .loader import available_suites, suite_path, suites_dir
    from .metadata import run_metadata
    from .plots import plot_profiles, plot_time_vs_size
    from .report import write_report, write_tables
    from .runner import check_selection, run_suite

    folder = suites_dir(args.suites_dir)
    if args.list:
        _list_suites(folder, available_suites(folder))
        return 0
    if not args.suite:
        raise ValueError(f"name a suite (or 'all'); available: {', '.join(available_suites(folder))}")
    if args.out is None:
        raise ValueError("--out DIR is required")
    names = available_suites(folder) if args.suite == ["all"] else args.suite
    paths = [suite_path(n, folder) for n in names]
    options = BenchOptions(scale=args.scale, max_size=args.max_size, time_limit=args.time_limit,
                           repeats=args.repeats, instances=_patterns(args.instances, "--instances"),
                           formulations=_patterns(args.formulations, "--formulations"),
                           backends=_patterns(args.backends, "--backends"))
    check_selection(list(paths), options)  # before any output: a selection of nothing is a usage error
    metadata = run_metadata(_command(args))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []

    def show(row: dict[str, Any]) -> None:
        if args.quiet:
            return
        size = "" if row["size"] is None else f" n={row['size']}"
        time_text = "" if row["total_time"] is None else f" {row['total_time']:.4f}s"
        err = "" if row["error"] is None else f" err={row['error']:.1e}"
        print(f"[{row['suite']}] {row['instance']}{size} {row['formulation']}/{row['backend']}: {row['status']}"
              f"{time_text}{err}" + (f" ({row['message'][:100]})" if row["status"] in ("skipped", "error") else ""),
              file=sys.stderr, flush=True)

    executor_name = args.executor or os.environ.get(ENV_EXECUTOR) or "serial"
    executor = make_executor(executor_name, args.workers, args.scheduler) if executor_name != "serial" else "serial"
    start = time.perf_counter()
    try:
        for path in paths:
            rows += run_suite(path, options, executor=executor, workers=args.workers,
                              isolate=not args.no_isolation, on_row=show)
            write_tables(rows, out, metadata)  # keep what is finished even if a later suite is interrupted
    finally:
        if not isinstance(executor, str):
            executor.close()
    write_report(rows, out, command=_command(args))
    plots = [*plot_time_vs_size(rows, out), *plot_profiles(rows, out)]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    print(f"bench: {len(rows)} rows ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}) in "
          f"{time.perf_counter() - start:.1f} s -> {out}/results.csv, results.json, report.md, "
          f"{len(plots)} plot(s)")
    return 0


def _patterns(text: str | None, flag: str) -> tuple[str, ...] | None:
    """``GLOB[,GLOB...]`` → the patterns (None when the flag is not given)."""
    if text is None:
        return None
    patterns = tuple(p.strip() for p in text.split(",") if p.strip())
    if not patterns:
        raise ValueError(f"{flag} needs at least one glob pattern, got {text!r}")
    return patterns


def _list_suites(folder: Path, names: list[str]) -> None:
    """Each suite with its description, sizes at each scale and expected run time (when the suite declares one)."""
    from .loader import suite_path, suite_summary

    for name in names:
        info = suite_summary(suite_path(name, folder))
        print(f"{name}: {info['description']}")
        if info["per_instance"]:
            print(f"  sizes (set by the instances, every scale): {', '.join(map(str, info['small'])) or '-'}")
        else:
            print(f"  sizes: small {', '.join(map(str, info['small'])) or '-'}; "
                  f"full {', '.join(map(str, info['full'])) or '-'}")
        if info["expected_minutes"] is not None:
            print(f"  expected run time (small scale): about {info['expected_minutes']:g} min")


def _command(args: argparse.Namespace) -> str:
    """The command line that reproduces this run."""
    parts = ["ftgames", "bench", *args.suite, "--out", str(args.out), "--scale", args.scale,
             "--time-limit", f"{args.time_limit:g}", "--repeats", str(args.repeats)]
    if args.max_size is not None:
        parts += ["--max-size", str(args.max_size)]
    for flag in ("instances", "formulations", "backends"):
        if getattr(args, flag) is not None:
            parts += [f"--{flag}", getattr(args, flag)]
    if args.executor:
        parts += ["--executor", args.executor]
    if args.workers:
        parts += ["--workers", str(args.workers)]
    return " ".join(shlex.quote(p) for p in parts)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("bench", help="run benchmark suites (formulations × backends × sizes)",
                              description="Run benchmark suites from benchmarks/ and write results.csv, "
                                          "results.json, report.md and log-log plots of time against size.")
    p.add_argument("suite", nargs="*", help="suite name(s) from benchmarks/, or 'all'")
    p.add_argument("--out", help="output folder")
    p.add_argument("--list", action="store_true",
                   help="list the available suites: description, sizes at each scale, expected run time")
    p.add_argument("--scale", choices=SCALES, default="small", help="instance sizes: small (default) or full")
    p.add_argument("--max-size", type=int, help="largest instance size to run (every suite)")
    p.add_argument("--instances", metavar="GLOB[,GLOB...]",
                   help="run only the instances matching one of these fnmatch patterns (case-sensitive)")
    p.add_argument("--formulations", metavar="GLOB[,GLOB...]",
                   help="run only the formulations matching one of these patterns (e.g. 'kkt:*,closed_form')")
    p.add_argument("--backends", metavar="GLOB[,GLOB...]",
                   help="run only the backends matching one of these patterns (e.g. 'scip,highs')")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds per run (default 10)")
    p.add_argument("--repeats", type=int, default=3, help="runs per case; times are medians (default 3)")
    p.add_argument("--executor", choices=EXECUTORS,
                   help="serial (default, or $FTGAMES_EXECUTOR: undisturbed timings), local process pool, or dask")
    p.add_argument("--workers", type=int, help="workers for local/dask executors")
    p.add_argument("--scheduler", help="Dask scheduler address (tcp://host:8786); default: a local cluster")
    p.add_argument("--suites-dir", help="folder of suite files (default ./benchmarks)")
    p.add_argument("--no-isolation", action="store_true",
                   help="run cases in the worker process (no hard kill at the time limit)")
    p.add_argument("--quiet", action="store_true", help="no line per finished case")
    p.set_defaults(func=cmd_bench)
