"""The game-file front end: ftgames solve, batch evaluation for sweeps, errors naming key and line, figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftgames.cli import main
from ftgames.io.gamefile import GameFile, GameFileError, load_game_file
from ftgames.io.openness_regulation import load_game, render, solve_batch, solve_game

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("openness_*.toml"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "game.toml"
    path.write_text('game = "openness_regulation"\n' + text)
    return path


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_solve_and_serialize(path: Path) -> None:
    report = solve_game(load_game_file(path), formulation=None, solver=None)
    json.dumps(report)
    assert report["equilibrium"]["regime"] in ("comply", "pay", "abstain")
    assert report["effect"]["effect"] in ("no_change", "pareto_improvement", "deadweight_loss", "redistribution")
    render(report)


def test_the_nash_example_shows_a_pareto_improvement() -> None:
    report = solve_game(load_game_file(ROOT / "examples/openness_nash.toml"), formulation=None, solver=None)
    assert report["effect"]["effect"] == "pareto_improvement"
    assert report["equilibrium"]["certified"] == "global"


def test_cli_solve_json_and_formulation_override(capsys) -> None:
    path = str(ROOT / "examples/openness_default.toml")
    assert main(["solve", path, "--json"]) == 0
    enum = json.loads(capsys.readouterr().out)
    assert main(["solve", path, "--json", "--formulation", "kkt_bigm"]) == 0
    kkt = json.loads(capsys.readouterr().out)
    assert kkt["formulation"] == "kkt_bigm"
    assert kkt["equilibrium"]["U_G"] == pytest.approx(enum["equilibrium"]["U_G"], abs=1e-6)


@pytest.mark.parametrize(("text", "needles"), [
    ("[model.fine_tuning_cost]\nlam = 1.5\n", ["line 3", "model.fine_tuning_cost.lam", "[0, 1)"]),
    ("[regulation]\ntheta = 2\n", ["line 3", "regulation.theta", "[0, 1]"]),
    ("[model.benefit]\nfamily = \"cubic\"\n", ["model.benefit.family", "concave_quadratic"]),
    ("[model]\nalpha1 = 2\n", ["model.alpha1", "unknown key"]),
    ("[bargaining]\nsolution = \"rubinstein\"\n", ["bargaining.solution", "nash"]),
    ("[bargaining]\ndelta = -0.5\n", ["bargaining.delta", "[0, 1]"]),
    ("[solve]\nformulation = \"magic\"\n", ["solve.formulation", "kkt_bigm"]),
    ("[bargaining]\nsearch = \"random\"\n", ["bargaining.search", "exact"]),
    ("[model.benefit]\nfamily = \"concave_quadratic\"\n[bargaining]\nsolution = \"nash\"\nsearch = \"exact\"\n",
     ["bargaining.search", "search='grid'"]),
])
def test_bad_files_raise_errors_naming_key_and_range(tmp_path: Path, text: str, needles: list[str]) -> None:
    file = load_game_file(write(tmp_path, text))
    with pytest.raises(GameFileError) as info:
        solve_game(file, formulation=None, solver=None)
    for needle in needles:
        assert needle in str(info.value)


def test_cli_reports_errors_without_traceback(tmp_path: Path, capsys) -> None:
    assert main(["solve", str(write(tmp_path, "[regulation]\npenalty = -1\n"))]) == 2
    assert "regulation.penalty" in capsys.readouterr().err


def test_missing_tables_take_defaults(tmp_path: Path) -> None:
    game, settings, _ = load_game(load_game_file(write(tmp_path, "")))
    assert game.alpha0 == 1.0 and settings["solution"] == "fixed"


def test_solve_batch_rows_are_flat_and_match_single_solves(tmp_path: Path) -> None:
    file = load_game_file(ROOT / "examples/openness_default.toml")
    points = [{"regulation.theta": t, "regulation.penalty": p, "model.fine_tuning_cost.lam": 0.6}
              for t in (0.2, 0.8) for p in (0.01, 0.2)]
    rows = solve_batch(file, points)
    assert len(rows) == 4
    for row, point in zip(rows, points, strict=True):
        assert all(isinstance(v, int | float | str | bool) for v in row.values())
        assert row["theta"] == point["regulation.theta"]
        assert {"omega", "regime", "alpha0", "alpha1", "U_G", "U_D", "welfare", "effect"} <= set(row)
        single = dict(file.data)
        single = {**single, "regulation": {**single["regulation"], "theta": point["regulation.theta"],
                                           "penalty": point["regulation.penalty"]}}
        report = solve_game(GameFile(str(tmp_path / "one.toml"), "", single), formulation=None, solver=None)
        assert row["U_G"] == pytest.approx(report["equilibrium"]["U_G"])
        assert row["regime"] == report["equilibrium"]["regime"]
    with pytest.raises(GameFileError, match="not found"):
        solve_batch(file, [{"model.nonexistent": 1.0}])


def test_sweepable_defaults_exist_even_when_absent_from_the_file(tmp_path: Path) -> None:
    rows = solve_batch(load_game_file(write(tmp_path, "")), [{"model.benefit.epsilon": 0.3}])
    assert rows[0]["regime"] == "comply"


def test_plot_and_figure_commands_write_files(tmp_path: Path) -> None:
    from ftgames.plots.openness import main as figures

    assert main(["solve", str(ROOT / "examples/openness_default.toml"), "--plot", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").stat().st_size > 0
    assert figures(["regime-map", "--out", str(tmp_path), "--points", "3"]) == 0
    assert (tmp_path / "openness_regime_map.png").exists() and (tmp_path / "openness_regime_map.csv").exists()


@pytest.mark.slow
def test_every_figure_command_writes_files(tmp_path: Path) -> None:
    from ftgames.plots.openness import main as figures

    assert figures(["all", "--out", str(tmp_path), "--points", "3"]) == 0
    for name in ("openness_unregulated_openness", "openness_regime_map", "openness_baseline_map", "openness_effects"):
        assert (tmp_path / f"{name}.png").exists() and (tmp_path / f"{name}.csv").exists()


def test_figure_from_an_ftgames_sweep(tmp_path: Path) -> None:
    from ftgames.plots.openness import main as figures
    from ftgames.sweep import run_sweep

    run_sweep(str(ROOT / "examples/openness_default.toml"),
              ["regulation.theta=0:1:4", "regulation.penalty=0:0.12:3"], out=str(tmp_path / "sweep"),
              executor="serial", progress=False)
    assert figures(["regime-map", "--sweep", str(tmp_path / "sweep"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "openness_regime_map.png").exists()
