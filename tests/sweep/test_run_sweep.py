from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ftgames.cli import main
from ftgames.sweep import SweepError, load_results, run_sweep

from .toy_games import closed_form

PARAMS = ["bargaining.delta=0.1:0.9:9", "specialists[0].cost=1,2"]
#: Columns of a per-point row (the flattened report) holding the reference quantities.
U_G, U_D = "outcomes.fixed.U_G", "outcomes.fixed.U_D[0]"


def without_timing(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns a re-run must reproduce exactly: all but the wall-clock ``timing`` of each outcome and stage."""
    timing = [c for c in frame.columns if ".timing." in c]
    assert all((frame[c] >= 0).all() for c in timing)
    return frame.drop(columns=timing)


def expected_frame() -> pd.DataFrame:
    rows = []
    for point, (delta, c1) in enumerate((d, c) for d in np.linspace(0.1, 0.9, 9) for c in (1.0, 2.0)):
        ref = closed_form(1.0, c1, 1.0, delta)
        rows.append({"point": point, "bargaining.delta": delta, "specialists[0].cost": c1, "U_G": ref["U_G"],
                     "U_D": ref["U_D"]})
    return pd.DataFrame(rows)


def test_sweep_through_solve_game_matches_closed_form(toy_file, tmp_path):
    path = toy_file("tests.sweep.toy_single")
    result = run_sweep(path, PARAMS, out=tmp_path / "out", executor="serial", chunk_size=4)
    assert result.ok and result.points == 18 and result.chunks == 5
    frame = result.frame()
    want = expected_frame()
    assert list(frame["point"]) == list(range(18))
    np.testing.assert_allclose(frame[["bargaining.delta", "specialists[0].cost", U_G, U_D]].to_numpy(),
                               want[["bargaining.delta", "specialists[0].cost", "U_G", "U_D"]].to_numpy())
    # the report was flattened: lists get [i], nested tables get dotted names
    assert {"outcomes.fixed.alpha0", "outcomes.fixed.alpha[0]", "outcomes.fixed.regimes[0]",
            "outcomes.fixed.certificate.level", "outcomes.fixed.timing.total_s", "outcomes.fixed.stages[0].stage",
            "convention"} <= set(frame.columns)
    assert set(frame["outcomes.fixed.regimes[0]"]) == {"contribute"}
    np.testing.assert_allclose(frame["outcomes.fixed.delta[0]"], frame["bargaining.delta"])
    # what describes the run rather than the point (schema, game, file, parameters, request) is left out
    assert not [c for c in frame.columns if c.split(".")[0] in ("schema", "game", "file", "parameters", "request")]


def test_solve_batch_is_used_when_offered_and_csv_works(toy_file, tmp_path):
    path = toy_file("tests.sweep.toy_batch")
    result = run_sweep(path, PARAMS, out=tmp_path / "out", executor="serial", chunk_size=5, fmt="csv")
    frame = load_results(result.out)
    assert "alpha1" in frame.columns and U_G not in frame.columns  # rows came from solve_batch
    np.testing.assert_allclose(frame["U_G"], expected_frame()["U_G"])
    assert sorted(p.name for p in (result.out / "chunks").iterdir())[0] == "chunk-000000.csv"


def test_interrupted_sweep_resumes_and_loses_nothing(toy_file, tmp_path):
    path = toy_file()
    out = tmp_path / "out"
    first = run_sweep(path, PARAMS, out=out, executor="serial", chunk_size=4)
    before = first.frame()
    # simulate an interruption: two chunks never finished, one was being written
    (out / "chunks" / "chunk-000001.parquet").unlink()
    (out / "chunks" / "chunk-000004.parquet").rename(out / "chunks" / "chunk-000004.parquet.tmp")
    again = run_sweep(path, PARAMS, out=out, executor="serial", chunk_size=4)
    assert again.resumed_chunks == 3 and again.computed_chunks == 2
    after = again.frame()
    pd.testing.assert_frame_equal(without_timing(after), without_timing(before))
    kept = ~after["point"].isin([4, 5, 6, 7, 16, 17])  # chunks 0, 2, 3 were not recomputed: rows identical
    pd.testing.assert_frame_equal(after[kept], before[kept])
    assert json.loads((out / "manifest.json").read_text())["done"] == [0, 1, 2, 3, 4]


def test_resuming_a_different_sweep_is_refused(toy_file, tmp_path):
    path = toy_file()
    out = tmp_path / "out"
    run_sweep(path, PARAMS, out=out, executor="serial")
    with pytest.raises(SweepError, match="different sweep"):
        run_sweep(path, ["bargaining.delta=0.1:0.9:5"], out=out, executor="serial")
    result = run_sweep(path, ["bargaining.delta=0.1:0.9:5"], out=out, executor="serial", overwrite=True)
    assert len(result.frame()) == 5


def test_failures_are_retried_reported_and_resumable(toy_file, tmp_path, monkeypatch):
    path = toy_file("tests.sweep.toy_flaky")
    monkeypatch.setenv("FTGAMES_TEST_FLAKY_DIR", str(tmp_path))
    out = tmp_path / "out"
    result = run_sweep(path, ["bargaining.delta=0.1:0.9:9"], out=out, executor="serial", chunk_size=1, retries=1)
    # every point fails once (transient, retried); delta = 0.7 (point 6) always fails
    assert [f.key for f in result.failures] == [6]
    assert result.failures[0].attempts == 2 and "delta = 0.7 is a bad point" in result.failures[0].error
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["failed"]["6"]["points"] == [6]
    assert len(result.frame()) == 8  # finished chunks kept
    monkeypatch.setenv("FTGAMES_TEST_ALLOW_BAD", "1")
    again = run_sweep(path, ["bargaining.delta=0.1:0.9:9"], out=out, executor="serial", chunk_size=1, retries=1)
    assert again.ok and again.computed_chunks == 1
    assert list(again.frame()["point"]) == list(range(9))


def test_local_pool_gives_identical_results(toy_file, tmp_path):
    path = toy_file("tests.sweep.toy_single")
    serial = run_sweep(path, PARAMS, out=tmp_path / "serial", executor="serial", chunk_size=3).frame()
    pooled = run_sweep(path, PARAMS, out=tmp_path / "local", executor="local", workers=2, chunk_size=3)
    assert pooled.executor == "local"
    pd.testing.assert_frame_equal(without_timing(pooled.frame()), without_timing(serial))


def test_sweep_table_in_game_file_sets_defaults(toy_file, tmp_path):
    path = toy_file()
    path.write_text(path.read_text() + '\n[sweep]\nexecutor = "serial"\nchunk_size = 7\nformat = "csv"\n')
    result = run_sweep(path, PARAMS, out=tmp_path / "out")
    assert result.executor == "serial" and result.chunks == 3
    assert (result.out / "chunks" / "chunk-000000.csv").exists()
    path.write_text(path.read_text() + "bogus = 1\n")
    with pytest.raises(ValueError, match="sweep: unknown key"):
        run_sweep(path, PARAMS, out=tmp_path / "out2")


def test_cli_sweep(toy_file, tmp_path, capsys):
    path = toy_file()
    out = tmp_path / "cli"
    code = main(["sweep", str(path), "--param", "bargaining.delta=0:1:11", "--param", "specialists[0].cost=1,2,4",
                 "--where", "bargaining.delta <= 0.5 * specialists[0].cost", "--out", str(out),
                 "--executor", "serial", "--chunk-size", "4", "--no-progress"])
    assert code == 0
    frame = load_results(out)
    assert len(frame) == 6 + 11 + 11
    assert (frame["bargaining.delta"] <= 0.5 * frame["specialists[0].cost"] + 1e-9).all()
    assert "28 points" in capsys.readouterr().out


def test_cli_reports_bad_parameters(toy_file, tmp_path, capsys):
    path = toy_file()
    code = main(["sweep", str(path), "--param", "regulation.theta=0:1:3", "--out", str(tmp_path / "x")])
    assert code == 2
    assert "key 'regulation' not found" in capsys.readouterr().err
