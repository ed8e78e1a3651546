"""Shared games of the openness tests."""

from __future__ import annotations

import pytest

from ftgames.models.openness import (
    ConcaveQuadraticBenefit,
    ExponentialDiscountCost,
    LinearBenefit,
    LinearLeakCost,
    OpennessDiscountedCost,
    OpennessGame,
    QuadraticLeakCost,
)


def example_game(**changes) -> OpennessGame:
    """The parameters of ``examples/openness_linear.toml``."""
    game = OpennessGame(alpha0=0.7, delta=0.5, fine_tuning_cost=OpennessDiscountedCost(kappa0=0.5, lam=0.6),
                        benefit=LinearBenefit(0.1), operation_cost=LinearLeakCost(0.8))
    return game.replace(**changes)


def interior_game(**changes) -> OpennessGame:
    """The swapped forms of ``examples/openness_interior.toml`` (interior ω*)."""
    game = OpennessGame(alpha0=1.0, delta=0.5, fine_tuning_cost=ExponentialDiscountCost(kappa0=0.5, lam=0.8),
                        benefit=ConcaveQuadraticBenefit(0.3, 0.2), operation_cost=QuadraticLeakCost(0.4))
    return game.replace(**changes)


@pytest.fixture
def game() -> OpennessGame:
    return example_game()
