from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ftgames.bench import BenchOptions, RunOutcome, available_suites, markdown, plot_time_vs_size, run_suite
from ftgames.bench.report import cell
from ftgames.cli import main

HERE = Path(__file__).parent
OPTIONS = BenchOptions(time_limit=0.5, repeats=2)


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("suites")
    shutil.copy(HERE / "toy_suite.py", folder / "toy.py")
    return folder


@pytest.fixture(scope="module")
def rows(suite_dir) -> list[dict]:
    return run_suite(suite_dir / "toy.py", OPTIONS)


def by(rows, formulation, size=None):
    return [r for r in rows if r["formulation"] == formulation and (size is None or r["size"] == size)]


def test_suite_files_are_discovered(suite_dir):
    assert available_suites(suite_dir) == ["toy"]


def test_correct_runs_are_timed_with_median_and_checked_against_the_reference(rows):
    for formulation in ("closed_form", "conic"):
        for row in by(rows, formulation):
            assert row["status"] == "optimal" and row["certificate"] == "global"
            assert row["correct"] is True and row["error"] < 1e-6
            assert row["repeats"] == 2
            assert row["total_time"] >= row["build_time"] + row["solve_time"] - 1e-9  # wall clock: never less


def test_wrong_answers_are_reported_with_their_error(rows):
    for row in by(rows, "wrong"):
        assert row["correct"] is False
        assert row["error"] == pytest.approx(0.5 / max(1.0, row["reference"]))


def test_the_runner_measures_wall_clock_whatever_the_case_reports(rows):
    for row in by(rows, "wrong"):  # sleeps 50 ms, reports 0.1 ms
        assert row["solve_time"] == pytest.approx(1e-4) and row["total_time"] >= 0.05


def test_a_slow_run_is_killed_and_larger_sizes_are_not_attempted(rows):
    assert by(rows, "sleepy", 1)[0]["certificate"] == "local"
    timed_out = by(rows, "sleepy", 10)[0]
    assert timed_out["status"] == "time_limit" and timed_out["repeats"] == 1
    assert timed_out["total_time"] < 5
    skipped = by(rows, "sleepy", 100)[0]
    assert skipped["status"] == "skipped" and "size 10 already exceeded" in skipped["message"]


def test_crashes_and_missing_modules_are_rows_not_silence(rows):
    for row in by(rows, "crash"):
        assert row["status"] == "error" and "ZeroDivisionError: crash on purpose" in row["message"]
    future = by(rows, "future")
    assert future[0]["status"] == "skipped" and future[0]["message"] == "module not there yet"


def test_report_shows_time_if_correct_else_the_error(rows, tmp_path):
    text = markdown(rows)
    assert "| instance | size | formulation / backend | result | certificate |" in text  # the long table
    assert "| projection | 10 | conic / clarabel | " in text and "| projection | 10 | wrong / none | ✗ error" in text
    assert "✗ error 5.0e-01" in text and "✗ time_limit" in text and "✗ error" in text
    assert "| formulation / backend | attempted | solved | wrong | certified global | shifted geomean |" in text
    assert "Performance profile ρ(τ)" in text
    assert "conic / clarabel |" in text and "median time ÷ closed_form (same games)" in text
    ok_row = by(rows, "conic", 10)[0]
    assert cell(ok_row).endswith(("ms", " s"))
    paths = plot_time_vs_size(rows, tmp_path)
    assert [p.name for p in paths] == ["toy_time_vs_size.png"] and paths[0].stat().st_size > 10_000


def test_cli_writes_csv_json_report_and_plots(suite_dir, tmp_path, capsys):
    out = tmp_path / "bench"
    code = main(["bench", "toy", "--suites-dir", str(suite_dir), "--out", str(out), "--time-limit", "0.5",
                 "--repeats", "1", "--max-size", "10", "--quiet"])
    assert code == 0
    frame = pd.read_csv(out / "results.csv")
    assert set(frame["size"].dropna()) == {1, 10}
    records = json.loads((out / "results.json").read_text())["rows"]
    assert len(records) == len(frame) and {"error", "certificate", "total_time"} <= set(records[0])
    assert "certified" not in records[0] and set(frame["certificate"]) <= {"global", "local", "none"}
    assert (out / "report.md").read_text().startswith("# Benchmark results")
    assert (out / "toy_time_vs_size.png").exists() and (out / "toy_profile.png").stat().st_size > 10_000
    assert {"time_limit", "gap", "dual_bound", "nodes", "iterations"} <= set(records[0])
    assert "bench:" in capsys.readouterr().out


def test_cli_lists_suites_and_rejects_unknown(suite_dir, capsys):
    assert main(["bench", "--list", "--suites-dir", str(suite_dir)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "toy: projection onto a hyperplane: closed form vs conic, " \
        "plus failure modes"
    assert main(["bench", "nope", "--suites-dir", str(suite_dir), "--out", "x"]) == 2
    assert "suite 'nope' not found" in capsys.readouterr().err


def test_certificate_levels_are_the_one_vocabulary():
    from ftgames.models.outcomes import Level

    assert RunOutcome("optimal", Level.GLOBAL).certificate == "global"
    with pytest.warns(DeprecationWarning, match="'no' is deprecated"):
        assert RunOutcome("error", "no").certificate == "none"
    with pytest.raises(ValueError, match="certificate must be one of global, local, none"):
        RunOutcome("optimal", "certified_global")


def test_rows_written_before_the_certificate_column_still_report(rows):
    """Old results.json rows (column ``certified``: global/local/no) give the same cells as the new ones."""
    old = []
    for row in rows:
        legacy = {k: v for k, v in row.items() if k != "certificate"}
        legacy["certified"] = {"none": "no"}.get(row["certificate"], row["certificate"])
        old.append(legacy)
    assert [cell(r) for r in old] == [cell(r) for r in rows]
    assert markdown(old) == markdown(rows)


def test_options_are_validated():
    with pytest.raises(ValueError, match="scale must be one of"):
        BenchOptions(scale="huge")
    with pytest.raises(ValueError, match="time limit must be > 0"):
        BenchOptions(time_limit=0)


TINY_SUITE = """
from ftgames.bench import Case, RunOutcome, Suite


def harmonic(n):
    return RunOutcome("optimal", "global", sum(1.0 / k for k in range(1, n + 1)), 0.0, 1e-6)


def cases(options):
    for n in (1, 10, 100):
        yield Case("harmonic", n, "sum", "python", lambda t, n=n: harmonic(n), sum(1.0 / k for k in range(1, n + 1)))
        yield Case("harmonic", n, "crash", "python", lambda t, n=n: 1 / 0)


SUITE = Suite("tiny", "harmonic numbers", cases, warm_imports=())
"""


def test_dask_executor_gives_the_same_outcomes(tmp_path):
    """Cases run on a two-worker local Dask cluster (each run still forked and killed at its limit)."""
    from ftgames.sweep import DaskExecutor

    (tmp_path / "tiny.py").write_text(TINY_SUITE)
    serial = run_suite(tmp_path / "tiny.py", OPTIONS)
    executor = DaskExecutor(workers=2)
    try:
        distributed = run_suite(tmp_path / "tiny.py", OPTIONS, executor=executor)
    finally:
        executor.close()

    def outcome(rs):
        return [(r["formulation"], r["size"], r["status"], r["objective"], r["correct"]) for r in rs]

    assert outcome(distributed) == outcome(serial)
    assert [r["status"] for r in serial] == ["optimal", "error"] * 3


def test_combine_merges_suite_folders(rows, tmp_path):
    from ftgames.bench.combine import combine
    from ftgames.bench.report import write_tables

    write_tables(rows, tmp_path / "toy")
    write_tables([dict(r, suite="toy2") for r in rows], tmp_path / "toy2")
    text = combine(tmp_path).read_text()
    assert "## toy\n" in text and "## toy2\n" in text


def test_summary_counts_and_shifted_geometric_mean_follow_their_definitions(rows):
    from ftgames.bench.profiles import SHIFT_SECONDS, performance_profile, suite_summary

    summary = {s["solver"]: s for s in suite_summary(rows)}
    wrong = summary["wrong / none"]
    assert wrong["solved"] == 0 and wrong["wrong"] == wrong["attempted"] == len(by(rows, "wrong"))
    sleepy = [r for r in by(rows, "sleepy")]  # size 1 solved; size 10 timed out; size 100 cut: both charged 0.5 s
    times = [r["total_time"] if r["status"] == "optimal" or r["status"] == "locally_optimal" else OPTIONS.time_limit
             for r in sleepy]
    import math

    expected = math.exp(sum(math.log(t + SHIFT_SECONDS) for t in times) / len(times)) - SHIFT_SECONDS
    assert summary["sleepy / none"]["attempted"] == 3 and summary["sleepy / none"]["solved"] == 1
    assert summary["sleepy / none"]["sgm"] == pytest.approx(expected)
    solvers, count, rho = performance_profile(rows)
    assert count == len({r["size"] for r in rows if r["status"] == "optimal" and r["correct"]})
    for solver in solvers:  # non-decreasing in τ, at most the share the solver solves
        assert all(a <= b for a, b in zip(rho[solver], rho[solver][1:], strict=False))
        assert rho[solver][-1] <= summary[solver]["solved"] / count + 1e-12
    at_one = sum(r[0] for r in rho.values())
    assert at_one >= 1.0  # every problem has a fastest solver (ties may count twice)
