"""Front end with ``solve_batch``: the sweep hands it whole chunks."""

from .toy_games import solve_batch, solve_game

__all__ = ["solve_batch", "solve_game"]
