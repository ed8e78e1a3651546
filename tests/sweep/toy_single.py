"""Front end without ``solve_batch``: the sweep solves point by point through ``solve``."""

from .toy_games import ToyFrontEnd

FRONT_END = ToyFrontEnd()
