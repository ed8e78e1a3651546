"""The regulator's design problem against brute force on fine grids of exact equilibria (random safety games),
the program formulation's bound against the same brute force, optima on regime boundaries, the CLI and its errors."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from ftgames.cli import main
from ftgames.design import DesignError, Expression, design
from ftgames.formulations.safety.bargaining import bargain_grid
from ftgames.formulations.safety.enumeration import solve_enumeration, solve_grid
from ftgames.models.safety import SafetyGame, Specialist, symmetric_game

ROOT = Path(__file__).resolve().parents[2]


def random_params(seed: int) -> dict:
    rng = np.random.default_rng(seed)

    def spd() -> list[list[float]]:
        a, b = rng.uniform(0.5, 2.0, 2)
        c = rng.uniform(-0.6, 0.6) * np.sqrt(a * b)
        return [[round(float(a), 4), round(float(c), 4)], [round(float(c), 4), round(float(b), 4)]]

    return {"C0": spd(), "C1": spd(), "r": [round(float(x), 4) for x in rng.uniform(0.3, 1.5, 2)],
            "delta": round(float(rng.uniform(0.2, 0.8)), 4)}


def write_game(path: Path, p: dict, extra: str = "") -> Path:
    path.write_text(f'game = "safety_regulation"\n[generalist]\ncost = {p["C0"]}\n[[specialists]]\ncost = {p["C1"]}\n'
                    f'revenue = {p["r"]}\n[bargaining]\ndelta = [{p["delta"]}]\n{extra}')
    return path


def game_of(p: dict) -> SafetyGame:
    return SafetyGame(np.array(p["C0"]), (Specialist(np.array(p["C1"]), np.array(p["r"]), delta=p["delta"]),))


def fields(res: dict) -> dict[str, np.ndarray]:
    part = res["participates"][..., 0]
    beta = np.where(part, np.nan_to_num(res["beta"][..., 0]), 0.0)
    return {"safety": beta, "U_G": res["U_G"], "U_D": res["U_D"][..., 0],
            "welfare": res["U_G"] + res["U_D"][..., 0]}


def independent_value(p: dict, rule: dict, objective: str) -> float:
    """The objective at ``rule`` from one game solved on its own (not through the design layer)."""
    g = game_of(p).with_regulation(theta_G=rule.get("regulation.theta_G", 0.0),
                                   theta_D=rule.get("regulation.theta_D", 0.0))
    eq = solve_enumeration(g)
    values = {"safety": 0.0 if eq.abstain or not eq.participates[0] else float(eq.gamma[0][1]),
              "U_G": eq.U_G, "U_D": float(eq.U_D[0]), "welfare": eq.U_G + float(eq.U_D[0])}
    return values[objective]


# ------------------------------------------------------------------------------------------------- expressions
@pytest.mark.parametrize("text", ["__import__('os').system('true')", "U_G.__class__", "(lambda: 1)()",
                                  "U_G[0:1]", "open('x')", "U_G if U_G else 0", "'text'", "U_G ** U_D",
                                  "[U_G]", "U_G @ U_D"])
def test_unsafe_or_unknown_syntax_is_refused(text: str) -> None:
    with pytest.raises(DesignError, match="--maximize"):
        Expression.parse(text, "--maximize")


def test_expressions_evaluate_like_numpy() -> None:
    rng = np.random.default_rng(0)
    values = {"U_G": rng.normal(size=50), "U_D": rng.normal(size=50), "regulation.theta_D": rng.uniform(size=50)}
    e = Expression.parse("2*U_G - U_D/3 + max(U_G, U_D)**2 - abs(regulation.theta_D - 0.5)", "--maximize")
    expected = 2 * values["U_G"] - values["U_D"] / 3 + np.maximum(values["U_G"], values["U_D"]) ** 2 \
        - np.abs(values["regulation.theta_D"] - 0.5)
    np.testing.assert_allclose(e.evaluate(values), expected)
    c = Expression.parse("U_G >= 0.2 and not U_D < 0 or 0 <= regulation.theta_D <= 0.1", "--subject-to")
    truth = ((values["U_G"] >= 0.2 - 1e-9) & ~(values["U_D"] < -1e-9)) | (values["regulation.theta_D"] <= 0.1 + 1e-9)
    np.testing.assert_array_equal(c.evaluate(values), truth)
    assert c.is_condition and not e.is_condition


# ------------------------------------------------------------------------------------------------- brute force
@pytest.mark.parametrize("seed", range(6))
def test_one_floor_matches_brute_force(seed: int, tmp_path: Path) -> None:
    """θD alone, θG = 0: the design optimum is at least the best of 20,001 exact equilibria, and attained."""
    p = random_params(seed)
    path = write_game(tmp_path / "g.toml", p)
    objective = ("safety", "welfare", "U_D")[seed % 3]
    report = design(path, ["regulation.theta_D=0:2.5"], maximize=objective, formulations=["exact"])
    theta = np.linspace(0, 2.5, 20_001)
    brute = fields(solve_grid(game_of(p), theta_G=0.0, theta_D=theta))[objective]
    assert report["value"] >= brute.max() - 1e-9, (p, objective)
    assert report["value"] == pytest.approx(independent_value(p, report["rule"], objective), abs=1e-12)


@pytest.mark.parametrize("seed", range(10, 14))
def test_two_floors_match_brute_force(seed: int, tmp_path: Path) -> None:
    p = random_params(seed)
    path = write_game(tmp_path / "g.toml", p)
    objective = ("safety", "welfare", "U_G", "U_D")[seed % 4]
    report = design(path, ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"], minimize=None,
                    maximize=objective, formulations=["exact"])
    TG, TD = np.meshgrid(np.linspace(0, 1.5, 241), np.linspace(0, 2.5, 401), indexing="ij")
    brute = fields(solve_grid(game_of(p), theta_G=TG, theta_D=TD))[objective]
    assert report["value"] >= brute.max() - 1e-9, (p, objective)
    assert report["value"] == pytest.approx(independent_value(p, report["rule"], objective), abs=1e-12)


def test_a_ridge_of_the_objective_is_followed(tmp_path: Path) -> None:
    """max min(U_G, U_D): the optimum lies on the ridge U_G = U_D, which no grid direction follows (the nested grids
    alone stopped 2.5e-4 short); at least the best of a 201 × 201 grid of exact equilibria in a small box around it."""
    p = {"C0": [[2.8762, -1.759], [-1.759, 2.3734]], "C1": [[2.5329, -0.6929], [-0.6929, 2.5925]],
         "r": [1.0717, 1.2447], "delta": 0.355}
    path = write_game(tmp_path / "ridge.toml", p)
    report = design(path, ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"], maximize="min(U_G, U_D)",
                    formulations=["exact"])
    TG, TD = np.meshgrid(np.linspace(0.40, 0.43, 201), np.linspace(0.94, 0.98, 201), indexing="ij")
    f = fields(solve_grid(game_of(p), theta_G=TG, theta_D=TD))
    brute = np.minimum(f["U_G"], f["U_D"]).max()
    assert report["value"] >= brute - 1e-9
    rule = report["rule"]
    assert report["value"] == pytest.approx(min(independent_value(p, rule, "U_G"), independent_value(p, rule, "U_D")),
                                            abs=1e-12)


def test_a_thin_feasible_band_of_two_specialists_is_followed(tmp_path: Path) -> None:
    """max U_G s.t. U_D_2 >= 0.1 with two specialists: U_G rises along the edge of the thin band where the floor on
    D2's utility holds (the nested grids alone stopped 0.2 % short); at least the best of a 61 × 61 grid of exact
    equilibria in a small box around the optimum."""
    from ftgames.formulations.safety.enumeration import GameArrays, solve_arrays

    path = tmp_path / "band.toml"
    path.write_text('game = "safety_regulation"\n[generalist]\ncost = [[2.6583, -1.2323], [-1.2323, 2.9542]]\n'
                    '[[specialists]]\ncost = [[1.5115, -0.1262], [-0.1262, 1.4699]]\nrevenue = [1.1376, 0.4343]\n'
                    '[[specialists]]\ncost = [[2.8733, 0.3983], [0.3983, 0.6244]]\nrevenue = [0.4352, 1.6389]\n'
                    '[bargaining]\ndelta = [0.144, 0.356]\n')
    report = design(path, ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"], maximize="U_G",
                    subject_to=["U_D_2 >= 0.1"], formulations=["exact"])
    base = SafetyGame(np.array([[2.6583, -1.2323], [-1.2323, 2.9542]]),
                      (Specialist(np.array([[1.5115, -0.1262], [-0.1262, 1.4699]]), np.array([1.1376, 0.4343]),
                                  delta=0.144),
                       Specialist(np.array([[2.8733, 0.3983], [0.3983, 0.6244]]), np.array([0.4352, 1.6389]),
                                  delta=0.356)))
    rules = [(g, d) for g in np.linspace(0.23, 0.27, 61) for d in np.linspace(2.08, 2.16, 61)]
    res = solve_arrays(GameArrays.from_games([base.with_regulation(theta_G=g, theta_D=d) for g, d in rules]))
    brute = np.where(res["U_D"][:, 1] >= 0.1 - 1e-9, res["U_G"], -np.inf).max()
    assert report["value"] >= brute - 1e-9
    assert report["outcome"]["U_D_2"] >= 0.1 - 1e-9


@pytest.mark.parametrize("seed", range(20, 23))
def test_program_bound_is_valid_and_attained(seed: int, tmp_path: Path) -> None:
    """The program's proved bound is never below a brute-force value; when the answer is certified global the
    exact search attains it."""
    p = random_params(seed)
    path = write_game(tmp_path / "g.toml", p)
    objective = ("safety", "welfare", "U_D")[seed % 3]
    report = design(path, ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"], maximize=objective, grid=61)
    TG, TD = np.meshgrid(np.linspace(0, 1.5, 151), np.linspace(0, 2.5, 251), indexing="ij")
    brute = fields(solve_grid(game_of(p), theta_G=TG, theta_D=TD))[objective].max()
    program = report["formulations"]["program"]
    assert program["applicable"] and program["proved"]
    assert program["bound"] >= brute - 1e-7 and program["bound"] >= report["value"] - 1e-7
    assert report["certificate"]["level"] == "global", report["certificate"]
    assert report["value"] >= program["bound"] - 1e-6 * (1 + abs(program["bound"]))


def test_constraint_on_a_utility(tmp_path: Path) -> None:
    """Max safety subject to U_G >= 0.2 (symmetric game): brute force over the grid where the constraint holds."""
    report = design(ROOT / "examples/safety_backfiring.toml", ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"],
                    maximize="safety", subject_to=["U_G >= 0.2"], grid=61)
    TG, TD = np.meshgrid(np.linspace(0, 1.5, 241), np.linspace(0, 2.5, 401), indexing="ij")
    f = fields(solve_grid(symmetric_game(), theta_G=TG, theta_D=TD))
    brute = np.where(f["U_G"] >= 0.2, f["safety"], -np.inf).max()
    assert report["value"] >= brute - 1e-9 and report["outcome"]["U_G"] >= 0.2 - 1e-9
    assert report["certificate"]["level"] == "global"
    assert report["boundary"]["on_constraint_boundary"]  # U_G = 0.2 exactly: a neighbour breaks the constraint


def test_a_rule_next_to_a_bound_is_put_on_it() -> None:
    """The safest floors leave θG at its lower bound: reported as 0, not as a numerical crumb."""
    report = design(ROOT / "examples/safety_backfiring.toml", ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"],
                    maximize="safety", formulations=["exact"])  # the default grid's poll ends 1.8e-9 off
    assert report["rule"]["regulation.theta_G"] == 0.0
    assert report["boundary"]["on_regime_boundary"] and "abstain" in report["boundary"]["labels_nearby"]


def test_optimum_on_the_backfiring_edge(tmp_path: Path) -> None:
    """Minimizing final safety over θD at θG = 0 drives the rule to the lower edge of the backfiring band
    θD = 1/2 − δ/4 = 0.375 (β1 = θD there; below it β1 = 1/2): an optimum on a regime boundary."""
    report = design(ROOT / "examples/safety_backfiring.toml", ["regulation.theta_D=0.2:0.45"], minimize="safety",
                    formulations=["exact", "program"], grid=26)
    assert report["value"] == pytest.approx(0.375, abs=1e-7)
    assert report["rule"]["regulation.theta_D"] == pytest.approx(0.375, abs=1e-7)
    assert report["boundary"]["on_regime_boundary"]
    assert {"backfiring", "feasible"} <= set(report["boundary"]["labels_nearby"])
    program = report["formulations"]["program"]
    assert program["proved"] and program["bound"] <= report["value"] + 1e-7


def test_bargained_design_matches_brute_force(tmp_path: Path) -> None:
    """δ bargained (Nash, the front end's 98 shares): the design optimum over θD is at least the best of a fine
    brute-force grid of bargained equilibria; the program does not apply and says why."""
    report = design(ROOT / "examples/safety_backfiring.toml", ["regulation.theta_D=0:1.2"], maximize="safety",
                    bargaining="nash", grid=41)
    theta = np.linspace(0, 1.2, 601)
    res = bargain_grid(symmetric_game(), "nash", np.zeros_like(theta), theta)
    brute = fields(res)["safety"].max()
    assert report["value"] >= brute - 1e-9
    assert report["bargaining"] == "nash" and report["certificate"]["level"] == "local"
    assert not report["formulations"]["program"]["applicable"]
    assert "fixed δ" in report["formulations"]["program"]["reason"]


# ------------------------------------------------------------------------------------------------- CLI
def test_cli_json_follows_the_schema(capsys) -> None:
    code = main(["design", str(ROOT / "examples/safety_backfiring.toml"), "--vary", "regulation.theta_G=0:1.5",
                 "--vary", "regulation.theta_D=0:2.5", "--maximize", "safety", "--subject-to", "U_G >= 0.2",
                 "--grid", "41", "--json"])
    assert code == 0
    text = capsys.readouterr().out
    report = json.loads(text)
    assert "NaN" not in text and "Infinity" not in text
    schema = json.loads(files("ftgames").joinpath("schema/design.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert report["certificate"]["level"] == "global" and report["status"] == "optimal"


def test_cli_plot(tmp_path: Path) -> None:
    out = tmp_path / "design.png"
    assert main(["design", str(ROOT / "examples/safety_backfiring.toml"), "--vary", "regulation.theta_D=0:2.5",
                 "--maximize", "welfare", "--formulation", "exact", "--grid", "51", "--plot", str(out)]) == 0
    assert out.stat().st_size > 1000


@pytest.mark.parametrize(("args", "message"), [
    (["--vary", "regulation.theta_D=1:0", "--maximize", "safety"], "lower bound must be below"),
    (["--vary", "regulation.theta_D=0:x", "--maximize", "safety"], "'x' is not a number"),
    (["--vary", "specialists[0].cost[0][0]=1:2", "--maximize", "safety"], "only regulation keys"),
    (["--vary", "regulation.theta_D=0:1", "--maximize", "happiness"], "unknown name 'happiness'"),
    (["--vary", "regulation.theta_D=0:1", "--maximize", "__import__('os')"], "unsupported syntax"),
    (["--vary", "regulation.theta_D=0:1", "--maximize", "U_G >= 0"], "must be a number"),
    (["--vary", "regulation.theta_D=0:1", "--maximize", "safety", "--subject-to", "U_G"], "must be a comparison"),
    (["--vary", "regulation.theta_D=-1:1", "--maximize", "safety"], "theta"),
    (["--vary", "regulation.theta_D=0:1", "--maximize", "safety", "--bargaining", "kalai"], "valid: fixed"),
    (["--vary", "regulation.theta_D=0:1", "--maximize", "safety", "--grid", "2"], "--grid"),
    (["--vary", "regulation.theta_D=0:1", "--maximize", "safety", "--formulation", "magic"], "valid: exact"),
    (["--vary", "regulation.nothing=0:1", "--maximize", "safety"], "regulation.nothing"),
    (["--vary", "regulation.theta_D=0:1", "--maximize", "safety/0"], "--maximize 'safety/0': division by zero"),
])
def test_cli_errors_name_their_source(args: list[str], message: str, capsys) -> None:
    code = main(["design", str(ROOT / "examples/safety_backfiring.toml"), *args])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("ftgames: error:") and message in err, err
    assert "Traceback" not in err


# ------------------------------------------------------------------------------------------------- openness
def test_openness_design_matches_brute_force(tmp_path: Path) -> None:
    """Welfare-maximizing definition (θ, p) of the openness game: at least the best of a brute-force grid of exact
    equilibria (the front end's batch solver, rule by rule); where the definition binds, G complies and the
    penalty covers its compliance loss."""
    from ftgames.games.openness_regulation import solve_batch
    from ftgames.io.gamefile import load_game_file

    path = tmp_path / "open.toml"
    path.write_text('game = "openness_regulation"\n[model]\nalpha0 = 1.2\n[regulation]\ntheta = 0.0\npenalty = 0.0\n')
    report = design(path, ["regulation.theta=0:1", "regulation.penalty=0:0.2"], maximize="welfare", grid=21)
    file = load_game_file(path)
    thetas, penalties = np.linspace(0, 1, 41), np.linspace(0, 0.2, 21)
    rows = solve_batch(file, [{"regulation.theta": float(t), "regulation.penalty": float(p)}
                              for t in thetas for p in penalties])
    brute = max(r["welfare"] for r in rows if r["welfare"] is not None)
    assert report["value"] >= brute - 1e-9
    assert report["formulations"]["program"]["applicable"] is True
    assert report["formulations"]["program"]["bound"] >= brute - 1e-9
    assert report["certificate"]["level"] == "global"
    out = report["outcome"]
    assert out["welfare"] == pytest.approx(report["value"])
    if out["comply"]:
        assert report["rule"]["regulation.penalty"] >= out["compliance_loss"] - 1e-9 or out["compliance_loss"] == 0


def test_discrete_rules_are_enumerated_exhaustively(tmp_path: Path) -> None:
    """A finite set of rules is enumerated: the answer is the best of them, certified global."""
    report = design(ROOT / "examples/safety_backfiring.toml", ["regulation.theta_D=0,0.4,0.5,1.0,1.5"],
                    maximize="U_G", formulations=["exact"])
    values = {t: solve_enumeration(symmetric_game(theta_D=t)).U_G for t in (0, 0.4, 0.5, 1.0, 1.5)}
    best = max(values, key=values.get)
    assert report["rule"]["regulation.theta_D"] == best and report["value"] == pytest.approx(values[best])
    assert report["certificate"]["level"] == "global"


@pytest.mark.parametrize(("c", "delta"), [(-0.2, 0.3), (0.15, 0.6)])
def test_welfare_maximizing_floors_are_the_first_best_safety_levels(c: float, delta: float, tmp_path: Path) -> None:
    """Symmetric costs [[1, c], [c, 1]], r = (1, 1): the welfare-maximizing floors are the first-best safety levels
    β0 = 1/(2(1 + c)), β1 = 1/(1 + c) (joint surplus: γ0 = γ1 − γ0 = C⁻¹r/2), whatever δ — a closed form."""
    p = {"C0": [[1.0, c], [c, 1.0]], "C1": [[1.0, c], [c, 1.0]], "r": [1.0, 1.0], "delta": delta}
    report = design(write_game(tmp_path / "g.toml", p), ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"],
                    maximize="welfare", grid=61)
    first_best = {"regulation.theta_G": 1 / (2 * (1 + c)), "regulation.theta_D": 1 / (1 + c)}
    assert report["rule"]["regulation.theta_G"] == pytest.approx(first_best["regulation.theta_G"], abs=1e-5)
    assert report["rule"]["regulation.theta_D"] == pytest.approx(first_best["regulation.theta_D"], abs=1e-5)
    assert report["value"] == pytest.approx(independent_value(p, first_best, "welfare"), abs=1e-8)
    assert report["certificate"]["level"] == "global"


def test_flat_objective_with_a_d_floor_only(tmp_path: Path) -> None:
    """A D floor alone cannot raise welfare in the symmetric game (0.75, reached by every θD ≤ 0.375); one of the
    case programs here made SCIP flood its output at the default tolerance (a hang, before the fix)."""
    report = design(ROOT / "examples/safety_backfiring.toml", ["regulation.theta_D=0:2.5"], maximize="welfare")
    assert report["value"] == pytest.approx(0.75, abs=1e-8) and report["rule"]["regulation.theta_D"] <= 0.375 + 1e-8
    assert report["certificate"]["level"] == "global"


def test_a_grid_too_large_is_refused_before_solving(capsys) -> None:
    code = main(["design", str(ROOT / "examples/safety_backfiring.toml"), "--vary", "regulation.theta_G=0:1.5",
                 "--vary", "regulation.theta_D=0:2.5", "--maximize", "safety", "--grid", "100001"])
    err = capsys.readouterr().err
    assert code == 2 and "at most 2,000,000" in err and "--grid" in err


def test_one_specialists_floor_of_two_matches_brute_force(tmp_path: Path) -> None:
    """Two specialists, the first one's floor varied alone (``regulation.theta_D[0]``): at least the best of 2,001
    exact equilibria solved directly."""
    from ftgames.formulations.safety.enumeration import GameArrays, solve_arrays

    path = tmp_path / "two.toml"
    path.write_text('game = "safety_regulation"\n[generalist]\ncost = [[1, 0.1], [0.1, 1]]\n'
                    '[[specialists]]\ncost = [[1, 0], [0, 1]]\nrevenue = [1, 1]\n'
                    '[[specialists]]\ncost = [[1, 0.2], [0.2, 1]]\nrevenue = [0.5, 1]\n'
                    '[regulation]\ntheta_G = 0.1\ntheta_D = [0.0, 0.3]\n[bargaining]\ndelta = [0.5, 0.4]\n')
    report = design(path, ["regulation.theta_D[0]=0:2"], maximize="welfare", subject_to=["U_D_2 >= 0.05"])
    base = SafetyGame(np.array([[1, 0.1], [0.1, 1]]),
                      (Specialist(np.eye(2), np.array([1.0, 1.0]), delta=0.5),
                       Specialist(np.array([[1, 0.2], [0.2, 1]]), np.array([0.5, 1.0]), delta=0.4)), theta_G=0.1)
    thetas = np.linspace(0, 2, 2001)
    res = solve_arrays(GameArrays.from_games([base.with_regulation(theta_D=[t, 0.3]) for t in thetas]))
    welfare = res["U_G"] + res["U_D"].sum(axis=1)
    brute = np.where(res["U_D"][:, 1] >= 0.05 - 1e-9, welfare, -np.inf).max()
    assert report["value"] >= brute - 1e-9
    assert "one specialist" in report["formulations"]["program"]["reason"]


def test_varying_a_floor_a_specialist_overrides_is_refused_by_name(tmp_path: Path) -> None:
    """A specialist's own theta_D overrides regulation.theta_D: varying the latter would move nothing."""
    from ftgames.design import build_problem
    from ftgames.design.expression import DesignError

    text = Path("examples/safety_backfiring.toml").read_text().replace(
        "revenue = [1, 1]", "revenue = [1, 1]\ntheta_D = 0.9", 1)
    game = tmp_path / "own.toml"
    game.write_text(text)
    with pytest.raises(DesignError, match=r"specialists\[0\] sets its own theta_D"):
        build_problem(str(game), ["regulation.theta_D=0:0.5"], maximize="safety")
    with pytest.raises(DesignError, match="got 'specialists"):
        build_problem(str(game), ["specialists[0].theta_D=0:0.5"], maximize="safety")


def test_an_objective_undefined_everywhere_says_so(tmp_path: Path) -> None:
    """0/0 at every rule: no answer, and the reason is the objective, not the constraints."""
    report = design("examples/safety_backfiring.toml", ["regulation.theta_D=0:2.5"], maximize="safety/(U_G - U_G)",
                    formulations=["exact"], grid=21)
    assert report["status"] == "infeasible" and report["rule"] is None
    assert "objective is undefined at every explored rule" in report["certificate"]["reasons"][0]


def test_an_expression_the_program_cannot_write_falls_back_to_the_exact_search(tmp_path: Path) -> None:
    """'or', abs and min are the exact search's only: the program says why it does not apply, and the design runs."""
    from ftgames.design import design

    report = design("examples/safety_backfiring.toml", ["regulation.theta_D=0:2.5"], maximize="safety",
                    subject_to=["U_G >= 0.3 or U_D >= 0.6"], grid=21)
    program = report["formulations"]["program"]
    assert not program["applicable"] and "cannot be written in the program formulation" in program["reason"]
    assert report["status"] == "locally_optimal" and report["value"] is not None
