"""benchmarks/design_stress.py (issue 15): every family generates a problem the design layer accepts, and on a
cheap one the design's value is at least the brute force's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from ftgames.design import build_problem

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "design_stress.py"


@pytest.fixture(scope="module")
def stress():
    spec = importlib.util.spec_from_file_location("design_stress", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("family", ["one", "several", "bargained", "openness"])
def test_every_family_generates_valid_problems(stress, family: str, tmp_path: Path) -> None:
    for seed in range(6):
        problem = stress.GENERATORS[family](seed)
        path = tmp_path / f"{problem.name}.toml"
        path.write_text(problem.text)
        build_problem(path, problem.vary, **{problem.sense: problem.objective}, subject_to=problem.constraints,
                      bargaining=problem.bargaining)


def test_a_cheap_problem_is_at_least_the_brute_force(stress, tmp_path: Path) -> None:
    row = stress.run(stress.one(0), tmp_path)
    assert row["relative_gap"] <= 1e-8, row
