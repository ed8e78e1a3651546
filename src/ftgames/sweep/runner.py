"""Running a sweep: grid → chunks → executor → chunk files, resumable, with progress and failure reporting."""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import sys
import time
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..io.gamefile import GameFile, load_game_file
from .evaluate import ChunkTask, evaluate_chunk, has_solve_batch
from .executors import Executor, TaskFailure, make_executor, run_tasks
from .grid import Grid
from .params import ParameterAxis, SweepError, parse_axis
from .storage import FORMATS, ChunkStore, folder_lock, load_results

#: Keys of an optional ``[sweep]`` table in the game file (removed before the game is solved).
SWEEP_TABLE_KEYS = ("executor", "workers", "scheduler", "chunk_size", "format", "retries")
MAX_DEFAULT_CHUNK = 1000


@dataclass
class SweepResult:
    """What a run did: points and chunks in the grid, how many were already on disk, and the failures."""

    out: Path
    points: int
    chunks: int
    resumed_chunks: int
    computed_chunks: int
    failures: list[TaskFailure] = field(default_factory=list)
    elapsed: float = 0.0
    executor: str = ""

    @property
    def ok(self) -> bool:
        return not self.failures

    def frame(self) -> pd.DataFrame:
        return load_results(self.out)


def default_chunk_size(points: int) -> int:
    """About 64 chunks (depends only on the grid, so a resumed run chunks the same way), at most 1000 points."""
    return max(1, min(MAX_DEFAULT_CHUNK, math.ceil(points / 64)))


def _sweep_table(file: GameFile) -> dict[str, Any]:
    table = file.data.get("sweep", {})
    if not isinstance(table, dict):
        raise file.error("sweep", "must be a table")
    unknown = sorted(set(table) - set(SWEEP_TABLE_KEYS))
    if unknown:
        raise file.error("sweep", f"unknown key(s) {', '.join(unknown)}; valid: {', '.join(SWEEP_TABLE_KEYS)}")
    return table


def _front_end_module(file: GameFile) -> str:
    """The importable module holding the file's front end as ``FRONT_END`` (workers import it by name)."""
    from ..games import front_end

    fe = front_end(file)
    name = type(fe).__module__
    if getattr(importlib.import_module(name), "FRONT_END", None) is fe:
        return name
    # the instance may live in another module than its class (a subclass defined once, instances exposed by
    # several small modules): look for the imported module that exposes this very object
    # (read each module's own namespace: sys.modules also holds lazy stand-ins whose attribute access raises)
    for module_name, module in list(sys.modules.items()):
        if (module_name != "__main__" and isinstance(module, types.ModuleType)
                and vars(module).get("FRONT_END") is fe):
            return module_name
    raise SweepError(f"game {fe.name!r}: no imported module exposes its front end as FRONT_END (its class is "
                     f"defined in {name})")


def _fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def run_sweep(
    game: str | Path | GameFile,
    params: Sequence[str | ParameterAxis],
    *,
    out: str | Path,
    where: Sequence[str] = (),
    executor: str | Executor | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    fmt: str | None = None,
    retries: int | None = None,
    formulation: str | None = None,
    solver: str | None = None,
    overwrite: bool = False,
    progress: bool = False,
    reuse: bool = True,
) -> SweepResult:
    """Solve the game at every grid point and store the rows in ``out``; finished chunks of an earlier run are kept.

    Settings come from, lowest to highest: defaults, the game file's ``[sweep]`` table, ``FTGAMES_EXECUTOR``, the
    arguments.  Returns a :class:`SweepResult`; its ``frame()`` reads every stored row.  ``reuse=False`` builds
    every point's program afresh instead of re-solving one program per chunk (the rows are the same but for their
    timings; see :func:`ftgames.formulations.parametric.reuse_programs`).
    """
    file = game if isinstance(game, GameFile) else load_game_file(game)
    table = _sweep_table(file)
    data = {k: v for k, v in file.data.items() if k != "sweep"}
    module = _front_end_module(file)

    batched = has_solve_batch(importlib.import_module(module).FRONT_END)
    axes = [p if isinstance(p, ParameterAxis) else parse_axis(p) for p in params]
    for axis in axes:
        axis.check_against(data, allow_missing=batched)
    grid = Grid.build(axes, where)
    indices = grid.point_indices()
    if len(indices) == 0:
        raise SweepError("the constraints leave no grid point to solve")

    fmt = fmt or table.get("format", "parquet")
    if fmt not in FORMATS:
        raise SweepError(f"format {fmt!r} unknown; valid: {', '.join(FORMATS)}")
    chunk_size = chunk_size or table.get("chunk_size") or default_chunk_size(len(indices))
    if int(chunk_size) != chunk_size or chunk_size < 1:
        raise SweepError(f"chunk size must be an integer >= 1, got {chunk_size}")
    chunk_size = int(chunk_size)
    retries = table.get("retries", 2) if retries is None else retries
    if retries < 0:
        raise SweepError(f"retries must be >= 0, got {retries}")

    spec = {"game": data.get("game"), "module": module, "data_sha256": _fingerprint(data), "grid": grid.to_dict(),
            "points": int(len(indices)), "chunk_size": chunk_size, "format": fmt, "formulation": formulation,
            "solver": solver}
    _probe(ChunkTask(-1, module, file.path, file.text, data, (int(indices[0]),), tuple(grid.points(indices[:1])),
                     formulation, solver, reuse), retries)
    with folder_lock(out):  # held for the whole run; refused at once if another sweep writes to this --out
        store = ChunkStore(out, fmt)
        manifest = store.open(spec, overwrite=overwrite)
        chunks = [indices[i:i + chunk_size] for i in range(0, len(indices), chunk_size)]
        finished = set(store.finished_chunks())
        manifest["done"] = sorted(finished)
        tasks = {
            c: ChunkTask(c, module, file.path, file.text, data, tuple(int(i) for i in idx), tuple(grid.points(idx)),
                         formulation, solver, reuse)
            for c, idx in enumerate(chunks) if c not in finished
        }
        start = time.perf_counter()
        given = not isinstance(executor, str | None)  # an executor object from the caller: the caller closes it
        runner: Executor = executor if given else make_executor(  # type: ignore[assignment]
            executor or os.environ.get("FTGAMES_EXECUTOR") or table.get("executor"),
            workers or table.get("workers"), scheduler or table.get("scheduler"))
        try:
            failures = _run_with_progress(runner, tasks, store, manifest, chunks, retries, progress)
        finally:
            if not given:
                runner.close()
        return SweepResult(Path(out), int(len(indices)), len(chunks), len(finished), len(tasks) - len(failures),
                           failures, time.perf_counter() - start, runner.name)


def _probe(task: ChunkTask, retries: int) -> None:
    """Solve the first point here (with the same retries as a chunk) before launching anything, so that a bad key,
    formulation or solver fails once, clearly, instead of in every chunk."""
    for attempt in range(retries + 1):
        try:
            evaluate_chunk(task)
            return
        except Exception as exc:  # noqa: BLE001 - re-raised as a clear error
            if attempt == retries:
                raise SweepError(f"the first grid point {task.points[0]} cannot be solved: "
                                 f"{type(exc).__name__}: {exc}") from exc


def _run_with_progress(runner: Executor, tasks: dict[int, ChunkTask], store: ChunkStore, manifest: dict[str, Any],
                       chunks: list[np.ndarray], retries: int, progress: bool) -> list[TaskFailure]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    total = sum(len(c) for c in chunks)
    already = total - sum(len(t.indices) for t in tasks.values())
    console = Console(stderr=True)
    bar = Progress(TextColumn(f"sweep [{runner.name} ×{runner.workers}]"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("points"), TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                   disable=not progress)

    def done(chunk: int, rows: list[dict[str, Any]]) -> None:
        store.write_chunk(chunk, rows)
        manifest["done"] = sorted({*manifest["done"], chunk})
        store.write_manifest(manifest)
        bar.advance(task_id, len(rows))

    def retry(chunk: int, attempt: int, message: str) -> None:
        if progress:
            console.print(f"[yellow]chunk {chunk} failed (attempt {attempt}), retrying: {message}")

    with bar:
        task_id = bar.add_task("sweep", total=total, completed=already)
        failures = run_tasks(runner, evaluate_chunk, tasks, retries=retries, on_done=done, on_retry=retry)
    manifest["failed"] = {str(f.key): {"attempts": f.attempts, "error": f.error, "traceback": f.traceback,
                                       "points": [int(i) for i in chunks[f.key]]} for f in failures}
    store.write_manifest(manifest)
    return failures
