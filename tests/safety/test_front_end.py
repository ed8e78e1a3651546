"""``ftgames solve`` / ``solve_batch`` on safety_regulation files: JSON keys, classification, errors with lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ftgames.cli import main
from ftgames.io.gamefile import GameFileError, load_game_file
from ftgames.io.safety_regulation import solve_batch, solve_game

ROOT = Path(__file__).resolve().parents[2]
BASE = """game = "safety_regulation"
[generalist]
cost = [[1, 0], [0, 1]]
[[specialists]]
cost = {cost}
revenue = [1, 1]
[regulation]
theta_G = {tg}
theta_D = {td}
[bargaining]
delta = [0.5]
"""


def _file(tmp_path: Path, cost: str = "[[1, 0], [0, 1]]", tg: float = 0.0, td: float = 0.4):
    path = tmp_path / "game.toml"
    path.write_text(BASE.format(cost=cost, tg=tg, td=td))
    return load_game_file(path)


def test_json_outcome_keys(tmp_path, capsys) -> None:
    file = _file(tmp_path)
    assert main(["solve", file.path, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    outcome = report["outcomes"]["fixed"]
    for key in ("delta", "gamma0", "gamma", "U_G", "U_D", "abstain", "certified", "classification"):
        assert key in outcome
    assert outcome["gamma0"] == pytest.approx([0.25, 0.0])
    assert outcome["gamma"][0] == pytest.approx([0.5, 0.4])
    assert outcome["classification"]["backfiring"] and not outcome["classification"]["mutualism"]


def test_mutualism_and_abstain(tmp_path) -> None:
    mutual = solve_game(_file(tmp_path, tg=0.5, td=1.0), formulation=None, solver=None)["outcomes"]["fixed"]
    assert mutual["classification"]["regime"] == "mutualism"
    out = solve_game(_file(tmp_path, tg=0.9, td=0.9), formulation=None, solver=None)["outcomes"]["fixed"]
    assert out["abstain"] and out["gamma0"] is None and out["classification"]["regime"] == "abstain"


def test_kkt_formulation_through_the_cli(tmp_path) -> None:
    report = solve_game(_file(tmp_path), formulation="kkt", solver="scip")
    outcome = report["outcomes"]["fixed"]
    assert outcome["U_G"] == pytest.approx(0.3875, abs=1e-6) and outcome["status"] == "optimal"


def test_not_positive_definite_names_key_and_line(tmp_path) -> None:
    file = _file(tmp_path, cost="[[1, 2], [2, 1]]")
    with pytest.raises(GameFileError, match=r"line 5: specialists\[0\].cost: .*positive definite"):
        solve_game(file, formulation=None, solver=None)


def test_unknown_formulation(tmp_path) -> None:
    with pytest.raises(GameFileError, match="unknown formulation"):
        solve_game(_file(tmp_path), formulation="magic", solver=None)


def test_solve_batch_rows(tmp_path) -> None:
    file = _file(tmp_path)
    points = [{"regulation.theta_G": 0.0, "regulation.theta_D": 0.4},
              {"regulation.theta_G": 0.5, "regulation.theta_D": 1.0},
              {"regulation.theta_G": 0.9, "regulation.theta_D": 0.9},
              {"regulation.theta_G": 0.0, "regulation.theta_D": 0.4, "bargaining.delta": 0.25}]
    rows = solve_batch(file, points)
    assert [r["classification"] for r in rows] == ["backfiring", "mutualism", "abstain", "feasible"]
    assert rows[0]["beta_1"] == pytest.approx(0.4) and rows[0]["U_D_1"] == pytest.approx(0.2275)
    assert rows[2]["alpha0"] is None and rows[2]["U_G"] == 0.0
    assert rows[3]["delta"] == 0.25
    assert all(isinstance(v, bool | int | float | str | type(None)) for r in rows for v in r.values())


def test_solve_batch_other_parameters(tmp_path) -> None:
    text = BASE.format(cost="{aa = 1, ab = 0, bb = 1}", tg=0.0, td=0.0).replace(
        "cost = [[1, 0], [0, 1]]", "cost = {aa = 1, ab = 0, bb = 1}")
    (tmp_path / "cross.toml").write_text(text)
    file = load_game_file(tmp_path / "cross.toml")
    point = {"generalist.cost.ab": -0.1, "specialists[0].cost.ab": -0.1, "regulation.theta_D": 1.0}
    rows = solve_batch(file, [point, {**point, "specialists[0].cost.ab": 0.0}])
    assert rows[0]["U_G"] == pytest.approx(0.72038, abs=1e-5)  # spec §4, C0 = C1
    assert rows[1]["U_G"] != pytest.approx(rows[0]["U_G"], abs=1e-3)  # C0 ≠ C1 is another game


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("safety_*.toml")), ids=lambda p: p.name)
def test_examples_solve(example) -> None:
    report = solve_game(load_game_file(example), formulation=None, solver=None)
    assert report["outcomes"] and all(o["certified"] for o in report["outcomes"].values())


def test_solve_batch_bargained_fast_path_matches_per_game() -> None:
    from ftgames.io.safety_regulation import _rows_bargained, load_game

    file = load_game_file(ROOT / "examples" / "safety_bargaining.toml")
    points = [{"regulation.theta_G": 0.0, "regulation.theta_D": t} for t in (0.3, 0.45, 2.5)]
    rows = solve_batch(file, points)
    game, _ = load_game(file)
    games = [game.with_regulation(p["regulation.theta_G"], p["regulation.theta_D"]) for p in points]
    for rule in ("utilitarian", "nash", "egalitarian"):
        slow = _rows_bargained(games, rule, 1e-6)
        assert [r[f"{rule}.delta"] for r in rows] == pytest.approx([r["delta"] for r in slow])
        assert [r[f"{rule}.classification"] for r in rows] == [r["classification"] for r in slow]
    assert rows[1]["nash.classification"] == "backfiring" and rows[2]["nash.classification"] == "abstain"
