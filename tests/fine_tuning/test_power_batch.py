"""The batched leader search for power revenue (formulations.equilibrium.power) against the per-point exact_leader it
replaces in equilibrium_table, and against checks computed here from the game alone."""

from __future__ import annotations

import numpy as np
import pytest

from ftgames.formulations.bargaining import bargain
from ftgames.formulations.bargaining.frontier import equilibrium_table, per_point_table
from ftgames.formulations.equilibrium.leader import exact_leader
from ftgames.formulations.equilibrium.power import increments, leader_batch
from ftgames.models.fine_tuning import FineTuningGame, Generalist, Specialist


def _random_game(rng: np.random.Generator) -> FineTuningGame:
    n = int(rng.integers(1, 4))
    specs = [Specialist(cost=float(rng.uniform(0.05, 5)), revenue=float(rng.uniform(0.2, 4)),
                        exponent=float(rng.choice([1.1, 1.5, 2.0, 3.0, 4.0])),
                        revenue_power=float(rng.choice([0.1, 0.3, 0.5, 0.8, 0.95, 1.0])),
                        marginal_cost=float(rng.choice([0.0, 0.05, 0.3])),
                        entry_cost=float(rng.choice([0.0, 0.02, 0.1, 0.5])),
                        outside_option=float(rng.choice([0.0, 0.05, -0.1]))) for _ in range(n)]
    if all(s.revenue_power == 1.0 for s in specs):
        specs[0] = Specialist(cost=specs[0].cost, revenue_power=0.5)
    return FineTuningGame(Generalist(float(rng.uniform(0.2, 3)), exponent=float(rng.choice([1.2, 1.5, 2.0, 3.0])),
                                     outside_option=float(rng.choice([0.0, 0.01, 0.3]))), tuple(specs))


def _deltas(rng: np.random.Generator, n: int, count: int) -> np.ndarray:
    d = rng.uniform(0.0, 1.0, (count, n))
    d[0], d[1] = 0.0, 1.0
    d[2] = rng.choice([0.0, 0.5, 1.0], n)  # corners and a share in the middle, mixed
    return d


def _compare(seed: int, games: int, rows: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(games):
        game = _random_game(rng)
        delta = _deltas(rng, game.n, rows)
        batch = leader_batch(game, delta)
        for r, d in enumerate(delta):
            ref = exact_leader(game, d)  # the per-point grid + Brent search: G's α0 to about √ε relative
            where = (game, d.tolist())
            assert batch.alpha0[r] == pytest.approx(ref.alpha0, rel=1e-6, abs=1e-6), where
            assert batch.value[r] == pytest.approx(ref.value, rel=1e-9, abs=1e-9), where
            assert batch.value[r] >= ref.value - 1e-12 * max(1.0, abs(ref.value)), where  # never a worse optimum
            assert batch.generalist_participates[r] == ref.generalist_participates, where
            assert batch.participates[r].tolist() == [p.participates for p in ref.responses], where
            assert batch.increment[r] == pytest.approx([p.increment for p in ref.responses], abs=1e-6), where


def test_batch_equals_exact_leader_on_random_power_games() -> None:
    _compare(seed=14, games=12, rows=6)


@pytest.mark.slow
def test_batch_equals_exact_leader_on_many_random_power_games() -> None:
    for seed in (1, 2, 3, 4):
        _compare(seed=seed, games=60, rows=8)


def test_increments_closed_form_at_zero_investment() -> None:
    """b = 0, α0 = 0: (1 − δ) ρ r Δ^(ρ − 1) = k c Δ^(k − 1), so Δ = ((1 − δ) ρ r / (k c))^(1/(k − ρ))."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        k, rho = float(rng.choice([1.1, 1.5, 2.0, 3.0])), float(rng.choice([0.1, 0.4, 0.7, 0.99]))
        c, r, share = float(rng.uniform(0.1, 4)), float(rng.uniform(0.1, 4)), float(rng.uniform(0.01, 1))
        game = FineTuningGame(Generalist(1.0), (Specialist(c, revenue=r, exponent=k, revenue_power=rho),))
        got = increments(game.arrays(), np.array([[share]]), np.array([[0.0]]))[0, 0]
        assert got == pytest.approx((share * rho * r / (k * c)) ** (1.0 / (k - rho)), rel=1e-13)


def test_batch_answer_checked_from_the_game_alone() -> None:
    """Each follower's first-order (or corner) condition holds at the batch's α0, participation is its surplus
    against its outside option, and no α0 of a fine grid gives G more (values from the scalar evaluation)."""
    game = FineTuningGame(Generalist(0.8, exponent=1.5),
                          (Specialist(1.2, revenue=1.5, revenue_power=0.5, entry_cost=0.05, marginal_cost=0.1),
                           Specialist(2.0, revenue=1.0, exponent=3.0, revenue_power=0.8, entry_cost=0.1),
                           Specialist(0.7, revenue=2.0, revenue_power=1.0, outside_option=0.05)))
    delta = _deltas(np.random.default_rng(5), game.n, 8)
    batch = leader_batch(game, delta)
    fine = np.linspace(0.0, game.scale_hint(), 4001)
    for r, d in enumerate(delta):
        a0 = batch.alpha0[r]
        for i, (cost, rev) in enumerate(zip(game.specialist_costs, game.revenues, strict=True)):
            inc = batch.increment[r, i]
            kept = 0.0 if d[i] == 1.0 else (1.0 - d[i]) * rev.derivative(a0 + inc)  # D_i's marginal revenue
            if inc > 0:
                assert kept == pytest.approx(cost.derivative(inc), rel=1e-9)
            else:
                assert kept <= cost.derivative(0.0) + 1e-12
            surplus = game.specialist_utility(i, d[i], a0, a0 + inc) - game.specialists[i].outside_option
            if abs(surplus) > 1e-9:
                assert batch.participates[r, i] == (surplus > 0)
        best_on_grid = max(game.leader_value(d, x)[0] for x in fine)
        assert batch.value[r] >= best_on_grid - 1e-12


def test_equilibrium_table_equals_the_per_point_table() -> None:
    game = FineTuningGame(Generalist(1.0), (Specialist(1.0, revenue_power=0.5),
                                            Specialist(2.0, revenue=1.5, revenue_power=0.7, entry_cost=0.02)))
    delta = np.random.default_rng(0).uniform(0.0, 1.0, (30, 2))
    batched, reference = equilibrium_table(game, delta), per_point_table(game, delta)
    # G's utility is flat at its optimum; the specialists' move with α0, which exact_leader's Brent search locates to
    # about 1e-8
    assert batched.utility_generalist == pytest.approx(reference.utility_generalist, abs=1e-12)
    assert batched.utility_specialists == pytest.approx(reference.utility_specialists, abs=1e-6)
    assert batched.alpha0 == pytest.approx(reference.alpha0, abs=1e-6)
    assert (batched.participates == reference.participates).all()
    assert equilibrium_table(game, np.zeros((0, 2))).utilities.shape == (0, 3)


def test_sampled_frontier_of_a_power_game_is_fast_and_agrees() -> None:
    """The sampled Nash bargain of a two-specialist power game: the frontier's answer is an equilibrium of the
    per-point search (its utilities at the agreed δ) and no sample of a coarse grid has a higher Nash product."""
    game = FineTuningGame(Generalist(1.0), (Specialist(1.0, revenue_power=0.5),
                                            Specialist(2.0, revenue=1.5, revenue_power=0.7, entry_cost=0.02)))
    outcome = bargain(game, "nash", formulation="frontier")
    u = per_point_table(game, np.array([outcome.delta])).utilities[0]
    assert [outcome.equilibrium.U_G, *outcome.equilibrium.U_D] == pytest.approx(u, abs=1e-7)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 21), np.linspace(0, 1, 21), indexing="ij"), -1).reshape(-1, 2)
    table = equilibrium_table(game, grid).utilities
    with np.errstate(divide="ignore", invalid="ignore"):
        products = np.where(np.all(table > 0, axis=1), np.log(np.maximum(table, 1e-300)).sum(axis=1), -np.inf)
    assert np.log(u).sum() >= products.max() - 1e-9
