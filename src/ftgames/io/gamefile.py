"""Reading game files: TOML with errors that name the key and the line, never a traceback."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError


class GameFileError(InputError):
    """A game file is malformed or a value in it is out of range."""


@dataclass(frozen=True)
class GameFile:
    path: str
    text: str
    data: dict[str, Any]

    def line_of(self, key: str) -> int | None:
        """1-based line of the first ``key = ...`` or ``[key]`` in the file (dotted keys: the last part)."""
        last = key.split(".")[-1].split("[")[0]
        pattern = re.compile(rf"^\s*(\[\[?\s*{re.escape(last)}\s*\]\]?|{re.escape(last)}\s*=)")
        for number, line in enumerate(self.text.splitlines(), start=1):
            if pattern.search(line):
                return number
        return None

    def error(self, key: str, message: str) -> GameFileError:
        line = self.line_of(key)
        where = f"{self.path}, line {line}" if line else self.path
        return GameFileError(f"{where}: {key}: {message}")


def load_game_file(path: str | Path) -> GameFile:
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise GameFileError(f"{path}: cannot read game file ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise GameFileError(f"{path}: not a text (UTF-8 TOML) game file: byte {exc.object[exc.start]:#04x} at "
                            f"offset {exc.start} is not UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GameFileError(f"{path}: invalid TOML: {exc}") from None
    return GameFile(str(path), text, data)


def set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``a.b[1].c`` in a nested dict/list structure (used by sweeps and overrides)."""
    node: Any = data
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        match = re.fullmatch(r"([A-Za-z_][\w-]*)(?:\[(\d+)\])?", part)
        if not match:
            raise GameFileError(f"parameter {dotted!r}: cannot parse {part!r}")
        name, index = match.group(1), match.group(2)
        last = i == len(parts) - 1
        if not isinstance(node, dict) or name not in node:
            raise GameFileError(f"parameter {dotted!r}: key {name!r} not found in the game file")
        if index is None:
            if last:
                node[name] = value
            else:
                node = node[name]
        else:
            seq = node[name]
            if not isinstance(seq, list) or int(index) >= len(seq):
                raise GameFileError(f"parameter {dotted!r}: {name} has no element {index}")
            if last:
                seq[int(index)] = value
            else:
                node = seq[int(index)]
