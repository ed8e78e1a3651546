"""The bilevel_scaling suite (issue 12, part 5): it lists its sizes, enumerates one series per instance × formulation ×
backend, computes references only for what the selection keeps, and a cheap case is correct with solver stats."""

from __future__ import annotations

from pathlib import Path

from ftgames.bench import BenchOptions, Case, measure
from ftgames.bench.loader import suite_summary
from ftgames.bench.runner import all_items, suite_items
from ftgames.formulations.bilevel import ENCODINGS

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "bilevel_scaling.py"


def test_listed_with_description_and_sizes():
    summary = suite_summary(SUITE)
    assert "toll" in summary["description"] and summary["expected_minutes"]
    assert {2, 5, 30, 100, 200} <= set(summary["small"]) and not summary["per_instance"]


def test_cases_series_and_selected_references():
    options = BenchOptions(repeats=1, time_limit=20, max_size=6, instances=("random_lp_lp_s1",))
    everything = [i for i in all_items(SUITE, options) if isinstance(i, Case)]
    assert {c.formulation for c in everything} == {f"kkt:{e}" for e in ENCODINGS}
    assert {c.instance for c in everything} == {"random_lp_lp_s1", "toll_grid_s1", "toll_complete_s1",
                                                "strategic_bidding_s1"}
    # references are computed for the selected instance only (they cost exact solves)
    assert all(c.reference is None for c in everything if c.instance != "random_lp_lp_s1")
    kept = [i for i in suite_items(SUITE, options) if isinstance(i, Case)]
    assert kept and all(c.instance == "random_lp_lp_s1" and c.size == 5 and c.reference is not None for c in kept)
    sos1 = next(c for c in kept if (c.formulation, c.backend) == ("kkt:sos1", "scip"))
    row = measure("bilevel_scaling", sos1, options, isolate=False)
    assert row["status"] == "optimal" and row["certificate"] == "global" and row["correct"] is True
    assert row["nodes"] is not None and row["gap"] is not None  # SolveResult.stats reach the row
