"""Game front ends: ``game = "..."`` in a game file selects one; every front end keeps the contract of
:mod:`ftgames.games.base` (one request, one outcome shape, one certificate vocabulary).

>>> from ftgames.games import solve_file
>>> report = solve_file("examples/one_specialist.toml", formulation="kkt:sos1")   # doctest: +SKIP
>>> report["outcomes"]["nash"]["certificate"]["level"]                            # doctest: +SKIP
'global'

Adding a game: write a :class:`~ftgames.games.base.FrontEnd` subclass in its own module with a module-level
``FRONT_END`` instance, and add it to :data:`GAMES` below (``docs/contracts.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io.gamefile import GameFile, GameFileError, load_game_file
from .base import SCHEMA_VERSION, FrontEnd, Request, Stage
from .fine_tuning import FRONT_END as FINE_TUNING
from .openness_regulation import FRONT_END as OPENNESS_REGULATION
from .safety_regulation import FRONT_END as SAFETY_REGULATION

#: The registered front ends by game name.
GAMES: dict[str, FrontEnd] = {fe.name: fe for fe in (FINE_TUNING, SAFETY_REGULATION, OPENNESS_REGULATION)}


def front_end(file: GameFile) -> FrontEnd:
    """The front end of ``file``'s ``game = "..."`` (an error names the file and lists the games)."""
    game = file.data.get("game")
    if game not in GAMES:
        raise file.error("game", f"unknown game {game!r}; valid: {', '.join(GAMES)}")
    return GAMES[game]


def solve_file(file: str | Path | GameFile, *, formulation: Any = None, solver: str | None = None,
               from_command_line: bool = False) -> dict[str, Any]:
    """Solve a game file and return its JSON-ready report (``formulation``/``solver`` override the file)."""
    file = file if isinstance(file, GameFile) else load_game_file(file)
    fe = front_end(file)
    request = fe.request(file, formulation=formulation, solver=solver, from_command_line=from_command_line)
    return fe.solve(file, request)


__all__ = ["GAMES", "SCHEMA_VERSION", "FrontEnd", "Request", "Stage", "front_end", "solve_file", "GameFileError"]
