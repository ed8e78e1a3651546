"""The openness front end without ``solve_batch``: forces the sweep's per-point ``solve_game`` path."""

from ftgames.io.openness_regulation import solve_game

__all__ = ["solve_game"]
