"""Front end that fails transiently once per point, and always at delta = 0.7 unless allowed."""

from .toy_games import ToyFlakyFrontEnd

FRONT_END = ToyFlakyFrontEnd()
