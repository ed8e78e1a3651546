"""Evaluating one chunk of grid points through a game front end (runs inside a worker process).

A front end may offer ``solve_batch(file, points, request) -> list[dict]`` (one flat row of scalars per point,
solved in bulk); otherwise each point is solved with ``solve`` on a copy of the file with the point's values set,
and its report (outcomes and game extras) is flattened into one row.  Points are evaluated inside a
``reuse_programs`` scope with one cache per worker process, so numerical formulations re-solve one built program per
worker (``--no-reuse``: off).
"""

from __future__ import annotations

import copy
import importlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..io.gamefile import GameFile
from .params import set_value

#: Column holding a point's number in the full grid.
POINT_COLUMN = "point"
#: Report keys that describe the run rather than the point (left out of sweep rows).
REPORT_ONLY_KEYS = ("schema", "game", "file", "parameters", "request")
#: Prefix given to a result column whose name collides with a swept parameter or the point column.
RESULT_PREFIX = "out."


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs: picklable, and independent of the parent's game registry."""

    chunk: int
    module: str  # importable module exposing the game's front end as FRONT_END
    path: str
    text: str
    data: dict[str, Any]
    indices: tuple[int, ...]
    points: tuple[dict[str, float], ...]
    formulation: str | None = None
    solver: str | None = None
    reuse: bool = True  # re-solve the programs built for earlier points of the chunk (reuse_programs)


def flatten(report: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists → one flat row: ``{"gamma[0][1]": 0.25, "outcome.U_G": 0.375, ...}``."""
    row: dict[str, Any] = {}
    if isinstance(report, dict):
        for key, value in report.items():
            row.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(report, list | tuple) or (isinstance(report, np.ndarray) and report.ndim > 0):
        for i, value in enumerate(report):
            row.update(flatten(value, f"{prefix}[{i}]"))
    else:
        row[prefix or "value"] = scalar(report)
    return row


def scalar(value: Any) -> Any:
    """Numpy scalars to Python; strings, bools, numbers and None pass; anything else becomes its string."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def has_solve_batch(fe: Any) -> bool:
    """Whether a front end offers the bulk path (a subclass may switch it off with ``solve_batch = None``)."""
    return callable(getattr(fe, "solve_batch", None))


def point_file(task: ChunkTask, point: dict[str, float]) -> GameFile:
    """A copy of the task's game file with the point's values set."""
    data = copy.deepcopy(task.data)
    for key, value in point.items():
        set_value(data, key, value)
    return GameFile(task.path, task.text, data)


def evaluate_chunk(task: ChunkTask) -> list[dict[str, Any]]:
    """Rows for the chunk's points, in the chunk's order; each row starts with the point number and its values.

    With ``task.reuse`` the chunk is evaluated inside a :func:`ftgames.formulations.parametric.reuse_programs`
    scope whose cache the worker process keeps across its chunks: a numerical formulation with a parametric program
    (KKT equilibria, conic bargaining) builds it once per worker and re-solves it, with the new point's data written
    into its parameters, at every other point."""
    from ..formulations.parametric import reuse_programs

    with reuse_programs(enabled=task.reuse, cache=worker_cache() if task.reuse else None):
        return _evaluate(task)


_WORKER_CACHE: list[Any] = []  # this process's ProgramCache, created by its first chunk


def worker_cache() -> Any:
    """The programs this process built for earlier chunks (at most 8, least recently used dropped first)."""
    if not _WORKER_CACHE:
        from ..formulations.parametric import ProgramCache

        _WORKER_CACHE.append(ProgramCache())
    return _WORKER_CACHE[0]


def _evaluate(task: ChunkTask) -> list[dict[str, Any]]:
    fe = importlib.import_module(task.module).FRONT_END
    file = GameFile(task.path, task.text, task.data)
    points = [dict(p) for p in task.points]
    if has_solve_batch(fe):
        raw = list(fe.solve_batch(file, points, fe.request(file, formulation=task.formulation, solver=task.solver)))
        if len(raw) != len(points):
            raise RuntimeError(f"{task.module}.FRONT_END.solve_batch returned {len(raw)} rows for {len(points)} "
                               "points")
        results = [flatten(r) for r in raw]
    else:
        results = []
        for p in points:
            single = point_file(task, p)
            report = fe.solve(single, fe.request(single, formulation=task.formulation, solver=task.solver))
            results.append(flatten({k: v for k, v in report.items() if k not in REPORT_ONLY_KEYS}))
    rows = []
    for index, point, result in zip(task.indices, points, results, strict=True):
        row: dict[str, Any] = {POINT_COLUMN: int(index), **point}
        for key, value in result.items():
            if key in point and value == point[key]:
                continue  # the front end echoed the point
            row[RESULT_PREFIX + key if key in row else key] = value
        rows.append(row)
    return rows

