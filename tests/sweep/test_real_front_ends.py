"""Sweeps through the real game front ends: the batched path and the per-point path must agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ftgames import games
from ftgames.sweep import run_sweep

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_openness_batch_and_per_point_paths_agree(tmp_path, monkeypatch):
    pytest.importorskip("ftgames.games.openness_regulation")
    game_file = EXAMPLES / "openness_default.toml"
    if not game_file.exists():
        pytest.skip("examples/openness_default.toml not present")
    params = ["regulation.theta=0:1:4", "regulation.penalty=0,0.1"]
    batched = run_sweep(game_file, params, out=tmp_path / "batch", executor="serial").frame()
    from .openness_single import FRONT_END as single

    monkeypatch.setitem(games.GAMES, "openness_regulation", single)
    single = run_sweep(game_file, params, out=tmp_path / "single", executor="serial").frame()
    assert len(batched) == len(single) == 8
    np.testing.assert_array_equal(batched["regulation.theta"], single["regulation.theta"])
    # per-point rows flatten the report (outcomes keyed "fixed"; U_D is a 1-list for openness)
    outcome = "outcomes.fixed."
    np.testing.assert_allclose(batched["U_G"], single[outcome + "U_G"], atol=1e-9)
    np.testing.assert_allclose(batched["U_D"], single[outcome + "U_D[0]"], atol=1e-9)
    np.testing.assert_allclose(batched["omega"], single[outcome + "omega"], atol=1e-9)
    np.testing.assert_allclose(batched["alpha1"], single[outcome + "alpha1"], atol=1e-9)
    assert list(batched["regime"]) == list(single[outcome + "regime"])
    assert list(batched["certificate"]) == list(single[outcome + "certificate.level"])
    assert set(batched["bargaining_search"]) <= {"fixed", "exact", "grid"}
    # the run-level parts of the report (schema, request, ...) are not repeated in every row
    assert not any(c.split(".")[0] in ("schema", "game", "file", "parameters", "request") for c in single.columns)


def test_fine_tuning_per_point_sweep_matches_closed_form_and_passes_the_formulation(tmp_path):
    """U_G(δ) = r²[δ²/(4c0) + δ(1 − δ)/(2c1)] (spec §3); --formulation reaches solve_game."""
    pytest.importorskip("ftgames.games.fine_tuning")
    game = tmp_path / "one.toml"
    game.write_text('game = "fine_tuning"\n[generalist]\ncost = 1.0\n[[specialists]]\ncost = 2.0\n'
                    "[bargaining]\ndelta = [0.5]\n")
    result = run_sweep(game, ["bargaining.delta[0]=0.2,0.6"], out=tmp_path / "out", executor="serial",
                       formulation="enumeration")
    frame = result.frame()
    delta = frame["bargaining.delta[0]"]
    np.testing.assert_allclose(frame["outcomes.fixed.U_G"], delta**2 / 4 + delta * (1 - delta) / 4, atol=1e-9)
    assert set(frame["outcomes.fixed.formulation"]) == {"enumeration"}
    assert set(frame["outcomes.fixed.certificate.level"]) == {"global"}  # enumeration is exact
    assert (frame["outcomes.fixed.timing.total_s"] > 0).all()  # wall clock, never 0


SAFETY_TOML = """
game = "safety_regulation"
[generalist]
cost = [[1.0, 0.0], [0.0, 1.0]]
[[specialists]]
cost = [[1.0, 0.0], [0.0, 1.0]]
revenue = [1.0, 1.0]
[regulation]
theta_G = 0.0
theta_D = 0.0
[bargaining]
delta = [0.5]
"""


def test_safety_sweep_reproduces_the_reference_values(tmp_path):
    """θG = 0: U_G = 0.375 (anarchy), 0.3875 (θD = 0.4, backfire), 0.66071 (θD = 1), 43/64 (θD = 1.5); U_D = 0.375,
    0.2275, then 0 in the U_D = 0 regime (spec §4, docs/safety-regulation.md)."""
    pytest.importorskip("ftgames.games.safety_regulation")
    game = tmp_path / "safety.toml"
    game.write_text(SAFETY_TOML)
    result = run_sweep(game, ["regulation.theta_D=0,0.4,1.0,1.5"], out=tmp_path / "out", executor="serial")
    frame = result.frame()
    np.testing.assert_allclose(frame["U_G"], [0.375, 0.3875, 0.66071, 43 / 64], atol=1e-5)
    np.testing.assert_allclose(frame["U_D_1"], [0.375, 0.2275, 0.0, 0.0], atol=1e-5)
    # backfiring band at θG = 0, δ = 1/2: θD ∈ (1/2 − δ/4, 1/2) (Thm 6.1)
    assert list(frame["backfiring"]) == [False, True, False, False]
    # batch rows: the old `certified` column is now `status` and `certificate` (a level)
    assert "certified" not in frame.columns
    assert set(frame["status"]) == {"optimal"} and set(frame["certificate"]) == {"global"}
