"""Front end that fails transiently once per point, and always at delta = 0.7 unless allowed."""

from .toy_games import flaky_solve_game as solve_game

__all__ = ["solve_game"]
