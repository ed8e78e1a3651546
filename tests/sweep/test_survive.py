"""Sweeps that survive people (issue 11): a lock on --out, pool workers that die with the sweep, matrix-entry keys."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from ftgames.cli import main
from ftgames.sweep import run_sweep
from ftgames.sweep.params import SweepError, get_dotted, parse_axis, set_value
from ftgames.sweep.storage import LOCK, ChunkStore, folder_lock

ROOT = Path(__file__).resolve().parents[2]
SAFETY = ROOT / "examples" / "safety_backfiring.toml"
PARAMS = ["specialists[0].cost=1,2", "bargaining.delta=0.25,0.75"]


# ------------------------------------------------------------------------------------------------ 1. the lock
def test_second_writer_is_refused_at_once_naming_out(toy_file, tmp_path):
    game, out = toy_file(), tmp_path / "sweep"
    with folder_lock(out):
        start = time.perf_counter()
        with pytest.raises(SweepError, match=rf"another sweep \(pid {os.getpid()}\) is writing to .*sweep"):
            run_sweep(game, PARAMS, out=out, executor="serial")
        assert time.perf_counter() - start < 5
        assert not (out / "manifest.json").exists()  # the refused run wrote nothing
    result = run_sweep(game, PARAMS, out=out, executor="serial")  # released: the run goes ahead
    assert result.ok and result.computed_chunks == result.chunks
    assert (out / LOCK).read_text() == ""  # released when the run ended
    with folder_lock(out):  # and can be taken again
        pass


def test_cli_refuses_second_writer_with_exit_2(toy_file, tmp_path, capsys):
    game, out = toy_file(), tmp_path / "sweep"
    argv = ["sweep", str(game), "--param", PARAMS[0], "--out", str(out), "--executor", "serial", "--no-progress"]
    with folder_lock(out):
        code = main(argv)
    assert code == 2
    err = capsys.readouterr().err
    assert "ftgames: error:" in err and f"another sweep (pid {os.getpid()}) is writing to {out}" in err


def test_lock_held_by_another_process_is_released_when_it_dies(tmp_path):
    out = tmp_path / "sweep"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from ftgames.sweep.storage import folder_lock\n"
                               f"with folder_lock({str(out)!r}):\n    print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(SweepError, match=rf"another sweep \(pid {holder.pid}\) is writing to"):
            with folder_lock(out):
                pass
    finally:
        holder.kill()
        holder.wait()
    with folder_lock(out):  # the kernel released the dead holder's lock
        pass


def test_manifest_write_leaves_no_temporary_files(tmp_path):
    store = ChunkStore(tmp_path / "s")
    for i in range(3):
        store.write_manifest({"spec": {}, "done": [i], "failed": {}})
    assert [p.name for p in (tmp_path / "s").iterdir()] == ["manifest.json"]
    assert store.read_manifest()["done"] == [2]


# ------------------------------------------------------------------------------------------------ 2. workers
def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return not any(line.startswith("State:") and ("Z" in line.split()[1] or "X" in line.split()[1])
                   for line in status.splitlines())


SCRIPT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    os.environ["FTGAMES_TEST_PARENT_PID"] = str(os.getpid())
    from ftgames import games
    from ftgames.sweep import run_sweep
    from tests.sweep.toy_games import GAME_TOML
    from tests.sweep.toy_slow import FRONT_END
    games.GAMES["toy"] = FRONT_END
    tmp = Path(sys.argv[1])
    (tmp / "toy.toml").write_text(GAME_TOML)
    run_sweep(tmp / "toy.toml", ["bargaining.delta=0.1,0.2,0.3,0.4"], out=tmp / "out", executor="local",
              workers=2, chunk_size=1)
""")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_local_workers_die_when_the_sweep_is_killed(tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    env = {**os.environ, "FTGAMES_TEST_PID_DIR": str(pids), "PYTHONPATH": str(ROOT)}
    sweep = subprocess.Popen([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            assert sweep.poll() is None, sweep.stderr.read().decode()
            workers = {int(p.name) for p in pids.iterdir()} - {sweep.pid}
            time.sleep(0.05)
        assert len(workers) == 2, "the two pool workers did not start solving"
        assert all(_alive(pid) for pid in workers)
    finally:
        sweep.send_signal(signal.SIGKILL)
        sweep.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leak them whatever the outcome
        os.kill(pid, signal.SIGKILL)
    assert not left, f"worker processes {left} outlived the killed sweep"
    with folder_lock(tmp_path / "out"):  # and nothing holds the folder any more
        pass


# ------------------------------------------------------------------------------------------------ 3. matrix keys
def test_repeated_indices_parse_get_and_set():
    data = {"specialists": [{"cost": [[1, 0], [0, 1]]}]}
    assert parse_axis("specialists[0].cost[0][1]=0:0.2:3").values == (0.0, 0.1, 0.2)
    set_value(data, "specialists[0].cost[0][1]", 0.5)
    assert data == {"specialists": [{"cost": [[1, 0.5], [0, 1]]}]}
    assert get_dotted(data, "specialists[0].cost[1][1]") == 1
    with pytest.raises(SweepError, match=r"'specialists\[0\]\.cost\[0\]\[2\]'.*cost\[0\] has no element 2"):
        get_dotted(data, "specialists[0].cost[0][2]")
    with pytest.raises(SweepError, match=r"'specialists\[0\]\.cost\[2\]\[0\]'.*cost has no element 2"):
        set_value(data, "specialists[0].cost[2][0]", 1.0)
    with pytest.raises(SweepError, match=r"cost\[0\]\[1\] is not a list"):
        get_dotted(data, "specialists[0].cost[0][1][0]")


def test_safety_matrix_entry_sweep(tmp_path):
    """``specialists[0].cost[1][1]`` (a diagonal entry, so the matrix stays symmetric) through the safety front end's
    solve_batch: equals solving the file with that entry written in."""
    result = run_sweep(SAFETY, ["specialists[0].cost[1][1]=1,2", "regulation.theta_D=0.3,0.4"],
                       out=tmp_path / "list", executor="serial", chunk_size=4)
    frame = result.frame()
    assert result.ok and list(frame["specialists[0].cost[1][1]"]) == [1.0, 1.0, 2.0, 2.0]
    for c11 in (1, 2):
        game = tmp_path / f"c{c11}.toml"
        text = SAFETY.read_text()
        i = text.index("[[specialists]]")
        game.write_text(text[:i] + text[i:].replace("cost = [[1, 0], [0, 1]]", f"cost = [[1, 0], [0, {c11}]]", 1))
        ref = run_sweep(game, ["regulation.theta_D=0.3,0.4"], out=tmp_path / f"ref{c11}", executor="serial").frame()
        rows = frame[frame["specialists[0].cost[1][1]"] == c11].reset_index(drop=True)
        for column in ("alpha0", "beta0", "alpha_1", "beta_1", "U_G", "U_D_1", "classification"):
            assert list(rows[column]) == list(ref[column]), column
    assert frame.loc[frame["specialists[0].cost[1][1]"] == 2, "beta_1"].iloc[0] != frame["beta_1"].iloc[0]


def test_safety_off_diagonal_entry_needs_the_table_form(tmp_path):
    """An off-diagonal entry of the list form makes the matrix asymmetric: the model says so; the table form
    ``{aa, ab, bb}`` sweeps the cross term and keeps the matrix symmetric."""
    with pytest.raises(SweepError, match=r"cannot be solved.*specialists\[0\]\.cost.*must be symmetric"):
        run_sweep(SAFETY, ["specialists[0].cost[0][1]=0.2"], out=tmp_path / "asym", executor="serial")
    with pytest.raises(SweepError, match=r"'specialists\[0\]\.cost\[0\]\[2\]'.*cost\[0\] has no element 2"):
        run_sweep(SAFETY, ["specialists[0].cost[0][2]=0.2"], out=tmp_path / "range", executor="serial")
    text = SAFETY.read_text()
    i = text.index("[[specialists]]")
    table = tmp_path / "table.toml"
    table.write_text(text[:i] + text[i:].replace("cost = [[1, 0], [0, 1]]", "cost = {aa = 1, ab = 0, bb = 1}", 1))
    frame = run_sweep(table, ["specialists[0].cost.ab=0,0.2"], out=tmp_path / "tab", executor="serial").frame()
    assert list(frame["specialists[0].cost.ab"]) == [0.0, 0.2]
    assert not np.isclose(frame["beta0"].iloc[0], frame["beta0"].iloc[1])
