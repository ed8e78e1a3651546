"""Front end with ``solve_batch``: the sweep hands it whole chunks."""

from .toy_games import ToyBatchFrontEnd

FRONT_END = ToyBatchFrontEnd()
