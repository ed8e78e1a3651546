"""Executors: where tasks run.  A serial in-process executor, a local process pool (default) and Dask distributed.

All three expose ``submit(fn, arg) -> future`` and ``as_completed(futures)``; :func:`run_tasks` adds retries and
failure reporting on top, so every executor behaves the same.  Dask distributed was chosen over Ray because it is
pure Python from PyPI (no raylet/GCS binaries to start), starts a local cluster in about two seconds, runs on any
SSH/Kubernetes/HPC cluster through its ``dask-jobqueue``/``dask-kubernetes`` deployments, and needs no changes to
task functions (cloudpickle-serialised plain functions).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed as futures_as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

EXECUTORS = ("serial", "local", "dask")
ENV_EXECUTOR = "FTGAMES_EXECUTOR"
ENV_SCHEDULER = "FTGAMES_DASK_SCHEDULER"


class Executor(Protocol):
    name: str
    workers: int

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any: ...

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Runs each task in this process when submitted (for debugging, tests and one-core machines)."""

    name = "serial"
    workers = 1

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(arg))
        except BaseException as exc:  # noqa: BLE001 - the failure travels in the future like in a pool
            future.set_exception(exc)
        return future

    def as_completed(self, futures: Iterable[Future]) -> Iterator[Future]:
        return iter(list(futures))

    def close(self) -> None:
        pass


def _die_with_parent(parent: int, death_signal: bool = True) -> None:
    """Worker initializer: end this worker when the sweep process ``parent`` dies, however it dies (SIGKILL too).

    On Linux the kernel sends SIGTERM when the parent goes (``prctl(PR_SET_PDEATHSIG)``); everywhere, a daemon
    thread also checks twice a second that the parent is still this worker's parent and exits otherwise.  The death
    signal follows the parent *thread* that started the worker, so it is armed only for pools started by the main
    thread (``death_signal``); the watchdog covers the others."""
    start_ppid = os.getppid()
    if death_signal and sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass  # no prctl: the watchdog below still applies

    def gone() -> bool:
        if os.getppid() != start_ppid:
            return True
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            return True
        except OSError:
            pass  # exists, owned by someone else (cannot happen for our parent; be safe)
        return False

    if gone():  # the parent died before the death signal was armed
        os._exit(1)

    def watch() -> None:
        while not gone():
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="ftgames-sweep-parent-watch", daemon=True).start()


class LocalExecutor:
    """A process pool on this machine, one worker per core by default; the workers die with this process."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # the workers die with this process, even when it is killed (SIGKILL) and cannot shut the pool down
        pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_die_with_parent,
                                   initargs=(os.getpid(), threading.current_thread() is threading.main_thread()))
        pool.submit(int).result()  # start the workers now, before any progress-bar thread exists
        return pool

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Future:
        try:
            return self._pool.submit(fn, arg)
        except BrokenProcessPool:  # a worker died (e.g. killed, out of memory): start a fresh pool and go on
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._start()
            return self._pool.submit(fn, arg)

    def as_completed(self, futures: Iterable[Future]) -> Iterator[Future]:
        return futures_as_completed(list(futures))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Dask distributed: connects to ``scheduler`` (``tcp://host:8786``) or starts a local cluster of ``workers``."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        import dask
        from distributed import Client, LocalCluster

        scheduler = scheduler or os.environ.get(ENV_SCHEDULER) or None
        self._cluster = None
        if scheduler:
            self._client = Client(scheduler)
        else:
            # non-daemonic workers may start child processes (benchmarks isolate each run in one)
            with dask.config.set({"distributed.worker.daemon": False}):
                self._cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                             processes=True, dashboard_address=None)
            self._client = Client(self._cluster)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    def submit(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        return self._client.submit(fn, arg, pure=False)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        from distributed import as_completed

        return iter(as_completed(list(futures)))

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(name: str | None = None, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Executor by name (``serial``, ``local``, ``dask``); ``None`` reads ``FTGAMES_EXECUTOR``, else ``local``."""
    name = name or os.environ.get(ENV_EXECUTOR) or "local"
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if name == "serial":
        return SerialExecutor()
    if name == "local":
        return LocalExecutor(workers)
    if name == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"executor {name!r} unknown; valid: {', '.join(EXECUTORS)}")


@dataclass(frozen=True)
class TaskFailure:
    """A task that still failed after every retry: its key, attempts and the last error with traceback."""

    key: Any
    attempts: int
    error: str
    traceback: str


def run_tasks(
    executor: Executor,
    fn: Callable[[Any], Any],
    tasks: dict[Any, Any],
    *,
    retries: int = 2,
    on_done: Callable[[Any, Any], None] | None = None,
    on_retry: Callable[[Any, int, str], None] | None = None,
) -> list[TaskFailure]:
    """Run ``fn(task)`` for every ``key → task``; a failing task is resubmitted up to ``retries`` times.

    ``on_done(key, result)`` is called in this process as each task finishes (in completion order); the failures
    left after the retries are returned — never dropped.
    """
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    attempts = dict.fromkeys(tasks, 0)
    failures: list[TaskFailure] = []
    pending = {}
    for key, task in tasks.items():
        attempts[key] += 1
        pending[executor.submit(fn, task)] = key
    while pending:
        batch, pending = pending, {}
        for future in executor.as_completed(list(batch)):
            key = batch[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - reported or retried below
                message = f"{type(exc).__name__}: {exc}"
                if attempts[key] <= retries:
                    if on_retry is not None:
                        on_retry(key, attempts[key], message)
                    attempts[key] += 1
                    pending[executor.submit(fn, tasks[key])] = key
                else:
                    trace = "".join(traceback.format_exception(exc))
                    failures.append(TaskFailure(key, attempts[key], message, trace))
                continue
            if on_done is not None:
                on_done(key, result)
    return failures
