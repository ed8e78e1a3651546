"""The distributed path against a two-worker Dask cluster started here."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from ftgames.sweep import DaskExecutor, run_sweep, run_tasks

from .test_run_sweep import PARAMS, without_timing


@pytest.fixture(scope="module")
def flaky_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("flaky")


@pytest.fixture(scope="module")
def dask_executor(flaky_dir):
    """Two local worker processes; they inherit the environment as it is when they start."""
    saved = os.environ.get("FTGAMES_TEST_FLAKY_DIR")
    os.environ["FTGAMES_TEST_FLAKY_DIR"] = str(flaky_dir)
    executor = DaskExecutor(workers=2)
    yield executor
    executor.close()
    if saved is None:
        del os.environ["FTGAMES_TEST_FLAKY_DIR"]
    else:
        os.environ["FTGAMES_TEST_FLAKY_DIR"] = saved


def test_dask_results_identical_to_serial(dask_executor, toy_file, tmp_path):
    path = toy_file("tests.sweep.toy_single")
    serial = run_sweep(path, PARAMS, out=tmp_path / "serial", executor="serial", chunk_size=3).frame()
    distributed = run_sweep(path, PARAMS, out=tmp_path / "dask", executor=dask_executor, chunk_size=3)
    assert distributed.executor == "dask" and dask_executor.workers == 2
    pd.testing.assert_frame_equal(without_timing(distributed.frame()), without_timing(serial))


def test_dask_failures_are_retried_and_reported(dask_executor, toy_file, tmp_path):
    path = toy_file("tests.sweep.toy_flaky")
    result = run_sweep(path, ["bargaining.delta=0.5,0.6,0.7"], out=tmp_path / "out", executor=dask_executor,
                       chunk_size=1, retries=1)
    # each point fails once on a worker and succeeds when retried; 0.7 fails every time and is reported
    assert [f.key for f in result.failures] == [2]
    assert "delta = 0.7 is a bad point" in result.failures[0].error
    assert list(result.frame()["point"]) == [0, 1]


def _square_or_fail(x: int) -> int:
    if x == 3:
        raise ArithmeticError("three")
    return x * x


def test_run_tasks_on_dask_keeps_every_result_and_failure(dask_executor):
    done = {}
    failures = run_tasks(dask_executor, _square_or_fail, {i: i for i in range(6)}, retries=2,
                         on_done=done.__setitem__)
    assert done == {0: 0, 1: 1, 2: 4, 4: 16, 5: 25}
    assert len(failures) == 1 and failures[0].key == 3 and failures[0].attempts == 3
    assert "ArithmeticError: three" in failures[0].error
