"""Games with many specialists: the sampled Pareto grid shrinks to fit, and is skipped (with the reason) when even
three points per axis would be too many, instead of exhausting memory."""

from __future__ import annotations

import pytest

from ftgames.formulations.bargaining import pareto_set
from ftgames.formulations.bargaining.frontier import MAX_PARETO_POINTS, grid_points_per_axis, sample_deltas
from ftgames.models import FineTuningGame, ModelError


@pytest.mark.parametrize("n", [2, 4, 5, 6, 9])
def test_default_grid_fits_the_limit(n: int) -> None:
    k = grid_points_per_axis(n, None, MAX_PARETO_POINTS)
    assert k >= 3 and k**n <= MAX_PARETO_POINTS


def test_too_many_specialists_or_points_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="points_per_axis: .*3\\^10"):
        grid_points_per_axis(10, None, MAX_PARETO_POINTS)
    with pytest.raises(ModelError, match="points_per_axis"):
        sample_deltas(3, points_per_axis=1001)


def test_pareto_set_of_five_specialists_is_sampled_on_a_reduced_grid() -> None:
    game = FineTuningGame.quadratic(1.0, [1.0, 1.1, 1.2, 1.3, 1.4])
    pareto = pareto_set(game)
    assert pareto.components and "7^5 grid" in pareto.method


def test_cli_reports_a_skipped_pareto_set_for_ten_specialists(tmp_path) -> None:
    import json
    import subprocess
    import sys

    lines = ['game = "fine_tuning"', "[generalist]", "cost = 1.0"]
    for i in range(10):
        lines += ["[[specialists]]", f"cost = {1 + 0.1 * i}", "revenue = 1.0"]
    lines += ["[bargaining]", 'solutions = ["utilitarian"]']
    path = tmp_path / "ten.toml"
    path.write_text("\n".join(lines) + "\n")
    out = subprocess.run([sys.executable, "-m", "ftgames.cli", "solve", str(path), "--json"], capture_output=True,
                         text=True, check=True).stdout
    report = json.loads(out)
    assert report["pareto_set"] == [] and report["pareto_method"].startswith("not computed")
    assert report["outcomes"]["utilitarian"]["certificate"]["level"] == "global"
