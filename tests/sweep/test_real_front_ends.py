"""Sweeps through the real game front ends: the batched path and the per-point path must agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ftgames import games
from ftgames.sweep import run_sweep

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_openness_batch_and_per_point_paths_agree(tmp_path, monkeypatch):
    pytest.importorskip("ftgames.io.openness_regulation")
    game_file = EXAMPLES / "openness_default.toml"
    if not game_file.exists():
        pytest.skip("examples/openness_default.toml not present")
    params = ["regulation.theta=0:1:4", "regulation.penalty=0,0.1"]
    batched = run_sweep(game_file, params, out=tmp_path / "batch", executor="serial").frame()
    monkeypatch.setitem(games.GAMES, "openness_regulation", "tests.sweep.openness_single")
    single = run_sweep(game_file, params, out=tmp_path / "single", executor="serial").frame()
    assert len(batched) == len(single) == 8
    np.testing.assert_array_equal(batched["regulation.theta"], single["regulation.theta"])
    np.testing.assert_allclose(batched["U_G"], single["equilibrium.U_G"], atol=1e-9)
    np.testing.assert_allclose(batched["U_D"], single["equilibrium.U_D"], atol=1e-9)
    assert list(batched["regime"]) == list(single["equilibrium.regime"])
