"""The openness front end without ``solve_batch``: forces the sweep's per-point ``solve`` path."""

from ftgames.games.openness_regulation import OpennessFrontEnd


class PerPointOpenness(OpennessFrontEnd):
    solve_batch = None  # type: ignore[assignment]


FRONT_END = PerPointOpenness()
