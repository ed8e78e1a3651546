"""The suites in benchmarks/: each enumerates, and a cheap case of each runs and is checked against its reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftgames.bench import BenchOptions, Case, available_suites, measure, run_suite
from ftgames.bench.runner import suite_items

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SUITES = ("fine_tuning", "safety_regulation", "bilevel_catalogue", "bargaining", "persistent", "sweep_executors")
OPTIONS = BenchOptions(repeats=1, time_limit=20, max_size=10)
#: The kinds of the formulation grammar (docs/solvers.md; ftgames.formulations.grammar).
GRAMMAR_KINDS = ("closed_form", "enumeration", "kkt", "kkt_direct", "conic", "vertices", "single_level", "frontier",
                 "grid")


def items(suite: str):
    return suite_items(BENCHMARKS / f"{suite}.py", OPTIONS)


def test_every_suite_is_found_and_enumerates():
    assert set(SUITES) <= set(available_suites(BENCHMARKS))
    for suite in SUITES:
        listed = items(suite)
        assert any(isinstance(i, Case) for i in listed), suite
        assert not any("enumeration failed" in getattr(i, "reason", "") for i in listed), suite


@pytest.mark.parametrize("suite", ["fine_tuning", "safety_regulation", "bilevel_catalogue", "bargaining"])
def test_formulations_are_named_in_the_grammar(suite):
    """Every case names its formulation ``kind[:encoding]`` in canonical form (no old spelling such as kkt+sos1 or
    log); a note in brackets or parentheses (``kkt:bigm[bigm=50]``, ``enumeration (per game)``) may follow."""
    import re
    import warnings

    from ftgames.formulations.grammar import parse_formulation

    names = {i.formulation for i in items(suite) if isinstance(i, Case)}
    assert names, suite
    for name in names:
        text = re.sub(r"\s*\(.*\)$|\[.*\]$", "", name)
        if text == "auto":  # the library's own choice
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            parsed = parse_formulation(text, [text], source=f"{suite}: {name}")
        assert str(parsed) == text and parsed.kind in GRAMMAR_KINDS, name


def test_sizes_respect_max_size():
    assert max(i.size for i in items("fine_tuning") if isinstance(i, Case)) <= 10


@pytest.mark.parametrize("suite, instance, formulation, backend", [
    ("fine_tuning", "equilibrium · quadratic k=2", "enumeration", "exact"),
    ("safety_regulation", "single game θD=0.40 backfire", "enumeration", "exact"),
    ("bilevel_catalogue", "bard_511", "kkt:sos1", "scip"),
    ("bargaining", "catalogue split_the_dollar · nash", "conic:log", "clarabel"),
    ("bargaining", "nash · k=2 c0=1 c1=2", "conic:log", "clarabel"),
    ("persistent", "safety follower θD sweep", "persistent", "cvxpy-clarabel"),
])
def test_a_cheap_case_of_each_suite_is_correct(suite, instance, formulation, backend):
    found = [i for i in items(suite) if isinstance(i, Case) and (i.instance, i.formulation, i.backend)
             == (instance, formulation, backend)]
    if not found:
        pytest.skip(f"{suite}: no case {instance} / {formulation} / {backend} here (module or backend missing)")
    row = measure(suite, min(found, key=lambda c: c.size), OPTIONS, isolate=False)
    assert row["status"] == "optimal", row["message"]
    assert row["certificate"] == "global"
    assert row["correct"] is True, (row["objective"], row["reference"])


@pytest.mark.slow
@pytest.mark.parametrize("suite", SUITES)
def test_whole_suite_small_scale(suite, tmp_path):
    rows = run_suite(BENCHMARKS / f"{suite}.py", BenchOptions(repeats=1, time_limit=5, max_size=10))
    assert rows and not any(r["status"] == "error" and "enumeration failed" in (r["message"] or "") for r in rows)
