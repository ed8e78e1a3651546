"""Running one case with a hard wall-clock limit: in a forked child process that is killed at the deadline."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from dataclasses import replace
from typing import Any

from .case import Case, RunOutcome


def grace_seconds(time_limit: float) -> float:
    """The child is killed this long after the time limit (the solver is also given the limit and should stop
    first): 20 % of the limit, at least half a second."""
    return max(0.5, 0.2 * time_limit)


def _timed(case: Case, time_limit: float) -> RunOutcome:
    """``case.run`` with the runner's own wall clock around it, whatever the formulation reports."""
    start = time.perf_counter()
    outcome = case.run(time_limit)
    return replace(outcome, wall_time=time.perf_counter() - start)


def _child(case: Case, time_limit: float, conn: Any) -> None:
    os.setpgrp()  # own process group: a kill at the deadline also reaches any processes the case started
    try:
        conn.send(("ok", _timed(case, time_limit)))
    except BaseException as exc:  # noqa: BLE001 - everything is reported to the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    finally:
        conn.close()


def run_in_process(case: Case, time_limit: float) -> RunOutcome:
    """Run in this process; an exception becomes an ``error`` outcome (no hard limit: the solver's limit only)."""
    start = time.perf_counter()
    try:
        return _timed(case, time_limit)
    except Exception as exc:  # noqa: BLE001
        return RunOutcome("error", "none", solve_time=time.perf_counter() - start,
                          message=f"{type(exc).__name__}: {exc}")


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def run_isolated(case: Case, time_limit: float) -> RunOutcome:
    """Run in a forked child; past ``time_limit`` + grace it is killed and the run is a ``time_limit``."""
    if not can_fork():
        return run_in_process(case, time_limit)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    start = time.perf_counter()
    # not a daemon, so that a case may start its own workers (a process pool, a Dask cluster)
    process = ctx.Process(target=_child, args=(case, time_limit, child), daemon=False)
    process.start()
    child.close()
    deadline = time_limit + grace_seconds(time_limit)
    message = None
    if parent.poll(deadline):
        try:
            message = parent.recv()
        except EOFError:
            message = None
    elapsed = time.perf_counter() - start
    if process.is_alive():
        _kill_group(process.pid)
    process.join()
    parent.close()
    if message is None:
        if elapsed >= deadline:
            return RunOutcome("time_limit", "none", solve_time=elapsed,
                              message=f"killed after {elapsed:.1f} s (limit {time_limit:g} s)")
        return RunOutcome("error", "none", solve_time=elapsed,
                          message=f"worker process died (exit code {process.exitcode})")
    if message[0] == "ok":
        return message[1]
    return RunOutcome("error", "none", solve_time=elapsed, message=message[1])
