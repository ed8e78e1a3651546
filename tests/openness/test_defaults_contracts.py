"""Issue 17: defaults under which the definition matters, revenue-sharing contracts, compliance terms.

Qualitative facts are checked on random parameters of every named family; exact answers against a dense grid
(an independent search) and against the KKT form solved globally by SCIP."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np
import pytest

from ftgames.formulations.openness.bargaining import bargain
from ftgames.formulations.openness.effects import lever, regulation_effect
from ftgames.formulations.openness.equilibrium import compliance_loss, solve_equilibrium
from ftgames.formulations.openness.follower import fine_tuning_step, leader_value, utilities
from ftgames.games.openness_regulation import load_game
from ftgames.io.gamefile import GameFileError, load_game_file
from ftgames.models.contracts import ContractError, LinearInOpennessShare, TwoPartShare
from ftgames.models.openness import FAMILIES, OpennessGame, ParameterError, make_term

ROOT = Path(__file__).resolve().parents[2]
COST_FAMILIES = ("exponential_discount", "openness_discounted")
BENEFIT_FAMILIES = ("concave_quadratic", "linear")
LEAK_FAMILIES = ("quadratic_leak", "linear_leak")
COMBINATIONS = list(itertools.product(COST_FAMILIES, BENEFIT_FAMILIES, LEAK_FAMILIES))


def random_game(rng: np.random.Generator, cost: str, benefit: str, leak: str, **changes) -> OpennessGame:
    """A game of the named families with random parameters (wide ranges around the defaults)."""
    cost_table = {"family": cost, "kappa0": rng.uniform(0.2, 2.0), "lam": rng.uniform(0.1, 0.9),
                  "k": float(rng.choice([2.0, 1.5, 3.0]))}
    benefit_table = {"family": benefit, "epsilon": rng.uniform(0.0, 0.6)}
    if benefit == "concave_quadratic":
        benefit_table["curvature"] = rng.uniform(0.0, 0.8)
    game = OpennessGame(alpha0=rng.uniform(0.1, 3.0), delta=rng.uniform(0.05, 0.95),
                        fine_tuning_cost=make_term("fine_tuning_cost", cost_table),
                        benefit=make_term("benefit", benefit_table),
                        operation_cost=make_term("operation_cost", {"family": leak, "c_O": rng.uniform(0.05, 1.0)}),
                        production_cost=make_term("production_cost", {"c_P": rng.uniform(0.0, 0.2)}))
    return game.replace(**changes)


def dense_best(game: OpennessGame, lo: float, hi: float, penalty: float = 0.0, points: int = 100001) -> float:
    """max of G's payoff over a dense grid of [lo, hi]: an independent lower bound on the regime's value."""
    return float(np.max(leader_value(game, np.linspace(lo, hi, points), game.delta, penalty)))


# ------------------------------------------------------------------------------------------------ the defaults
def test_defaults_show_an_interior_optimum_falling_continuously_with_the_baseline() -> None:
    game = OpennessGame()
    alpha0s = np.linspace(0.05, 3.0, 60)
    omegas = np.array([solve_equilibrium(game.replace(alpha0=a)).omega for a in alpha0s])
    assert np.all(np.diff(omegas) <= 1e-9) and omegas[0] == 1.0 and 0.1 < omegas[-1] < 0.3
    interior = omegas[(omegas > 0) & (omegas < 1)]
    assert len(interior) > 40 and np.max(np.abs(np.diff(interior))) < 0.1  # no jump: continuous decrease
    assert {solve_equilibrium(game.replace(alpha0=a)).proof for a in alpha0s} == {"concave_convex"}


def test_defaults_have_both_a_penalty_region_and_a_threshold_region() -> None:
    """Over (α0, θ) at p = 0.05 there are points where raising θ moves the release and points where raising p does;
    each label is checked by actually raising the instrument."""
    game = OpennessGame()
    labels = set()
    for alpha0, theta in itertools.product((0.8, 1.5, 2.5), (0.3, 0.6, 0.9)):
        g = game.replace(alpha0=alpha0)
        eq = solve_equilibrium(g.with_regulation(theta, 0.05))
        label = lever(eq, solve_equilibrium(g), theta)
        labels.add(label)
        more_theta = solve_equilibrium(g.with_regulation(theta + 0.05, 0.05))
        loss = compliance_loss(g.with_regulation(theta, 0.05))
        more_p = solve_equilibrium(g.with_regulation(theta, loss + 1e-6))
        if label == "theta":
            assert more_theta.regime == "comply" and more_theta.omega > eq.omega + 0.04
            assert more_p.omega == pytest.approx(eq.omega, abs=1e-12)
        elif label == "penalty":
            assert more_theta.omega == pytest.approx(eq.omega, abs=1e-9)
            assert more_p.regime == "comply" and more_p.omega == pytest.approx(theta, abs=1e-12)
        else:
            assert label == "none" and eq.omega >= theta - 1e-12
    assert {"theta", "penalty", "none"} <= labels


def test_switching_penalty_grows_with_the_threshold_for_the_defaults() -> None:
    game = OpennessGame(alpha0=1.5)
    losses = [compliance_loss(game.with_regulation(t, 0.0)) for t in (0.3, 0.5, 0.6, 0.7, 0.9)]
    assert losses[0] == 0.0 and np.all(np.diff(losses) > 0)
    free = solve_equilibrium(game)
    for theta, loss in zip((0.5, 0.6, 0.7, 0.9), losses[1:], strict=True):  # L = V(ω*) − V(θ) when θ binds
        assert loss == pytest.approx(free.U_G - float(leader_value(game, theta)), abs=1e-12)


# ------------------------------------------------------------------------------- every family, random parameters
@pytest.mark.parametrize(("cost", "benefit", "leak"), COMBINATIONS)
def test_exact_regime_optimum_matches_a_dense_search(cost: str, benefit: str, leak: str) -> None:
    rng = np.random.default_rng(abs(hash((cost, benefit, leak))) % 2**32)
    for _ in range(6):
        game = random_game(rng, cost, benefit, leak)
        theta, penalty = rng.uniform(0.05, 0.95), rng.uniform(0.0, 0.1)
        eq = solve_equilibrium(game.with_regulation(theta, penalty))
        assert eq.certified and eq.proof in ("concave_convex", "convex_endpoints")
        comply, pay = eq.regime_value("comply"), eq.regime_value("pay")
        assert comply.U_G >= dense_best(game, theta, 1.0) - 1e-12
        assert comply.U_G == pytest.approx(dense_best(game, theta, 1.0), abs=1e-8)
        assert pay.U_G >= dense_best(game, 0.0, theta, penalty) - 1e-12


@pytest.mark.parametrize(("cost", "benefit", "leak"), COMBINATIONS)
def test_qualitative_facts_hold_on_random_parameters(cost: str, benefit: str, leak: str) -> None:
    """ω* non-increasing in α0 without regulation; U_D non-decreasing in ω; G complies iff p ≥ L(θ)."""
    rng = np.random.default_rng(7 + COMBINATIONS.index((cost, benefit, leak)))
    for _ in range(4):
        game = random_game(rng, cost, benefit, leak)
        alpha0s = np.linspace(0.05, 3.0, 25)
        omegas = [solve_equilibrium(game.replace(alpha0=a)).omega for a in alpha0s]
        finite = np.array([w for w in omegas if np.isfinite(w)])
        assert np.all(np.diff(finite) <= 1e-9)
        grid = np.linspace(0.0, 1.0, 51)
        u_d = utilities(game, grid, fine_tuning_step(game, grid))[1]
        assert np.all(np.diff(u_d) >= -1e-12)
        theta = rng.uniform(0.1, 0.9)
        loss = compliance_loss(game.with_regulation(theta, 0.0))
        for penalty, expected in ((loss * 0.9, "pay"), (loss + 1e-6, "comply")):
            eq = solve_equilibrium(game.with_regulation(theta, penalty))
            if eq.regime != "abstain" and loss > 1e-9:
                assert eq.regime == expected


@pytest.mark.parametrize("contract", ["constant", "two_part", "linear_in_openness"])
def test_exact_and_kkt_agree_on_random_games_of_every_contract(contract: str) -> None:
    rng = np.random.default_rng({"constant": 11, "two_part": 12, "linear_in_openness": 13}[contract])
    for cost, benefit, leak in (COMBINATIONS[0], COMBINATIONS[5]):
        shape = {"constant": None, "two_part": TwoPartShare(baseline=rng.uniform(0, 1)),
                 "linear_in_openness": LinearInOpennessShare(slope=-rng.uniform(0, 0.4))}[contract]
        game = random_game(rng, cost, benefit, leak)
        if shape is not None:
            low, high = shape.level_range()
            game = game.replace(contract=shape, delta=rng.uniform(low, high))
        game = game.with_regulation(rng.uniform(0.1, 0.9), rng.uniform(0.0, 0.1))
        exact = solve_equilibrium(game)
        kkt = solve_equilibrium(game, "kkt:sos1", solver="scip")
        assert kkt.regime == exact.regime
        assert kkt.U_G == pytest.approx(exact.U_G, abs=1e-6) and kkt.U_D == pytest.approx(exact.U_D, abs=1e-6)
        assert kkt.certified and exact.certified
        expected = "interval_verified" if contract == "linear_in_openness" else "concave_convex"  # no V‴ ≥ 0 there
        assert {v.proof for v in exact.regimes if v.feasible} <= {expected, "convex_endpoints"}


# ------------------------------------------------------------------------------------------------- contracts
def test_two_part_contract_has_the_improvement_share_closed_form() -> None:
    game = OpennessGame(alpha0=1.2, contract=TwoPartShare(baseline=0.8), delta=0.3)
    omega = np.array([0.0, 0.4, 1.0])
    kappa = game.fine_tuning_cost.kappa(omega)
    step = fine_tuning_step(game, omega)
    assert step == pytest.approx((1 - 0.3) * game.revenue.r / (2 * kappa))  # D keeps 1 − δ of what it adds
    u_g, u_d = utilities(game, omega, step)
    r, a0 = game.revenue.r, game.alpha0
    to_g = 0.8 * r * a0 + 0.3 * r * step
    expected_g = to_g + game.benefit(omega) - game.production_cost(a0) - game.operation_cost(omega, a0)
    assert u_g == pytest.approx(expected_g)
    assert u_d == pytest.approx(r * (a0 + step) - to_g - kappa * step**2)


def test_custom_contract_reproduces_a_named_one() -> None:
    named = OpennessGame(alpha0=1.5, contract=LinearInOpennessShare(slope=-0.3), delta=0.6)
    custom = named.replace(contract=lambda omega, alpha1, level: level - 0.3 * omega)
    a, b = solve_equilibrium(named.with_regulation(0.5, 0.02)), solve_equilibrium(custom.with_regulation(0.5, 0.02))
    assert b.U_G == pytest.approx(a.U_G, abs=1e-7) and b.omega == pytest.approx(a.omega, abs=1e-4)
    assert not b.certified  # D's problem searched numerically: no proof
    kkt = solve_equilibrium(custom.with_regulation(0.5, 0.02), "kkt:sos1")
    assert kkt.U_G == pytest.approx(a.U_G, abs=1e-6) and kkt.certificate.level == "local"


def test_a_royalty_falling_with_openness_lowers_the_release_and_bargaining_picks_its_level() -> None:
    base = OpennessGame(alpha0=1.5, delta=0.6)
    royalty = base.replace(contract=LinearInOpennessShare(slope=-0.3))
    assert solve_equilibrium(royalty).omega < solve_equilibrium(base).omega - 0.2
    nash = bargain(royalty.replace(delta=0.5), "nash", grid=201, pareto=False)
    low, high = royalty.contract.level_range()
    assert low <= nash.delta <= high and nash.search == "grid" and nash.agreement
    levels = np.linspace(low, high, 401)  # the Nash product at the chosen level beats a dense scan of levels
    products = []
    for level in levels:
        eq = solve_equilibrium(royalty.replace(delta=float(level)))
        products.append(np.log(eq.U_G) + np.log(eq.U_D) if eq.U_G > 0 and eq.U_D > 0 else -np.inf)
    chosen = nash.equilibrium
    assert np.log(chosen.U_G) + np.log(chosen.U_D) >= max(products) - 1e-9


@pytest.mark.parametrize(("build", "needles"), [
    (lambda: LinearInOpennessShare(slope=1.5), ["bargaining.contract.slope", "[-1, 1]"]),
    (lambda: TwoPartShare(baseline=-0.1), ["bargaining.contract.baseline", "[0, 1]"]),
    (lambda: OpennessGame(contract=LinearInOpennessShare(slope=-0.4), delta=0.2), ["bargaining.delta", "[0.4, 1]"]),
    (lambda: OpennessGame(contract=lambda omega: omega), ["(omega, alpha1)"]),
    (lambda: OpennessGame(contract=lambda omega, alpha1: 1.0 + omega), ["[0, 1]", "δ(ω, α1)"]),
    (lambda: OpennessGame(contract=lambda omega, alpha1: undefined_name), ["failed", "NameError"]),  # noqa: F821
    (lambda: OpennessGame(contract="royalty"), ["contract must be"]),
])
def test_malformed_contracts_raise_clear_errors(build, needles) -> None:
    with pytest.raises((ContractError, ParameterError)) as caught:
        build()
    for needle in needles:
        assert needle in str(caught.value)


@pytest.mark.parametrize(("table", "needles"), [
    ('contract = "royalty"', ["bargaining.contract.family", "unknown contract", "linear_in_openness"]),
    ('[bargaining.contract]\nfamily = "linear_in_openness"\nslope = 3', ["bargaining.contract.slope", "[-1, 1]"]),
    ('[bargaining.contract]\nfamily = "two_part"\nshare = 0.3', ["bargaining.contract.share", "baseline"]),
    ('[bargaining.contract]\nfamily = "linear_in_openness"\nslope = "steep"', ["bargaining.contract.slope", "real"]),
    ('contract = 3', ["bargaining.contract", "family name"]),
])
def test_malformed_contracts_in_game_files_name_the_key(tmp_path: Path, table: str, needles: list[str]) -> None:
    header = "" if table.startswith("[") else "[bargaining]\n"
    path = tmp_path / "bad.toml"
    path.write_text(f'game = "openness_regulation"\n{header}{table}\n')
    with pytest.raises(GameFileError) as caught:
        load_game(load_game_file(path))
    for needle in [str(path), *needles]:
        assert needle in str(caught.value)


def test_level_outside_the_contracts_range_in_a_file_names_delta(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('game = "openness_regulation"\n[bargaining]\ndelta = 0.1\n'
                    '[bargaining.contract]\nfamily = "linear_in_openness"\nslope = -0.3\n')
    with pytest.raises(GameFileError, match=r"bargaining\.delta.*\[0\.3, 1\]"):
        load_game(load_game_file(path))


# ------------------------------------------------------------------------------------------- compliance terms
def test_a_flat_compliance_cost_raises_the_switching_penalty_by_its_amount() -> None:
    game = OpennessGame(alpha0=1.5)
    for theta in (0.5, 0.8):
        costly = game.replace(compliance_cost=make_term("compliance_cost", {"family": "flat", "cost": 0.01}))
        assert compliance_loss(costly.with_regulation(theta, 0.0)) == pytest.approx(
            compliance_loss(game.with_regulation(theta, 0.0)) + 0.01, abs=1e-12)
    # no definition, no compliance term: the unregulated outcome is unchanged
    assert solve_equilibrium(costly).U_G == pytest.approx(solve_equilibrium(game).U_G, abs=1e-15)


def test_an_exemption_makes_the_definition_a_pareto_improvement_at_a_fixed_share() -> None:
    rng = np.random.default_rng(5)
    found = 0
    for _ in range(20):
        game = random_game(rng, *COMBINATIONS[0], compliance_cost=make_term(
            "compliance_cost", {"family": "flat", "exemption": rng.uniform(0.01, 0.1)}))
        free = solve_equilibrium(game)
        if free.regime == "abstain" or free.omega >= 0.95:
            continue
        regulated = game.with_regulation(min(free.omega + 0.05, 1.0), 0.0)
        effect = regulation_effect(regulated, "fixed")
        explained = effect.mechanism(regulated)
        eq = effect.regulated.equilibrium
        gain = effect.change_U_G
        # G complies exactly when the exemption outweighs its loss from releasing more: then both gain
        assert (eq.regime == "comply") == (gain > 1e-12 or abs(gain) <= 1e-12)
        if eq.regime == "comply" and gain > 1e-7:
            assert effect.effect == "pareto_improvement" and explained["source"] == "exemption"
            assert "exemption" in explained["channels"] and explained["at_fixed_share"]["effect"] == effect.effect
            found += 1
    assert found >= 3


def test_per_openness_compliance_keeps_the_exact_proof_and_agrees_with_kkt() -> None:
    game = OpennessGame(alpha0=1.0, compliance_cost=make_term(
        "compliance_cost", {"family": "per_openness", "cost": 0.05, "exemption": 0.02}))
    regulated = game.with_regulation(0.4, 0.03)
    exact = solve_equilibrium(regulated)
    assert exact.certified
    kkt = solve_equilibrium(regulated, "kkt:sos1")
    assert kkt.regime == exact.regime and kkt.U_G == pytest.approx(exact.U_G, abs=1e-6)
    assert exact.regime_value("comply").U_G >= dense_best(game, 0.4, 1.0, 0.0) - 0.05 * 1.0 + 0.02 - 1e-9


def test_every_compliance_family_builds_and_describes_itself() -> None:
    for family in FAMILIES["compliance_cost"]:
        term = make_term("compliance_cost", {"family": family})
        assert term(0.5) == 0.0 and family in term.describe()


# ------------------------------------------------------------------------------------------------- figures
def test_the_three_new_figures_are_one_command_each(tmp_path: Path) -> None:
    from ftgames.figures.openness import main as figures

    for name in ("families", "regime-maps", "levers"):
        assert figures([name, "--out", str(tmp_path), "--points", "9"]) == 0
    with (tmp_path / "openness_levers.csv").open() as handle:
        levers = {row["lever"] for row in csv.DictReader(handle)}
    assert {"theta", "penalty", "none"} <= levers
    with (tmp_path / "openness_regime_maps.csv").open() as handle:
        assert len({row["alpha0"] for row in csv.DictReader(handle)}) == 3
    assert (tmp_path / "openness_families.png").stat().st_size > 0


# ------------------------------------------------------------------------------------------ interval proofs
def test_interval_arithmetic_encloses_every_point_value() -> None:
    from ftgames.formulations.openness.verify import INTERVAL_OPS, Dual, Interval

    rng = np.random.default_rng(3)

    def f(x, ops):
        return (0.3 + 0.2 * x) * ops.exp(0.8 * x) / (1.5 - x) ** 0.5 - 0.4 * x**2 + ops.log(1 + x)

    def df(x):
        h = 1e-6
        return (f(x + h, np) - f(x - h, np)) / (2 * h)

    for _ in range(200):
        a = rng.uniform(0, 1)
        b = min(a + rng.uniform(0, 0.4), 1.0)
        box = f(Dual(Interval(a, b), Interval(1.0)), INTERVAL_OPS)
        for x in np.linspace(a, b, 7):
            assert box.value.lo - 1e-12 <= f(x, np) <= box.value.hi + 1e-12
            assert box.slope.lo - 1e-6 <= df(x) <= box.slope.hi + 1e-6


def test_interval_proof_improves_a_wrong_grid_answer_and_declines_what_it_cannot_evaluate() -> None:
    from ftgames.formulations.openness.follower import leader_value
    from ftgames.formulations.openness.verify import verified_max

    game = OpennessGame(alpha0=1.5, contract=LinearInOpennessShare(slope=-0.3), delta=0.6)
    value = lambda w: leader_value(game, w, np.full_like(w, 0.6))  # noqa: E731
    truth = dense_best(game, 0.0, 1.0)
    omega, proved = verified_max(game, "comply", 0.0, 1.0, 0.6, 1.0, value)  # a poor start: ω = 1
    assert proved and float(value(np.array([omega]))[0]) == pytest.approx(truth, abs=1e-9)
    opaque = game.replace(benefit=lambda omega: 0.3 * np.sqrt(omega))  # numpy's sqrt cannot take an interval
    eq = solve_equilibrium(opaque)
    assert eq.proof == "grid" and not eq.certified


@pytest.mark.parametrize("seed", range(4))
def test_custom_terms_with_ops_are_proved_by_intervals(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    scale, rate = rng.uniform(0.1, 0.4), rng.uniform(1.0, 5.0)

    def saturating(omega, ops):
        return scale * (1 - ops.exp(-rate * omega))

    game = random_game(rng, *COMBINATIONS[0]).replace(benefit=saturating).with_regulation(rng.uniform(0.2, 0.8), 0.02)
    eq = solve_equilibrium(game)
    assert eq.certified and eq.proof == "interval_verified"
    theta = game.regulation.theta
    assert eq.regime_value("comply").U_G >= dense_best(game, theta, 1.0) - 1e-12
    assert eq.regime_value("pay").U_G >= dense_best(game, 0.0, theta, 0.02) - 1e-12


def test_an_unwritten_level_is_moved_into_the_contracts_range(tmp_path: Path) -> None:
    path = tmp_path / "game.toml"
    path.write_text('game = "openness_regulation"\n[bargaining]\nsolution = "nash"\n'
                    '[bargaining.contract]\nfamily = "linear_in_openness"\nslope = -0.7\n')
    game, settings, _ = load_game(load_game_file(path))
    assert game.delta == 0.7 and game.contract.level_range() == (0.7, 1.0) and settings["solution"] == "nash"
