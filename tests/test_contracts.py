"""The contracts every game and formulation keeps (docs/contracts.md): one report shape validated by the shipped
JSON Schema, one formulation grammar, one solver precedence, wall-clock timing, errors that name their source."""

from __future__ import annotations

import json
import time
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from ftgames.cli import main
from ftgames.games import GAMES, solve_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
OUTCOME_FIELDS = {"delta", "U_G", "U_D", "status", "certificate", "formulation", "backend", "timing", "stages"}
#: each game's investments and labels, beside the common fields
GAME_FIELDS = {"fine_tuning": {"alpha0", "alpha", "regimes"},
               "safety_regulation": {"gamma0", "gamma", "participates", "abstain", "classification"},
               "openness_regulation": {"regime", "omega", "alpha0", "alpha1", "effect"}}


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(files("ftgames").joinpath("schema/outcome.schema.json").read_text())


def _cli_json(capsys, *args: str) -> dict:
    assert main(["solve", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_validates_against_the_schema(path: Path, schema: dict, capsys) -> None:
    report = _cli_json(capsys, str(path))
    jsonschema.validate(report, schema)
    assert report["game"] in GAMES
    for name, outcome in report["outcomes"].items():
        assert OUTCOME_FIELDS | GAME_FIELDS[report["game"]] <= set(outcome), name
        stages = outcome["stages"]
        # the outcome is the weakest of its stages, and its wall clock covers them all
        levels = ["none", "local", "global"]
        assert outcome["certificate"]["level"] == min((s["certificate"]["level"] for s in stages), key=levels.index)
        assert outcome["timing"]["total_s"] >= sum(s["timing"]["total_s"] for s in stages) - 1e-9
        assert outcome["timing"]["build_s"] + outcome["timing"]["solve_s"] == pytest.approx(
            outcome["timing"]["total_s"])


def test_the_three_games_share_top_level_keys_and_outcome_fields(capsys) -> None:
    tops, fields = [], []
    for name in ("one_specialist.toml", "safety_backfiring.toml", "openness_default.toml"):
        report = _cli_json(capsys, str(ROOT / "examples" / name))
        tops.append({"schema", "game", "file", "parameters", "request", "outcomes"} & set(report))
        fields.append(OUTCOME_FIELDS & set(next(iter(report["outcomes"].values()))))
    assert all(t == tops[0] for t in tops) and len(tops[0]) == 6
    assert all(f == OUTCOME_FIELDS for f in fields)


@pytest.mark.parametrize(("example", "formulation"), [
    ("one_specialist.toml", "kkt:product"), ("safety_mutualism.toml", "kkt:product"),
    ("openness_default.toml", "kkt:product")])
def test_environment_solver_runs_from_the_cli_and_the_outcome_says_so(monkeypatch, capsys, example, formulation):
    monkeypatch.setenv("FTGAMES_SOLVER", "ipopt")
    report = _cli_json(capsys, str(ROOT / "examples" / example), "--formulation", formulation)
    assert report["request"]["solver"] == {"name": "ipopt", "source": "environment variable FTGAMES_SOLVER",
                                           "used": True}
    for outcome in report["outcomes"].values():
        assert outcome["formulation"] == formulation and outcome["backend"] == "ipopt"
        assert outcome["certificate"]["level"] != "global"  # Ipopt is local: never labelled global


def test_environment_solver_is_honoured_by_the_python_api(monkeypatch) -> None:
    from ftgames.formulations.bilevel import solve_bilevel
    from ftgames.formulations.equilibrium import solve_equilibrium
    from ftgames.formulations.equilibrium.kkt import build_bilevel
    from ftgames.models import FineTuningGame

    game = FineTuningGame.quadratic(1.0, [2.0])
    monkeypatch.setenv("FTGAMES_SOLVER", "ipopt")
    eq = solve_equilibrium(game, [0.5], "kkt:product")
    assert eq.backend == "ipopt" and eq.certificate.level == "local"
    assert eq.alpha0 == pytest.approx(0.25, abs=1e-6)  # α0 = δ r / (2 c0)
    assert solve_bilevel(build_bilevel(game, [0.5]), encoding="product").backend_source.startswith("environment")
    assert solve_equilibrium(game, [0.5], "kkt:product", solver="scip").backend == "scip"  # keyword beats it


def test_a_solver_named_for_a_stage_that_runs_none_is_reported_unused(capsys) -> None:
    report = _cli_json(capsys, str(ROOT / "examples" / "safety_backfiring.toml"), "--solver", "highs")
    solver = report["request"]["solver"]
    assert solver["name"] == "highs" and solver["source"] == "--solver" and solver["used"] is False
    assert "runs no solver backend" in solver["note"]
    assert all(o["backend"] is None for o in report["outcomes"].values())


@pytest.mark.parametrize("example", ["one_specialist.toml", "safety_backfiring.toml", "openness_default.toml"])
def test_one_grammar_and_one_error_for_formulations(example: str, capsys) -> None:
    path = str(ROOT / "examples" / example)
    assert main(["solve", path, "--formulation", "kkt:nonsense"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ftgames: error: --formulation: unknown formulation 'kkt:nonsense'; accepted here: ")
    assert "kkt:sos1" in err and "Traceback" not in err and "line" not in err
    with pytest.warns(DeprecationWarning, match="write 'kkt:sos1'"):
        report = solve_file(path, formulation="kkt_sos1")
    assert report["request"]["formulation"] == "kkt:sos1"


def test_environment_and_flag_errors_name_their_source_not_the_file(monkeypatch, capsys) -> None:
    path = str(ROOT / "examples" / "one_specialist.toml")
    monkeypatch.setenv("FTGAMES_SOLVER", "cplex")
    assert main(["solve", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ftgames: error: environment variable FTGAMES_SOLVER: unknown solver 'cplex'")
    assert "line" not in err and path not in err
    monkeypatch.delenv("FTGAMES_SOLVER")
    assert main(["solve", path, "--solver", "cplex"]) == 2
    assert capsys.readouterr().err.startswith("ftgames: error: --solver: unknown solver 'cplex'")


@pytest.mark.parametrize(("line", "needle"), [('time_limit = "ten"', "solve.time_limit: must be a finite number"),
                                              ('threads = "2"', "solve.threads: must be an integer"),
                                              ("tolerance = 3", "solve.tolerance: must be in (0, 1)")])
def test_wrong_types_in_the_solve_table_name_file_line_and_key(tmp_path, capsys, line, needle) -> None:
    game = tmp_path / "g.toml"
    game.write_text(f'game = "fine_tuning"\n[generalist]\ncost = 1.0\n[[specialists]]\ncost = 2.0\n[solve]\n{line}\n')
    assert main(["solve", str(game)]) == 2
    err = capsys.readouterr().err
    assert f"{game}, line 7: {needle}" in err and "Traceback" not in err and err.count(str(game)) == 1


def test_recorded_time_is_never_below_the_wall_clock(monkeypatch) -> None:
    """A formulation that takes 0.2 s but reports nothing: the front end's own stopwatch still records it."""
    import ftgames.formulations.equilibrium as equilibrium

    real = equilibrium.solve_equilibrium

    def slow(*args, **kwargs):
        time.sleep(0.2)
        return real(*args, **kwargs)

    monkeypatch.setattr(equilibrium, "solve_equilibrium", slow)
    start = time.perf_counter()
    report = solve_file(ROOT / "examples" / "one_specialist.toml", formulation="closed_form")
    wall = time.perf_counter() - start
    outcomes = list(report["outcomes"].values())
    for outcome in outcomes:
        stage = next(s for s in outcome["stages"] if s["stage"] == "equilibrium")
        assert stage["timing"]["total_s"] >= 0.2 and outcome["timing"]["total_s"] >= 0.2
    assert sum(o["timing"]["total_s"] for o in outcomes) <= wall


def test_enumeration_reports_its_solve_time() -> None:
    """Bilevel enumeration used to report solve_time = 0 (only the build was timed)."""
    from ftgames.catalogue import bilevel_instance
    from ftgames.formulations.bilevel import solve_bilevel

    start = time.perf_counter()
    res = solve_bilevel(bilevel_instance(1).build(), encoding="enumeration", solver="highs")
    wall = time.perf_counter() - start
    assert res.solve_time > 0 and res.certificate_time > 0
    assert wall - 0.01 <= res.total_time <= wall  # build + solve + certificate: the whole call


@pytest.mark.parametrize(("given", "expected"), [("kkt", "kkt:sos1"), ("kkt:bigm", "kkt:bigm"), (" conic ", "conic"),
                                                 (("kkt", "product"), "kkt:product"), (("enumeration", None),
                                                                                       "enumeration")])
def test_the_grammar_parses_every_spelling(given, expected) -> None:
    from ftgames.formulations.grammar import parse_formulation

    accepted = ("enumeration", "kkt:sos1", "kkt:bigm", "kkt:product", "conic")
    assert str(parse_formulation(given, accepted)) == expected


@pytest.mark.parametrize("bad", ["kkt:", ":sos1", "", "kkt:sos2", "KKT", 3, ("kkt",), None])
def test_the_grammar_refuses_what_it_does_not_accept(bad) -> None:
    from ftgames.errors import InputError
    from ftgames.formulations.grammar import FormulationError, parse_formulation

    with pytest.raises(FormulationError, match="^flag: .*accepted") as info:
        parse_formulation(bad, ("kkt:sos1", "enumeration"), source="flag")
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


def test_an_incapable_backend_is_refused_naming_who_chose_it(monkeypatch, capsys) -> None:
    path = str(ROOT / "examples" / "safety_backfiring.toml")
    monkeypatch.setenv("FTGAMES_SOLVER", "highs")
    assert main(["solve", path, "--formulation", "kkt:sos1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ftgames: error: environment variable FTGAMES_SOLVER: solver 'highs' cannot solve")
    assert "backends that would work: scip" in err
    assert main(["solve", path, "--formulation", "kkt:sos1", "--solver", "highs"]) == 2
    assert capsys.readouterr().err.startswith("ftgames: error: --solver: solver 'highs' cannot solve")
