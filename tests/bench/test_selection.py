"""Selection flags (--instances, --formulations, --backends, --max-size), --list, and results.json metadata."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ftgames.bench import BenchOptions, run_suite
from ftgames.bench.combine import combine
from ftgames.bench.report import read_results
from ftgames.cli import main

HERE = Path(__file__).parent

#: Two instances × fixed sizes (not through options.sizes, so only the runner applies --max-size) × two
#: formulations × two backends, plus a skip; every case is instant.
GRID_SUITE = '''
from ftgames.bench import Case, RunOutcome, Skip, Suite

EXPECTED_MINUTES = 0.5


def cases(options):
    yield Skip("alpha", "missing", "nowhere", "module not there yet")
    for instance in ("alpha", "beta"):
        for n in (1, 10, 100):
            for formulation in ("kkt:sos1", "closed_form"):
                for backend in ("scip", "highs"):
                    yield Case(instance, n, formulation, backend,
                               lambda t, n=n: RunOutcome("optimal", "global", float(n)), float(n))


SUITE = Suite("grid", "a grid of instant cases for the selection flags", cases, warm_imports=())
'''


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("selection")
    (folder / "grid.py").write_text(GRID_SUITE)
    shutil.copy(HERE / "toy_suite.py", folder / "toy.py")
    return folder


def run(suite_dir, **selection) -> list[tuple]:
    rows = run_suite(suite_dir / "grid.py", BenchOptions(repeats=1, time_limit=5, **selection), isolate=False)
    return sorted((r["instance"], r["size"], r["formulation"], r["backend"]) for r in rows
                  if r["status"] != "skipped")


def expected(instances=("alpha", "beta"), sizes=(1, 10, 100), formulations=("kkt:sos1", "closed_form"),
             backends=("scip", "highs")) -> list[tuple]:
    return sorted((i, n, f, b) for i in instances for n in sizes for f in formulations for b in backends)


def test_without_selection_every_case_runs(suite_dir):
    assert run(suite_dir) == expected()


@pytest.mark.parametrize("selection, subset", [
    ({"instances": ("alpha",)}, {"instances": ("alpha",)}),
    ({"instances": ("b*", "gamma")}, {"instances": ("beta",)}),
    ({"formulations": ("kkt:*",)}, {"formulations": ("kkt:sos1",)}),
    ({"formulations": ("closed_form",)}, {"formulations": ("closed_form",)}),
    ({"backends": ("hi?hs",)}, {"backends": ("highs",)}),
    ({"max_size": 10}, {"sizes": (1, 10)}),
    ({"max_size": 9, "instances": ("beta",), "backends": ("scip",)},
     {"sizes": (1,), "instances": ("beta",), "backends": ("scip",)}),
])
def test_each_filter_selects_exactly_the_expected_rows(suite_dir, selection, subset):
    assert run(suite_dir, **selection) == expected(**subset)


def test_filtered_out_skips_are_not_reported(suite_dir):
    options = BenchOptions(repeats=1, time_limit=5, backends=("scip",))
    rows = run_suite(suite_dir / "grid.py", options, isolate=False)
    assert not any(r["status"] == "skipped" for r in rows)
    assert any(r["status"] == "skipped" for r in run_suite(suite_dir / "grid.py", BenchOptions(repeats=1),
                                                           isolate=False))


def test_patterns_are_case_sensitive(suite_dir, capsys):
    code = main(["bench", "grid", "--suites-dir", str(suite_dir), "--out", str(suite_dir / "never"),
                 "--backends", "SCIP"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("ftgames: error: --backends SCIP selects no case") and "highs, scip" in err


@pytest.mark.parametrize("flag, value, listed", [
    ("--instances", "gamma*", "instances that exist: alpha, beta"),
    ("--formulations", "conic,enumeration", "formulations that exist: closed_form, kkt:sos1"),
    ("--backends", "gurobi", "backends that exist: highs, scip"),
    ("--max-size", "0", "max size must be >= 1"),
])
def test_an_empty_selection_is_an_error_naming_the_flag(suite_dir, tmp_path, capsys, flag, value, listed):
    out = tmp_path / "out"
    assert main(["bench", "grid", "--suites-dir", str(suite_dir), "--out", str(out), flag, value, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ftgames: error: ") and listed in err
    if flag != "--max-size":
        assert f"{flag} {value} selects no case" in err
    assert not out.exists()


def test_max_size_below_every_size_names_the_sizes(suite_dir, capsys):
    shutil.copy(suite_dir / "grid.py", suite_dir / "big.py")
    try:
        (suite_dir / "big.py").write_text((suite_dir / "grid.py").read_text().replace("(1, 10, 100)", "(5, 50)"))
        assert main(["bench", "big", "--suites-dir", str(suite_dir), "--out", str(suite_dir / "never"),
                     "--max-size", "2"]) == 2
    finally:
        (suite_dir / "big.py").unlink()
    assert "--max-size 2 selects no case; sizes that exist: 5, 50" in capsys.readouterr().err


def test_filters_that_together_select_nothing_name_both(suite_dir, tmp_path, capsys):
    """closed_form and clarabel both exist in the toy suite, never together."""
    out = tmp_path / "out"
    code = main(["bench", "toy", "--suites-dir", str(suite_dir), "--out", str(out), "--formulations", "closed_form",
                 "--backends", "clarabel"])
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert "--formulations and --backends together select no case" in err
    assert "projection / closed_form / numpy" in err and "projection / conic / clarabel" in err


def test_list_shows_description_sizes_and_expected_time(suite_dir, capsys):
    assert main(["bench", "--list", "--suites-dir", str(suite_dir)]) == 0
    out = capsys.readouterr().out
    assert "grid: a grid of instant cases for the selection flags" in out
    assert "sizes (set by the instances, every scale): 1, 10, 100" in out
    assert "expected run time (small scale): about 0.5 min" in out
    assert "toy: projection onto a hyperplane: closed form vs conic, plus failure modes" in out
    assert "sizes: small 1, 10, 100; full 1, 10, 100, 1000" in out


def test_results_json_records_metadata(suite_dir, tmp_path):
    out = tmp_path / "bench"
    assert main(["bench", "grid", "--suites-dir", str(suite_dir), "--out", str(out), "--repeats", "1",
                 "--formulations", "closed_form", "--no-isolation", "--quiet"]) == 0
    document = json.loads((out / "results.json").read_text())
    assert set(document) == {"metadata", "rows"}
    metadata = document["metadata"]
    assert {"versions", "machine", "command", "date"} <= set(metadata)
    assert {"ftgames", "highspy", "pyscipopt", "cyipopt", "clarabel", "scs", "cvxpy", "pyomo",
            "numpy"} <= set(metadata["versions"])
    assert metadata["versions"]["ftgames"] and metadata["versions"]["numpy"]
    assert {"cpu", "cores", "memory_bytes"} <= set(metadata["machine"]) and metadata["machine"]["cores"] >= 1
    assert "--formulations closed_form" in metadata["command"] and metadata["date"].endswith("+00:00")
    assert {r["formulation"] for r in document["rows"]} == {"closed_form"} and len(document["rows"]) == 12


def test_old_list_shaped_results_still_read_and_combine(suite_dir, tmp_path):
    rows = run_suite(suite_dir / "grid.py", BenchOptions(repeats=1, backends=("scip",)), isolate=False)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "results.json").write_text(json.dumps(rows))
    assert read_results(tmp_path / "old" / "results.json") == (rows, None)
    from ftgames.bench.report import write_tables

    write_tables([dict(r, suite="new") for r in rows], tmp_path / "new", {"command": "x"})
    assert read_results(tmp_path / "new" / "results.json")[1] == {"command": "x"}
    text = combine(tmp_path).read_text()
    assert "## grid\n" in text and "## new\n" in text
