from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from ftgames import games

from .toy_games import GAME_TOML


@pytest.fixture
def toy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a toy game file; ``register(module)`` points game "toy" at a test front end."""

    def register(module: str = "tests.sweep.toy_single") -> Path:
        monkeypatch.setitem(games.GAMES, "toy", importlib.import_module(module).FRONT_END)
        path = tmp_path / "toy.toml"
        path.write_text(GAME_TOML)
        return path

    return register
