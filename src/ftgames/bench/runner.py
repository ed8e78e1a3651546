"""Running a suite: repeats with the median, a hard time limit per run, size cut-offs, any executor."""

from __future__ import annotations

import fnmatch
import importlib
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..sweep.executors import Executor, make_executor, run_tasks
from .case import BenchOptions, Case, RunOutcome, Skip
from .isolation import run_in_process, run_isolated
from .loader import load_suite

#: Solver statistics copied from ``RunOutcome.stats`` (``SolveResult.stats``) where the backend reports them.
STAT_COLUMNS = ("dual_bound", "gap", "nodes", "iterations")
COLUMNS = ("suite", "instance", "size", "formulation", "backend", "status", "certificate", "objective", "reference",
           "error", "correct", "build_time", "solve_time", "total_time", "repeats", "message", "baseline",
           "time_limit", *STAT_COLUMNS)

_CASES: dict[tuple[str, BenchOptions], list[Case | Skip]] = {}


@dataclass(frozen=True)
class BenchTask:
    """A picklable pointer to one case: workers load the suite file and enumerate its cases themselves."""

    path: str
    index: int
    options: BenchOptions
    isolate: bool = True


#: The selection flags of ``ftgames bench`` and the field of a case each one filters.
FILTERS = (("--instances", "instances", "instance"), ("--formulations", "formulations", "formulation"),
           ("--backends", "backends", "backend"))


class EmptySelection(InputError):
    """The selection flags of ``ftgames bench`` select no case."""


def _matches(value: str, patterns: tuple[str, ...] | None) -> bool:
    return patterns is None or value == "*" or any(fnmatch.fnmatchcase(value, p) for p in patterns)


def selected(item: Case | Skip, options: BenchOptions) -> bool:
    """Whether the selection of ``options`` (globs on instance, formulation, backend; ``max_size``) keeps ``item``."""
    if options.max_size is not None and item.size is not None and item.size > options.max_size:
        return False
    return all(_matches(getattr(item, field), getattr(options, name)) for _, name, field in FILTERS)


def all_items(path: str | Path, options: BenchOptions) -> list[Case | Skip]:
    """Everything the suite yields, before the runner's selection (cached per process; must be deterministic)."""
    key = (str(Path(path).resolve()), options)
    if key not in _CASES:
        suite = load_suite(path)
        for module in suite.warm_imports:
            importlib.import_module(module)
        try:
            _CASES[key] = list(suite.cases(options))
        except Exception as exc:  # noqa: BLE001 - a broken suite is a recorded skip, not a crash
            _CASES[key] = [Skip("*", "*", "*", f"suite enumeration failed: {type(exc).__name__}: {exc}")]
    return _CASES[key]


def suite_items(path: str | Path, options: BenchOptions) -> list[Case | Skip]:
    """The suite's cases and skips that the selection of ``options`` keeps (the order of the suite's)."""
    return [item for item in all_items(path, options) if selected(item, options)]


def check_selection(paths: list[str | Path], options: BenchOptions) -> None:
    """Raise :class:`EmptySelection` naming the flag (and what exists) when the selection keeps no case at all."""
    cases = [i for p in paths for i in all_items(p, options) if isinstance(i, Case)]
    if not cases or any(selected(c, options) for c in cases):
        return
    for flag, name, field in FILTERS:
        patterns = getattr(options, name)
        if patterns is not None and not any(_matches(getattr(c, field), patterns) for c in cases):
            have = sorted({getattr(c, field) for c in cases})
            raise EmptySelection(f"{flag} {','.join(patterns)} selects no case; {name} that exist: "
                                 + ", ".join(have))
    if options.max_size is not None and not any(c.size <= options.max_size for c in cases):
        raise EmptySelection(f"--max-size {options.max_size} selects no case; sizes that exist: "
                             + ", ".join(str(s) for s in sorted({c.size for c in cases})))
    used = [flag for flag, name, _ in FILTERS if getattr(options, name) is not None]
    used += ["--max-size"] * (options.max_size is not None)
    combos = sorted({f"{c.instance} / {c.formulation} / {c.backend}" for c in cases})
    shown = "; ".join(combos[:30]) + (f"; and {len(combos) - 30} more" if len(combos) > 30 else "")
    raise EmptySelection(f"{' and '.join(used)} together select no case; instance / formulation / backend that "
                         f"exist: {shown}")


def relative_error(objective: float | None, reference: float | None) -> float | None:
    """|objective − reference| / max(1, |reference|)."""
    if objective is None or reference is None:
        return None
    return abs(objective - reference) / max(1.0, abs(reference))


def measure(suite: str, case: Case, options: BenchOptions, isolate: bool = True) -> dict[str, Any]:
    """Run ``options.repeats`` times (stopping at the first failure); times are medians over the runs."""
    runner: Callable[[Case, float], RunOutcome] = run_isolated if isolate else run_in_process
    runs: list[RunOutcome] = []
    for _ in range(options.repeats):
        outcome = runner(case, options.time_limit)
        runs.append(outcome)
        if not outcome.ok:
            break
    last = runs[-1]
    error = relative_error(last.objective, case.reference)
    correct = None if not last.ok else (None if case.reference is None else bool(error is not None
                                                                                 and error <= case.tolerance))
    if last.ok and case.reference is not None and last.objective is None:
        correct = False
    return {
        "suite": suite, "instance": case.instance, "size": case.size, "formulation": case.formulation,
        "backend": case.backend, "status": last.status, "certificate": last.certificate, "objective": last.objective,
        "reference": case.reference, "error": error, "correct": correct,
        "build_time": statistics.median(r.build_time for r in runs),
        "solve_time": statistics.median(r.solve_time for r in runs),
        "total_time": statistics.median(r.total_time for r in runs),
        "repeats": len(runs),
        "message": last.message if len(runs) == 1 or last.ok else
        f"run {len(runs)} failed after {len(runs) - 1} good run(s): {last.message}",
        "baseline": case.baseline, "time_limit": options.time_limit,
        **{key: last.stats.get(key) for key in STAT_COLUMNS},
    }


def run_bench_task(task: BenchTask) -> dict[str, Any]:
    """Worker entry point: load the suite, find the case, measure it."""
    suite = load_suite(task.path)
    case = suite_items(task.path, task.options)[task.index]
    if not isinstance(case, Case):
        raise TypeError(f"item {task.index} of suite {suite.name} is not a case")
    return measure(suite.name, case, task.options, task.isolate)


def skip_row(suite: str, skip: Skip) -> dict[str, Any]:
    row = dict.fromkeys(COLUMNS)
    row.update(suite=suite, instance=skip.instance, size=skip.size, formulation=skip.formulation,
               backend=skip.backend, status="skipped", certificate="none", message=skip.reason, repeats=0,
               baseline=False)
    return row


def run_suite(
    path: str | Path,
    options: BenchOptions,
    *,
    executor: str | Executor | None = "serial",
    workers: int | None = None,
    isolate: bool = True,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Every row of one suite: skips, then cases size by size; a series that hits the time limit stops growing.

    Runs are serial by default so that timings are not disturbed by each other; ``executor="local"``/``"dask"``
    spread the cases over workers (a failing task is retried once, then reported as an ``error`` row).
    """
    suite = load_suite(path)
    items = suite_items(path, options)
    rows: list[dict[str, Any]] = []

    def emit(row: dict[str, Any]) -> None:
        row["time_limit"] = options.time_limit
        rows.append(row)
        if on_row is not None:
            on_row(row)

    for item in items:
        if isinstance(item, Skip):
            emit(skip_row(suite.name, item))
    cases = [(i, item) for i, item in enumerate(items) if isinstance(item, Case)]
    own = isinstance(executor, str | None)
    pool: Executor = make_executor(executor, workers) if own else executor  # type: ignore[arg-type,assignment]
    cut: dict[tuple[str, str, str], int] = {}
    try:
        for size in sorted({c.size for _, c in cases}):
            wave = {}
            for index, case in cases:
                if case.size != size:
                    continue
                if case.series in cut:
                    emit(skip_row(suite.name, Skip(case.instance, case.formulation, case.backend,
                                                   f"not run: size {cut[case.series]} already exceeded the "
                                                   f"{options.time_limit:g} s limit", case.size)))
                    continue
                wave[index] = BenchTask(str(Path(path).resolve()), index, options, isolate)
            results: dict[int, dict[str, Any]] = {}
            failures = run_tasks(pool, run_bench_task, wave, retries=1, on_done=results.__setitem__)
            for failure in failures:
                case = items[failure.key]
                assert isinstance(case, Case)
                row = skip_row(suite.name, Skip(case.instance, case.formulation, case.backend, failure.error,
                                                case.size))
                row.update(status="error", repeats=failure.attempts)
                results[failure.key] = row
            for index in sorted(results):
                row = results[index]
                if row["status"] == "time_limit" or (row["total_time"] or 0.0) > options.time_limit:
                    cut[(row["instance"], row["formulation"], row["backend"])] = size
                emit(row)
    finally:
        if own:
            pool.close()
    return rows
