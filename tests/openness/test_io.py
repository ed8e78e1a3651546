"""The game-file front end: ftgames solve, batch evaluation for sweeps, errors naming key and line, figures."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from ftgames.cli import main
from ftgames.errors import InputError
from ftgames.formulations.grammar import FormulationError
from ftgames.formulations.openness.bargaining import bargain
from ftgames.formulations.openness.effects import classify
from ftgames.formulations.openness.equilibrium import compliance_loss, solve_equilibrium
from ftgames.games import solve_file as solve_game
from ftgames.games.openness_regulation import FRONT_END, load_game, render, solve_batch
from ftgames.io.gamefile import GameFile, GameFileError, load_game_file, set_dotted

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("openness_*.toml"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "game.toml"
    path.write_text('game = "openness_regulation"\n' + text)
    return path


def _schema_validator():
    import jsonschema

    schema = json.loads((ROOT / "src/ftgames/schema/outcome.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def _schema_errors(report: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _schema_validator().iter_errors(report)]


def _solve_json(capsys, *args: str) -> dict:
    assert main(["solve", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _check_outcome(out: dict, formulation: str) -> None:
    """Properties every openness outcome keeps, whatever the file: the formulation names the last stage, whose
    backend is the outcome's; status and certificate are the weakest of the stages'; timing covers the stages."""
    stages = out["stages"]
    assert stages[-1]["formulation"] == out["formulation"] == formulation
    assert stages[-1]["backend"] == out["backend"]
    assert out["backend"] is None if formulation == "enumeration" else out["backend"] == "scip"
    order = ["none", "local", "global"]
    assert out["certificate"]["level"] == min((s["certificate"]["level"] for s in stages), key=order.index)
    assert out["certificate"]["method"] == formulation
    severity = ["error", "time_limit", "infeasible", "unbounded", "not_computed", "locally_optimal", "optimal"]
    assert out["status"] == min((s["status"] for s in stages), key=severity.index)
    assert out["timing"]["total_s"] >= sum(s["timing"]["total_s"] for s in stages) - 1e-9
    assert out["regime"] in ("comply", "pay", "abstain")
    assert len(out["delta"]) == 1 and len(out["U_D"]) == 1
    regimes = {r["regime"]: r for r in out["regime_values"]}
    if out["regime"] != "abstain":  # the chosen regime's values are the outcome's
        chosen = regimes[out["regime"]]
        assert chosen["U_G"] == pytest.approx(out["U_G"], abs=1e-12)
        assert chosen["omega"] == pytest.approx(out["omega"], abs=1e-12)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_solve_and_validate_against_the_schema(path: Path, capsys) -> None:
    report = _solve_json(capsys, str(path))
    assert not _schema_errors(report)
    assert report["schema"] == "ftgames.outcome/1" and report["game"] == "openness_regulation"
    game, settings, _ = load_game(load_game_file(path))
    assert list(report["outcomes"]) == [settings["solution"]]  # one outcome: the file's bargaining solution
    (out,) = report["outcomes"].values()
    formulation = report["request"]["formulation"]
    _check_outcome(out, formulation)
    _check_outcome(report["unregulated"], formulation)
    assert report["unregulated"]["stages"][-1]["stage"] == "unregulated equilibrium"
    # the outcome is the SPE at its δ, recomputed here with the exact enumeration (and without regulation)
    for record, model in ((out, game), (report["unregulated"], game.unregulated())):
        exact = solve_equilibrium(model.with_delta(record["delta"][0]))
        assert record["regime"] == exact.regime
        assert record["U_G"] == pytest.approx(exact.U_G, abs=1e-6)
        assert record["U_D"][0] == pytest.approx(exact.U_D, abs=1e-3)
    base = report["unregulated"]
    effect = report["effect"]
    assert effect["effect"] == out["effect"] == classify(effect["change_U_G"], effect["change_U_D"])
    assert effect["change_U_G"] == pytest.approx(out["U_G"] - base["U_G"], abs=1e-12)
    assert effect["change_U_D"] == pytest.approx(out["U_D"][0] - base["U_D"][0],
                                                 abs=1e-12)
    assert report["compliance_loss"] == pytest.approx(compliance_loss(game.with_delta(out["delta"][0])), abs=1e-12)
    render(report)


def test_the_nash_example_shows_a_pareto_improvement(capsys) -> None:
    path = ROOT / "examples/openness_nash.toml"
    report = _solve_json(capsys, str(path))
    assert report["effect"]["effect"] == "pareto_improvement"
    out = report["outcomes"]["nash"]
    assert out["certificate"]["level"] == "global" and out["status"] == "optimal"
    bargaining, equilibrium = out["stages"]
    assert (bargaining["stage"], bargaining["backend"], bargaining["certificate"]["level"]) == ("bargaining", None,
                                                                                             "global")
    assert bargaining["certificate"]["checks"]["search"] == "exact"
    assert (equilibrium["stage"], equilibrium["formulation"], equilibrium["backend"]) == ("equilibrium", "kkt:sos1",
                                                                                         "scip")
    assert equilibrium["certificate"]["checks"]["regime_proofs"] == {"comply": "global", "pay": "global"}
    # δ is the exact Nash share, recomputed directly
    game, _, _ = load_game(load_game_file(path))
    nash = bargain(game, "nash", search="exact", pareto=False)
    assert out["delta"][0] == pytest.approx(nash.delta, abs=1e-12)
    assert out["U_G"] == pytest.approx(nash.equilibrium.U_G, abs=1e-6)
    free = bargain(game.unregulated(), "nash", search="exact", pareto=False)
    assert report["unregulated"]["delta"][0] == pytest.approx(free.delta, abs=1e-12)


def test_cli_solve_json_and_formulation_override(capsys) -> None:
    path = str(ROOT / "examples/openness_default.toml")
    enum = _solve_json(capsys, path)
    assert enum["request"]["formulation"] == "enumeration" and enum["request"]["solver"] is None
    for flag, canonical in (("kkt:bigm", "kkt:bigm"), ("kkt_direct:bigm", "kkt_direct:bigm"), ("kkt", "kkt:sos1")):
        kkt = _solve_json(capsys, path, "--formulation", flag)
        assert kkt["request"]["formulation"] == canonical
        assert kkt["request"]["formulation_source"] == "--formulation"
        (out,) = kkt["outcomes"].values()
        _check_outcome(out, canonical)
        assert out["regime"] == enum["outcomes"]["fixed"]["regime"]
        assert out["U_G"] == pytest.approx(enum["outcomes"]["fixed"]["U_G"], abs=1e-6)
        assert not _schema_errors(kkt)
    # the old spelling still parses, with a deprecation warning, to the same formulation
    with pytest.warns(DeprecationWarning, match="kkt:bigm"):
        old = solve_game(load_game_file(path), formulation="kkt_bigm")
    assert old["request"]["formulation"] == "kkt:bigm"
    assert old["outcomes"]["fixed"]["U_G"] == pytest.approx(
        enum["outcomes"]["fixed"]["U_G"], abs=1e-6)
    # a solver named for a stage that runs none is reported as unused
    named = _solve_json(capsys, path, "--solver", "scip")
    assert named["request"]["solver"]["used"] is False and "note" in named["request"]["solver"]


def test_outcome_timing_is_its_own_wall_clock(monkeypatch) -> None:
    """The regulated outcome's total time does not include the unregulated solve that follows it."""
    import time

    from ftgames.games import openness_regulation as front

    decide, pause = front._decide, 0.5

    def slow_unregulated(game, settings, request, stage):
        if stage.startswith("unregulated"):
            time.sleep(pause)
        return decide(game, settings, request, stage)

    monkeypatch.setattr(front, "_decide", slow_unregulated)
    report = solve_game(ROOT / "examples/openness_nash.toml", formulation="enumeration")
    out, base = report["outcomes"]["nash"], report["unregulated"]
    # the outcome's wall clock is its stages' plus a little bookkeeping, not the pause of the next solve
    assert out["timing"]["total_s"] - sum(s["timing"]["total_s"] for s in out["stages"]) < pause / 2
    assert base["timing"]["total_s"] >= pause


@pytest.mark.parametrize(("text", "error", "needles"), [
    ("[model.fine_tuning_cost]\nfamily = \"openness_discounted\"\nlam = 1.5\n", GameFileError,
     ["line 4", "model.fine_tuning_cost.lam", "[0, 1)"]),
    ("[model.fine_tuning_cost]\nlam = 60\n", GameFileError, ["line 3", "model.fine_tuning_cost.lam", "[0, 50]"]),
    ("[regulation]\ntheta = 2\n", GameFileError, ["line 3", "regulation.theta", "[0, 1]"]),
    ("[model.benefit]\nfamily = \"cubic\"\n", GameFileError, ["model.benefit.family", "concave_quadratic"]),
    ("[model]\nalpha1 = 2\n", GameFileError, ["model.alpha1", "unknown key"]),
    ("[bargaining]\nsolution = \"rubinstein\"\n", GameFileError, ["bargaining.solution", "nash"]),
    ("[bargaining]\ndelta = -0.5\n", GameFileError, ["bargaining.delta", "[0, 1]"]),
    ("[solve]\nformulation = \"magic\"\n", FormulationError,
     ["line 3", "solve.formulation", "'magic'", "kkt:bigm", "kkt_direct:bigm"]),
    ("[bargaining]\nsearch = \"random\"\n", GameFileError, ["bargaining.search", "exact"]),
    ("[model.benefit]\nfamily = \"concave_quadratic\"\n[bargaining]\nsolution = \"nash\"\nsearch = \"exact\"\n",
     GameFileError, ["bargaining.search", "search='grid'"]),
])
def test_bad_files_raise_errors_naming_key_and_range(tmp_path: Path, text: str, error: type,
                                                     needles: list[str]) -> None:
    file = load_game_file(write(tmp_path, text))
    with pytest.raises(error) as info:
        solve_game(file, formulation=None, solver=None)
    assert isinstance(info.value, InputError)  # every input error is an ftgames error and a ValueError
    for needle in needles:
        assert needle in str(info.value)


def test_cli_reports_errors_without_traceback(tmp_path: Path, capsys) -> None:
    assert main(["solve", str(write(tmp_path, "[regulation]\npenalty = -1\n"))]) == 2
    assert "regulation.penalty" in capsys.readouterr().err


def test_missing_tables_take_defaults(tmp_path: Path) -> None:
    game, settings, _ = load_game(load_game_file(write(tmp_path, "")))
    assert game.alpha0 == 1.0 and settings["solution"] == "fixed"


@pytest.mark.parametrize(("name", "formulation", "thetas"), [
    ("openness_default.toml", None, (0.2, 0.8)),
    ("openness_nash.toml", "kkt:sos1", (0.8,)),
])
def test_solve_batch_rows_are_flat_and_match_single_solves(tmp_path: Path, name: str, formulation: str | None,
                                                           thetas: tuple[float, ...]) -> None:
    file = load_game_file(ROOT / "examples" / name)
    points = [{"regulation.theta": t, "regulation.penalty": p, "model.fine_tuning_cost.lam": 0.6}
              for t in thetas for p in (0.01, 0.2)]
    request = FRONT_END.request(file, formulation=formulation)
    rows = solve_batch(file, points, request)
    assert len(rows) == len(points)
    for row, point in zip(rows, points, strict=True):
        assert all(isinstance(v, int | float | str | bool) for v in row.values())
        assert row["theta"] == point["regulation.theta"]
        assert {"omega", "regime", "alpha0", "alpha1", "U_G", "U_D", "welfare", "effect"} <= set(row)
        single = copy.deepcopy(file.data)
        for key, value in point.items():
            set_dotted(single, key, value)
        report = solve_game(GameFile(str(tmp_path / "one.toml"), "", single), formulation=formulation, solver=None)
        (solution, out), = report["outcomes"].items()
        assert row["formulation"] == out["formulation"] == str(request.formulation)
        assert row["bargaining_search"] == ("fixed" if solution == "fixed" else "exact")
        assert row["certificate"] == out["stages"][-1]["certificate"]["level"]
        assert row["delta"] == pytest.approx(out["delta"][0], abs=1e-12)
        assert row["U_G"] == pytest.approx(out["U_G"])
        assert row["U_D"] == pytest.approx(out["U_D"][0])
        assert row["regime"] == out["regime"]
        assert row["effect"] == out["effect"] == report["effect"]["effect"]
        assert row["U_G_unregulated"] == pytest.approx(report["unregulated"]["U_G"])
        assert row["compliance_loss"] == pytest.approx(report["compliance_loss"])
    with pytest.raises(GameFileError, match="not found"):
        solve_batch(file, [{"model.nonexistent": 1.0}])


def test_sweepable_defaults_exist_even_when_absent_from_the_file(tmp_path: Path) -> None:
    rows = solve_batch(load_game_file(write(tmp_path, "")), [{"model.benefit.epsilon": 0.3}])
    assert rows[0]["regime"] == "comply"


def test_plot_and_figure_commands_write_files(tmp_path: Path) -> None:
    from ftgames.figures.openness import main as figures

    assert main(["solve", str(ROOT / "examples/openness_default.toml"), "--plot", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").stat().st_size > 0
    assert figures(["regime-map", "--out", str(tmp_path), "--points", "3"]) == 0
    assert (tmp_path / "openness_regime_map.png").exists() and (tmp_path / "openness_regime_map.csv").exists()


@pytest.mark.slow
def test_every_figure_command_writes_files(tmp_path: Path) -> None:
    from ftgames.figures.openness import main as figures

    assert figures(["all", "--out", str(tmp_path), "--points", "3"]) == 0
    for name in ("openness_unregulated_openness", "openness_regime_map", "openness_baseline_map", "openness_effects"):
        assert (tmp_path / f"{name}.png").exists() and (tmp_path / f"{name}.csv").exists()


def test_figure_from_an_ftgames_sweep(tmp_path: Path) -> None:
    from ftgames.figures.openness import main as figures
    from ftgames.sweep import run_sweep

    run_sweep(str(ROOT / "examples/openness_default.toml"),
              ["regulation.theta=0:1:4", "regulation.penalty=0:0.12:3"], out=str(tmp_path / "sweep"),
              executor="serial", progress=False)
    assert figures(["regime-map", "--sweep", str(tmp_path / "sweep"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "openness_regime_map.png").exists()
