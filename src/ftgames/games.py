"""Registry of game front ends: ``game = "..."`` in a game file selects one.

Each front end is a module with ``solve_game(file: GameFile, *, formulation, solver) -> dict`` returning a
JSON-ready report, and ``render(report: dict) -> rich renderable``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

GAMES: dict[str, str] = {
    "fine_tuning": "ftgames.io.fine_tuning",
    "safety_regulation": "ftgames.io.safety_regulation",
    "openness_regulation": "ftgames.io.openness_regulation",
}


def front_end(game: str) -> ModuleType:
    if game not in GAMES:
        raise KeyError(game)
    return importlib.import_module(GAMES[game])
