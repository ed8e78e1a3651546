"""Model validation: immutable games, errors naming the parameter and its allowed range."""

from __future__ import annotations

import dataclasses

import pytest

from ftgames.models import FineTuningGame, Generalist, ModelError, PolynomialCost, PowerRevenue, Specialist


@pytest.mark.parametrize(("build", "needle"), [
    (lambda: Generalist(cost=0.0), "generalist.cost must be in (0, inf)"),
    (lambda: Generalist(cost=1.0, exponent=1.0), "generalist.exponent must be in (1, inf)"),
    (lambda: Specialist(cost=-1.0, label="specialists[0]"), "specialists[0].cost must be in (0, inf)"),
    (lambda: Specialist(cost=1.0, revenue_power=1.5), "revenue_power must be in (0, 1]"),
    (lambda: Specialist(cost=1.0, revenue_power=0.0), "revenue_power must be in (0, 1]"),
    (lambda: Specialist(cost=1.0, entry_cost=-0.1), "entry_cost must be in [0, inf)"),
    (lambda: Specialist(cost=1.0, marginal_cost=-1), "marginal_cost must be in [0, inf)"),
    (lambda: FineTuningGame.quadratic(1.0, [1.0], exponent=1.0) if False else
     FineTuningGame.polynomial(1.0, [1.0], exponent=0.5), "exponent must be in (1, inf)"),
    (lambda: FineTuningGame.quadratic(1.0, [1.0, 2.0], [1.0]), "revenues must have one entry per specialist (2)"),
    (lambda: FineTuningGame.quadratic(1.0, [1.0], entry_cost=[0.1, 0.2]), "entry_cost must have one entry"),
    (lambda: FineTuningGame(Generalist(1.0), ()), "at least 1 specialist"),
    (lambda: FineTuningGame.quadratic(1.0, [2.0]).check_delta([1.2]), "delta[0] must be in [0, 1]"),
    (lambda: FineTuningGame.quadratic(1.0, [2.0]).check_delta([0.5, 0.5]), "one share per specialist (1)"),
    (lambda: PolynomialCost(1.0, exponent=1.0), "exponent must be in (1, inf)"),
    (lambda: PowerRevenue(1.0, power=2.0), "power rho must be in (0, 1]"),
    (lambda: Generalist(cost="abc"), "generalist.cost must be a number"),
])
def test_invalid_parameters_name_parameter_and_range(build, needle) -> None:
    with pytest.raises(ModelError) as info:
        build()
    assert needle in str(info.value)


def test_games_are_immutable_and_labelled() -> None:
    game = FineTuningGame.quadratic(1.0, [2.0, 3.0], [1.0, 2.0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        game.exponent = 3.0  # type: ignore[misc]
    assert [s.label for s in game.specialists] == ["specialists[0]", "specialists[1]"]
    assert game.is_quadratic and game.n == 2


def test_per_player_exponent_and_families() -> None:
    game = FineTuningGame(Generalist(1.0, exponent=3.0), (Specialist(2.0, exponent=2.5, revenue_power=0.5),))
    assert game.generalist_cost.exponent == 3.0
    assert game.specialist_costs[0].exponent == 2.5
    assert not game.linear_revenue and not game.is_quadratic


def test_follower_response_power_revenue_solves_first_order_condition() -> None:
    game = FineTuningGame(Generalist(1.0), (Specialist(2.0, revenue=1.5, revenue_power=0.5),))
    response = game.follower_response(0, 0.3, 0.2)
    alpha = 0.2 + response.increment
    marginal_revenue = 0.7 * 1.5 * 0.5 * alpha ** -0.5
    assert marginal_revenue == pytest.approx(2 * 2.0 * response.increment, rel=1e-10)
