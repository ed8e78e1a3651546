"""Front end without ``solve_batch``: the sweep solves point by point through ``solve_game``."""

from .toy_games import solve_game

__all__ = ["solve_game"]
