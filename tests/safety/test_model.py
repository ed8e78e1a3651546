"""Validation of the safety game's parameters: every bad input raises an error naming the parameter."""

from __future__ import annotations

import numpy as np
import pytest

from ftgames.models.safety import ModelError, SafetyGame, Specialist, symmetric_game

I2 = np.eye(2)


@pytest.mark.parametrize(
    ("cost", "words"),
    [
        ([[1, 0.2], [0.1, 1]], "symmetric"),
        ([[1, 1.0], [1.0, 1]], "positive definite"),
        ([[1, 2.0], [2.0, 1]], "positive definite"),
        ([[0, 0], [0, 1]], "positive definite"),
        ([[1, 0, 0], [0, 1, 0]], "2x2"),
        ([[1, np.nan], [np.nan, 1]], "finite"),
    ],
)
def test_bad_specialist_cost_is_named(cost, words) -> None:
    with pytest.raises(ModelError, match=words) as info:
        Specialist(np.array(cost, dtype=float), np.ones(2))
    assert "D1 cost" in str(info.value)


def test_bad_generalist_cost_is_named() -> None:
    with pytest.raises(ModelError, match="generalist cost must be positive definite"):
        SafetyGame(np.array([[1, -1.5], [-1.5, 1]]), (Specialist(I2, np.ones(2)),))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"revenue": [-1, 1]}, "revenue"), ({"revenue": [0, 0]}, "revenue"), ({"delta": 1.5}, "delta"),
     ({"theta_D": -0.1}, "theta_D")],
)
def test_bad_specialist_numbers(kwargs, name) -> None:
    args = {"cost": I2, "revenue": np.ones(2), **kwargs}
    with pytest.raises(ModelError, match=name):
        Specialist(**args)


def test_negative_theta_g_rejected() -> None:
    with pytest.raises(ModelError, match=r"theta_G must be in \[0, inf"):
        symmetric_game(theta_G=-1)


def test_utilities_of_the_unregulated_closed_form() -> None:
    game = symmetric_game()
    u_g, u_d = game.utilities(np.array([0.25, 0.25]), np.array([[0.5, 0.5]]))
    assert u_g == pytest.approx(0.375) and u_d[0] == pytest.approx(0.375)
