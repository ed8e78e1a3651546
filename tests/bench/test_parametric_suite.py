"""benchmarks/parametric.py (issue 14): the suite enumerates, and its cheap cases are correct and certified."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftgames.bench import BenchOptions, Case, measure
from ftgames.bench.runner import suite_items

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "parametric.py"
OPTIONS = BenchOptions(repeats=1, time_limit=20, max_size=10)


def test_the_suite_enumerates_every_mode():
    cases = [i for i in suite_items(SUITE, OPTIONS) if isinstance(i, Case)]
    names = {(c.instance, c.formulation) for c in cases}
    for mode in ("fresh", "parametric"):
        assert ("equilibrium δ sweep", f"kkt:sos1 ({mode})") in names
        assert ("Nash bargaining c1 sweep", f"conic:log ({mode})") in names
    assert max(c.size for c in cases) <= 10


@pytest.mark.parametrize(("instance", "formulation"), [("Nash bargaining c1 sweep", "conic:log (parametric)"),
                                                       ("Nash bargaining c1 sweep", "closed_form"),
                                                       ("equilibrium δ sweep", "kkt:sos1 (parametric)"),
                                                       ("safety θD sweep", "kkt:sos1 (parametric)"),
                                                       ("openness θ sweep", "kkt:sos1 (parametric)")])
def test_cheap_cases_are_correct(instance, formulation):
    case = next(i for i in suite_items(SUITE, OPTIONS) if isinstance(i, Case) and i.instance == instance
                and i.formulation == formulation and i.size == 10)
    row = measure("parametric", case, OPTIONS, isolate=False)
    assert row["status"] == "optimal" and row["certificate"] == "global", row["message"]
    assert row["correct"] is True, (row["objective"], row["reference"])


def test_frontier_cases_agree_batched_and_per_point():
    """The power-revenue frontier rows: both paths run, and their objectives (Σ utilities over the points) agree."""
    cases = [i for i in suite_items(SUITE, OPTIONS) if isinstance(i, Case) and i.instance.startswith("power-revenue")
             and i.size == 10]
    assert len({c.instance for c in cases}) == 3 and len(cases) == 6
    objectives: dict[str, dict[str, float]] = {}
    for case in cases:
        row = measure("parametric", case, OPTIONS, isolate=False)
        assert row["status"] == "locally_optimal" and row["certificate"] == "local", row["message"]
        objectives.setdefault(case.instance, {})[case.formulation] = row["objective"]
    for instance, pair in objectives.items():
        per_point, batched = pair["exact_leader (per point)"], pair["equilibrium_table (batched)"]
        assert batched == pytest.approx(per_point, rel=1e-6), instance
