"""``ftgames solve`` / ``solve_file`` / ``solve_batch`` on safety_regulation files: the common report shape
(``schema/outcome.schema.json``), classification labels, certificate levels, backends, errors with their source."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from ftgames.cli import main
from ftgames.formulations.grammar import FormulationError
from ftgames.formulations.safety.enumeration import solve_enumeration
from ftgames.games import GAMES, solve_file
from ftgames.games.safety_regulation import FRONT_END, solve_batch
from ftgames.io.gamefile import GameFileError, load_game_file
from ftgames.models.safety import symmetric_game

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "src" / "ftgames" / "schema" / "outcome.schema.json").read_text())
EXAMPLES = sorted((ROOT / "examples").glob("safety_*.toml"))
LABEL_KEYS = {"regime", "abstain", "backfiring", "mutualism", "tolerance"}
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
def _file(tmp_path: Path, cost: str = "[[1, 0], [0, 1]]", tg: float = 0.0, td: float = 0.4, extra: str = ""):
    path = tmp_path / "game.toml"
    path.write_text(BASE.format(cost=cost, tg=tg, td=td) + extra)
    return load_game_file(path)


def _cli_json(capsys, *args: str) -> dict:
    assert main(["solve", *args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    jsonschema.validate(report, SCHEMA)
    return report


def _check_outcome_shape(outcome: dict) -> None:
    """What the schema cannot say: timing adds up, stages carry the outcome's formulation and backend, and the
    outcome's certificate is the weakest of its stages'."""
    timing = outcome["timing"]
    assert timing["total_s"] == pytest.approx(timing["build_s"] + timing["solve_s"], abs=1e-12)
    assert all(timing["total_s"] >= s["timing"]["total_s"] for s in outcome["stages"])
    named = [s for s in outcome["stages"] if s["stage"] == "equilibrium"]
    assert len(named) == 1 and named[0]["formulation"] == outcome["formulation"]
    assert named[0]["backend"] == outcome["backend"]
    order = ["none", "local", "global"]
    assert outcome["certificate"]["level"] == min((s["certificate"]["level"] for s in outcome["stages"]),
                                                  key=order.index)
    assert (outcome["certificate"]["level"] == "global") == (not outcome["certificate"]["reasons"])
    assert set(outcome["classification"]) == LABEL_KEYS


def test_registered_front_end() -> None:
    assert GAMES["safety_regulation"] is FRONT_END
    assert "kkt:sos1" in FRONT_END.formulations and FRONT_END.formulations[0] == "enumeration"


def test_json_report_shape_and_values(tmp_path, capsys) -> None:
    file = _file(tmp_path)
    report = _cli_json(capsys, file.path)
    assert report["schema"] == "ftgames.outcome/1" and report["game"] == "safety_regulation"
    assert report["file"] == file.path
    assert report["regulation"] == {"theta_G": 0.0, "theta_D": [0.4]}
    assert report["parameters"]["specialists"][0]["revenue"] == [1.0, 1.0]
    request = report["request"]
    assert request["formulation"] == "enumeration" and request["formulation_source"] == "the game's default"
    assert request["solver"] is None and request["tolerance_classification"] == 1e-6
    outcome = report["outcomes"]["fixed"]
    _check_outcome_shape(outcome)
    # θD = 0.4 is in the backfiring band (spec §3): γ0 = (1/4, 0), γ1 = (1/2, θD), U = (0.3875, 0.2275)
    assert outcome["delta"] == [0.5]
    assert outcome["gamma0"] == pytest.approx([0.25, 0.0])
    assert outcome["gamma"][0] == pytest.approx([0.5, 0.4])
    assert outcome["U_G"] == pytest.approx(0.3875) and outcome["U_D"] == pytest.approx(
        [0.2275])
    labels = outcome["classification"]
    assert labels["regime"] == "backfiring" and labels["backfiring"] and not labels["mutualism"]
    assert not labels["abstain"] and outcome["participates"] == [True] and labels["tolerance"] == 1e-6
    # the unregulated game (closed form: γ0 = (1/4, 1/4), β1 = 1/2, U_G = U_D = 3/8) is what it is compared with
    assert outcome["anarchy"]["U_G"] == pytest.approx(0.375) and outcome["anarchy"]["safety"] == pytest.approx([0.5])
    assert outcome["status"] == "optimal" and outcome["formulation"] == "enumeration" and outcome["backend"] is None
    cert = outcome["certificate"]
    assert cert["level"] == "global" and cert["method"] == "enumeration" and cert["reasons"] == []
    assert cert["checks"]["followers_verified"] and cert["checks"]["exact_method"]
    assert [s["stage"] for s in outcome["stages"]] == ["equilibrium", "unregulated equilibrium"]


def test_mutualism_and_abstain(tmp_path) -> None:
    mutual = solve_file(_file(tmp_path, tg=0.5, td=1.0))["outcomes"]["fixed"]
    assert mutual["classification"]["regime"] == "mutualism" and mutual["classification"]["mutualism"]
    # spec §4: (θG, θD) = (0.5, 1.0) gives U_G = U_D = 0.4375 > 0.375 unregulated
    assert mutual["U_G"] == pytest.approx(0.4375) and mutual["U_D"] == pytest.approx(
        [0.4375])
    out = solve_file(_file(tmp_path, tg=0.9, td=0.9))["outcomes"]["fixed"]
    assert out["abstain"] and out["classification"]["regime"] == "abstain"
    assert out["gamma0"] is None and out["gamma"] == [None]
    assert out["participates"] == [False]
    assert (out["U_G"], out["U_D"]) == (0.0, [0.0])
    assert out["certificate"]["level"] == "global"  # abstention proved by the exact enumeration


def test_kkt_formulation_matches_enumeration(tmp_path) -> None:
    file = _file(tmp_path)
    exact = solve_file(file)["outcomes"]["fixed"]
    report = solve_file(file, formulation="kkt", solver="scip")
    assert report["request"]["formulation"] == "kkt:sos1"
    assert report["request"]["solver"] == {"name": "scip", "source": "keyword solver=", "used": True}
    outcome = report["outcomes"]["fixed"]
    _check_outcome_shape(outcome)
    assert outcome["formulation"] == "kkt:sos1" and outcome["backend"] == "scip"
    assert outcome["status"] == "optimal" and outcome["certificate"]["level"] == "global"
    assert outcome["certificate"]["checks"]["follower_gap"] <= 1e-5
    assert outcome["U_G"] == pytest.approx(exact["U_G"], abs=1e-6)
    # a label computed from numbers is the same whichever exact formulation found them
    assert outcome["classification"] == exact["classification"]
    assert (outcome["abstain"], outcome["participates"]) == (exact["abstain"], exact["participates"])
    assert outcome["stages"][0]["timing"]["build_s"] > 0  # a Pyomo model was built


def test_kkt_sos1_through_the_cli(capsys) -> None:
    """The backend that ran is named, and the choice is reported as coming from the flag."""
    report = _cli_json(capsys, str(ROOT / "examples" / "safety_backfiring.toml"), "--formulation", "kkt:sos1",
                       "--solver", "scip")
    outcome = report["outcomes"]["fixed"]
    _check_outcome_shape(outcome)
    assert report["request"]["solver"] == {"name": "scip", "source": "--solver", "used": True}
    assert report["request"]["formulation_source"] == "--formulation"
    assert outcome["backend"] == "scip" and outcome["certificate"]["level"] == "global"
    assert outcome["U_G"] == pytest.approx(0.3875, abs=1e-6)


def test_kkt_product_ipopt_is_local(capsys) -> None:
    report = _cli_json(capsys, str(ROOT / "examples" / "safety_backfiring.toml"), "--formulation", "kkt:product",
                       "--solver", "ipopt")
    outcome = report["outcomes"]["fixed"]
    _check_outcome_shape(outcome)
    assert report["request"]["solver"] == {"name": "ipopt", "source": "--solver", "used": True}
    assert outcome["backend"] == "ipopt"
    # the unregulated reference of the labels is always the exact enumeration
    assert [(s["stage"], s["formulation"], s["backend"]) for s in outcome["stages"]] == [
        ("equilibrium", "kkt:product", "ipopt"), ("unregulated equilibrium", "enumeration", None)]
    assert outcome["status"] == "locally_optimal" and outcome["certificate"]["level"] == "local"
    assert outcome["certificate"]["checks"]["followers_verified"]
    assert any("globally optimal" in r for r in outcome["certificate"]["reasons"])
    assert outcome["U_G"] <= 0.3875 + 1e-7  # never better than the exact optimum


def test_solver_given_to_a_stage_without_one_is_reported_unused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FTGAMES_SOLVER", "scip")
    report = solve_file(_file(tmp_path))
    solver = report["request"]["solver"]
    assert solver["name"] == "scip" and solver["source"] == "environment variable FTGAMES_SOLVER"
    assert solver["used"] is False and "runs no solver backend" in solver["note"]
    assert report["outcomes"]["fixed"]["backend"] is None


def test_not_positive_definite_names_key_and_line(tmp_path) -> None:
    file = _file(tmp_path, cost="[[1, 2], [2, 1]]")
    with pytest.raises(GameFileError, match=r"line 5: specialists\[0\].cost: .*positive definite"):
        solve_file(file)


def test_unknown_formulation_names_its_source(tmp_path) -> None:
    with pytest.raises(FormulationError, match=r"keyword formulation=: unknown formulation 'magic'; accepted here: "
                                               r"enumeration, kkt:sos1, kkt:indicator, kkt:bigm, kkt:product"):
        solve_file(_file(tmp_path), formulation="magic")
    file = _file(tmp_path, extra='[solve]\nformulation = "magic"\n')
    with pytest.raises(FormulationError, match=r"game.toml, line 13: solve.formulation: unknown formulation"):
        solve_file(file)
    with pytest.raises(FormulationError, match="accepted here"):
        solve_file(file, formulation="conic")  # a formulation of another game


def test_deprecated_formulation_spelling(tmp_path) -> None:
    file = _file(tmp_path)
    with pytest.warns(DeprecationWarning, match="'kkt_bigm' is deprecated; write 'kkt:bigm'"):
        request = FRONT_END.request(file, formulation="kkt_bigm")
    assert str(request.formulation) == "kkt:bigm"


def test_bad_tolerance_names_key(tmp_path) -> None:
    file = _file(tmp_path, extra="[solve]\ntolerance_classification = 2\n")
    with pytest.raises(GameFileError, match=r"line 13: solve.tolerance_classification: must be a number in \[0, 1\)"):
        solve_file(file)


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
    assert all(r["status"] == "optimal" and r["certificate"] == "global" for r in rows)
    assert not any("certified" in r for r in rows)
    assert all(isinstance(v, bool | int | float | str | type(None)) for r in rows for v in r.values())
    # the batched rows agree with the per-game solver they replace
    for point, row in zip(points, rows, strict=True):
        eq = solve_enumeration(symmetric_game(theta_G=point["regulation.theta_G"],
                                              theta_D=point["regulation.theta_D"],
                                              delta=point.get("bargaining.delta", 0.5)))
        assert row["U_G"] == pytest.approx(eq.U_G, abs=1e-12) and row["abstain"] == eq.abstain
        assert row["certificate"] == eq.certificate.level


def test_solve_batch_through_kkt_matches_enumeration(tmp_path) -> None:
    file = _file(tmp_path)
    points = [{"regulation.theta_D": 0.4}, {"regulation.theta_G": 0.5, "regulation.theta_D": 1.0}]
    fast = solve_batch(file, points)
    slow = solve_batch(file, points, FRONT_END.request(file, formulation="kkt:sos1", solver="scip"))
    for f, s in zip(fast, slow, strict=True):
        assert s["U_G"] == pytest.approx(f["U_G"], abs=1e-6) and s["classification"] == f["classification"]
        assert s["status"] == "optimal" and s["certificate"] == "global"
        assert set(s) == set(f)


def test_solve_batch_other_parameters(tmp_path) -> None:
    text = BASE.format(cost="{aa = 1, ab = 0, bb = 1}", tg=0.0, td=0.0).replace(
        "cost = [[1, 0], [0, 1]]", "cost = {aa = 1, ab = 0, bb = 1}")
    (tmp_path / "cross.toml").write_text(text)
    file = load_game_file(tmp_path / "cross.toml")
    point = {"generalist.cost.ab": -0.1, "specialists[0].cost.ab": -0.1, "regulation.theta_D": 1.0}
    rows = solve_batch(file, [point, {**point, "specialists[0].cost.ab": 0.0}])
    assert rows[0]["U_G"] == pytest.approx(0.72038, abs=1e-5)  # spec §4, C0 = C1
    assert rows[1]["U_G"] != pytest.approx(rows[0]["U_G"], abs=1e-3)  # C0 ≠ C1 is another game


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_examples_solve(example, capsys) -> None:
    report = _cli_json(capsys, str(example))
    assert report["outcomes"] and report["request"]["formulation"] == "enumeration"
    for name, outcome in report["outcomes"].items():
        _check_outcome_shape(outcome)
        equilibria = [s for s in outcome["stages"] if s["stage"].endswith("equilibrium")]
        assert all(s["certificate"]["level"] == "global" and s["backend"] is None for s in equilibria)
        if name == "fixed":
            assert outcome["certificate"]["level"] == "global" and outcome["status"] == "optimal"
        else:  # δ bargained on a grid and refined locally: the bargaining stage is the only non-global one
            bargaining = [s for s in outcome["stages"] if s["stage"].endswith("bargaining")]
            assert len(bargaining) == 2 and all(s["formulation"] == "grid" for s in bargaining)
            assert outcome["certificate"]["level"] == "local" and outcome["status"] == "locally_optimal"
            assert outcome["solution"] == name and "grid" in " ".join(outcome["certificate"]["reasons"])


def test_solve_batch_bargained_fast_path_matches_per_game() -> None:
    from ftgames.games.safety_regulation import _rows_bargained, load_game

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
