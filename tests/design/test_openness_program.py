"""The openness game's program formulation (``ftgames.design.openness_program``): the candidate lemma it rests on,
its proved bound against brute-force grids of exact equilibria (the front end's batch solver, rule by rule) on
random games of both reconstructions (the default forms and the spec's linear forms, with and without a compliance
term), and the design certified global by attaining it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ftgames.design import design
from ftgames.design.games import Evaluator
from ftgames.design.openness_program import crossing, point, stationary_point
from ftgames.design.problem import build_problem
from ftgames.design.program import solve_program
from ftgames.formulations.openness.enumeration import equilibrium_arrays
from ftgames.formulations.openness.equilibrium import solve_equilibrium
from ftgames.games.openness_regulation import load_game, solve_batch
from ftgames.io.gamefile import load_game_file

ROOT = Path(__file__).resolve().parents[2]
BOX = ["regulation.theta=0:1", "regulation.penalty=0:0.2"]


def random_game(path: Path, seed: int, variant: str) -> Path:
    """A random openness game: ``default`` forms (exponential discount, concave benefit, quadratic leak) or the
    spec's ``linear`` ones; no compliance term, a flat one or one per unit of openness (by seed); random α0, δ."""
    rng = np.random.default_rng(seed)
    a0, delta = rng.uniform(0.3, 3.0), rng.uniform(0.2, 0.8)
    if variant == "default":
        model = (f'[model.fine_tuning_cost]\nfamily = "exponential_discount"\nkappa0 = {rng.uniform(0.3, 1):.3f}\n'
                 f'lam = {rng.uniform(0.2, 1.5):.3f}\n[model.benefit]\nfamily = "concave_quadratic"\n'
                 f'epsilon = {rng.uniform(0.05, 0.5):.3f}\ncurvature = {rng.uniform(0, 0.5):.3f}\n'
                 f'[model.operation_cost]\nfamily = "quadratic_leak"\nc_O = {rng.uniform(0.1, 0.8):.3f}\n')
    else:
        model = (f'[model.fine_tuning_cost]\nfamily = "openness_discounted"\nkappa0 = {rng.uniform(0.3, 1):.3f}\n'
                 f'lam = {rng.uniform(0.1, 0.9):.3f}\n[model.benefit]\nfamily = "linear"\n'
                 f'epsilon = {rng.uniform(0, 0.3):.3f}\n[model.operation_cost]\nfamily = "linear_leak"\n'
                 f'c_O = {rng.uniform(0.1, 1):.3f}\n')
    cost, exemption = rng.uniform(0, 0.04), rng.uniform(0, 0.03)
    compliance = ["", f'[model.compliance_cost]\nfamily = "flat"\ncost = {cost:.3f}\nexemption = {exemption:.3f}\n',
                  f'[model.compliance_cost]\nfamily = "per_openness"\ncost = {cost:.3f}\n'
                  f'exemption = {exemption:.3f}\n'][seed % 3]
    path.write_text(f'game = "openness_regulation"\n[model]\nalpha0 = {a0:.3f}\n{model}{compliance}'
                    f'[regulation]\ntheta = 0.0\npenalty = 0.0\npenalty_is_transfer = {str(seed % 2 == 1).lower()}\n'
                    f'[bargaining]\ndelta = {delta:.3f}\n')
    return path


def brute_rows(path: Path, n: int = 21, pmax: float = 0.2) -> list[dict]:
    """Exact equilibria on an n × n grid of (θ, p), through the front end's batch solver."""
    points = [{"regulation.theta": float(t), "regulation.penalty": float(p)}
              for t in np.linspace(0, 1, n) for p in np.linspace(0, pmax, n)]
    return solve_batch(load_game_file(path), points)


def objectives(rows: list[dict]) -> list[tuple[str, list[str], str, float]]:
    """(objective, constraints, sense, brute-force optimum): welfare, openness, U_G with a floor on U_D (the
    unregulated U_D + 0.01), and the least welfare at which G still takes part."""
    floor = rows[0]["U_D_unregulated"] + 0.01

    def best(values: list[float | None], sense: str) -> float:
        finite = [v for v in values if v is not None and np.isfinite(v)]
        return (max if sense == "maximize" else min)(finite) if finite else np.nan

    takes_part = [r for r in rows if r["regime"] != "abstain"]
    return [("welfare", [], "maximize", best([r["welfare"] for r in rows], "maximize")),
            ("openness", [], "maximize", best([r["omega"] for r in rows], "maximize")),
            ("U_G", [f"U_D >= {floor!r}"], "maximize",
             best([r["U_G"] for r in rows if r["U_D"] >= floor - 1e-9], "maximize")),
            ("welfare", ["U_G >= 0", "abstain <= 0"], "minimize", best([r["welfare"] for r in takes_part],
                                                                        "minimize"))]


# ------------------------------------------------------------------------------------------ the candidate lemma
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("variant", ["default", "linear"])
def test_regime_optimum_is_one_of_the_candidates(seed: int, variant: str, tmp_path: Path) -> None:
    """V′ convex (V‴ ≥ 0): G's best ω in [θ, 1] is θ, 1 or s_c (if θ ≤ s_c), in [0, θ] it is 0, θ or s_p (if
    θ ≥ s_p) — at every θ of a grid, the enumeration's regime values equal the best candidate's; θ ∈ (s_p, r_p)
    loses to s_p."""
    game, _, _ = load_game(load_game_file(random_game(tmp_path / "g.toml", seed, variant)))
    s_c, s_p = stationary_point(game, "comply"), stationary_point(game, "pay")
    r_p = crossing(game, s_p)
    for theta in np.linspace(0.01, 1.0, 23):
        g = game.with_regulation(float(theta), 0.0)
        arrays = equilibrium_arrays(g)
        comply = [theta, 1.0] + ([s_c] if s_c is not None and theta <= s_c else [])
        pay = [0.0, theta] + ([s_p] if s_p is not None and theta >= s_p else [])
        w_c = max(point(g, float(w)).V - point(g, float(w)).K for w in comply)
        w_p = max(point(g, float(w)).V for w in pay)
        assert arrays.comply.U_G[0] == pytest.approx(w_c, abs=1e-12)
        assert arrays.pay.U_G[0] == pytest.approx(w_p, abs=1e-12)
        if s_p is not None and s_p < theta < (r_p if r_p is not None else 2.0):
            assert point(g, float(theta)).V < point(g, s_p).V


# ------------------------------------------------------------------------------------- the bound vs brute force
def _check_bound(path: Path, rows: list[dict]) -> None:
    evaluator = Evaluator.build(load_game_file(path))
    for objective, constraints, sense, brute in objectives(rows):
        problem = build_problem(path, BOX, **{sense: objective}, subject_to=constraints)
        res = solve_program(problem, evaluator)
        assert res.applicable and res.proved, res.reason
        if not np.isfinite(brute):
            continue
        sign = 1.0 if sense == "maximize" else -1.0
        assert sign * (res.bound - brute) >= -1e-9, (objective, constraints, sense, res.bound, brute)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("variant", ["default", "linear"])
def test_program_bound_is_never_below_brute_force(seed: int, variant: str, tmp_path: Path) -> None:
    path = random_game(tmp_path / "g.toml", seed, variant)
    _check_bound(path, brute_rows(path))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3, 15))
@pytest.mark.parametrize("variant", ["default", "linear"])
def test_program_bound_is_never_below_brute_force_more_games(seed: int, variant: str, tmp_path: Path) -> None:
    path = random_game(tmp_path / "g.toml", seed, variant)
    _check_bound(path, brute_rows(path, n=41))


# ------------------------------------------------------------------------------- the design, certified global
def _check_design(path: Path, rows: list[dict], which: list[int]) -> None:
    for k in which:
        objective, constraints, sense, brute = objectives(rows)[k]
        report = design(path, BOX, **{sense: objective}, subject_to=constraints, grid=11)
        assert report["certificate"]["level"] == "global", (objective, report["certificate"])
        if report["status"] == "infeasible":  # proved: every piece's program is infeasible
            assert not np.isfinite(brute) and report["formulations"]["program"]["bound_is_infeasible"]
            continue
        sign = 1.0 if sense == "maximize" else -1.0
        assert sign * (report["value"] - brute) >= -1e-9
        assert sign * (report["formulations"]["program"]["bound"] - brute) >= -1e-9
        # an independent solve at the returned rule (not through the design layer)
        game, _, _ = load_game(load_game_file(path))
        rule = report["rule"]
        eq = solve_equilibrium(game.with_regulation(rule["regulation.theta"], rule["regulation.penalty"]))
        fields = {"welfare": eq.welfare, "openness": eq.omega, "U_G": eq.U_G}
        assert fields[objective] == pytest.approx(report["value"], abs=1e-12)


@pytest.mark.parametrize(("seed", "variant", "which"), [(0, "default", [0, 2]), (1, "linear", [0, 1])])
def test_design_is_certified_global_and_beats_brute_force(seed: int, variant: str, which: list[int],
                                                          tmp_path: Path) -> None:
    path = random_game(tmp_path / "g.toml", seed, variant)
    _check_design(path, brute_rows(path), which)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2, 8))
@pytest.mark.parametrize("variant", ["default", "linear"])
def test_design_is_certified_global_more_games(seed: int, variant: str, tmp_path: Path) -> None:
    path = random_game(tmp_path / "g.toml", seed, variant)
    _check_design(path, brute_rows(path, n=41), [0, 1, 2, 3])


def test_transfer_switch_and_compliance_loss(tmp_path: Path) -> None:
    """``penalty_is_transfer`` as a discrete variable (both values enumerated by the program), and an objective with
    the compliance loss L(θ) (the other regime's argmax pinned): global, at least the brute force."""
    path = random_game(tmp_path / "g.toml", 4, "default")
    rows = brute_rows(path, n=11)
    report = design(path, [*BOX, "regulation.penalty_is_transfer=true,false"], maximize="welfare", grid=11)
    assert report["certificate"]["level"] == "global"
    assert report["value"] >= max(r["welfare"] for r in rows) - 1e-9
    report = design(path, BOX, minimize="compliance_loss + U_D", grid=11)
    assert report["certificate"]["level"] == "global"
    assert report["value"] <= min(r["compliance_loss"] + r["U_D"] for r in rows) + 1e-9


def test_where_the_openness_program_does_not_apply(tmp_path: Path) -> None:
    """Each reason names what is missing: bargaining over δ, a contract whose marginal share moves with ω (V‴ ≥ 0
    unknown), a label the program does not model."""
    nash = design(ROOT / "examples/openness_nash.toml", ["regulation.theta=0:1"], maximize="welfare",
                  formulations=["program"])
    assert "fixed δ" in nash["formulations"]["program"]["reason"]
    path = tmp_path / "c.toml"
    path.write_text('game = "openness_regulation"\n[bargaining]\ndelta = 0.5\n'
                    '[bargaining.contract]\nfamily = "linear_in_openness"\nslope = -0.2\n')
    res = design(path, ["regulation.theta=0:1"], maximize="welfare", formulations=["program"])
    assert "concave-then-convex" in res["formulations"]["program"]["reason"]
    res = design(ROOT / "examples/openness_default.toml", ["regulation.theta=0:1"], maximize="pareto_improvement",
                 formulations=["program"])
    assert "does not model" in res["formulations"]["program"]["reason"]
