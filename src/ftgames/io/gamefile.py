"""Reading game files: TOML with errors that name the key and the line, never a traceback."""

from __future__ import annotations

import ast
import difflib
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


_PART = re.compile(r"([A-Za-z_][\w-]*)((?:\[\d+\])*)")


def split_key(key: str, error: type[Exception] = GameFileError) -> list[tuple[str, tuple[int, ...]]]:
    """``specialists[0].cost[0][1]`` → ``[("specialists", (0,)), ("cost", (0, 1))]``; raises ``error`` if malformed."""
    parts = []
    for part in key.split("."):
        match = _PART.fullmatch(part)
        if not match:
            raise error(f"parameter {key!r}: cannot parse {part!r} (expected name, name[i] or name[i][j])")
        parts.append((match.group(1), tuple(int(i) for i in re.findall(r"\d+", match.group(2)))))
    return parts


def _walk(data: dict[str, Any], key: str, error: type[Exception]) -> tuple[Any, str | int]:
    """The container holding the key's last element, and that element's name or index."""
    node: Any = data
    steps: list[tuple[str, str | int]] = []  # (what the step reaches into, step)
    for name, indices in split_key(key, error):
        steps.append((name, name))
        label = name
        for i in indices:
            steps.append((label, i))
            label = f"{label}[{i}]"
    for label, step in steps[:-1]:
        node = _step(node, step, key, label, error)
    _step(node, steps[-1][1], key, steps[-1][0], error)
    return node, steps[-1][1]


def _step(node: Any, step: str | int, key: str, label: str, error: type[Exception]) -> Any:
    if isinstance(step, str):
        if not isinstance(node, dict) or step not in node:
            section = key[:key.find(step)].rstrip(".")
            where = f"to [{section}]" if section else "at the top of the file"
            there = sorted(node) if isinstance(node, dict) else []
            close = difflib.get_close_matches(step, there, n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            raise error(f"parameter {key!r}: key {step!r} not found in the game file ({guess}keys there: "
                        f"{', '.join(there) or 'none'}; a sweep or override changes entries the file has: to change "
                        f"one it leaves out, write `{step} = ...` {where} first)")
        return node[step]
    if not isinstance(node, list):
        raise error(f"parameter {key!r}: {label} is not a list ({label} = {node!r} in the file), it cannot be "
                    f"indexed with [{step}]; to vary one entry, write the list in the file first "
                    f"(e.g. {label} = [{node!r}, {node!r}, ...], one entry each)")
    if step >= len(node):
        raise error(f"parameter {key!r}: index out of range, {label} has no element {step} (it has {len(node)})")
    return node[step]


def get_dotted(data: dict[str, Any], key: str, error: type[Exception] = GameFileError) -> Any:
    """Value at ``a.b[1].c[0][1]`` in nested dicts and lists; raises ``error`` naming what is missing."""
    container, last = _walk(data, key, error)
    return container[last]


def set_dotted(data: dict[str, Any], key: str, value: Any, error: type[Exception] = GameFileError) -> None:
    """Set ``a.b[1].c[0][1]`` (any depth of indices) in place, for sweeps and overrides; the key must exist."""
    container, last = _walk(data, key, error)
    container[last] = value


def dotted_name(node: ast.AST) -> str | None:
    """A key path written as a Python expression (``regulation.theta_D``, ``specialists[0].cost``: a name, attributes
    and integer subscripts) back to the key; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr}"
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int):
        base = dotted_name(node.value)
        return None if base is None else f"{base}[{node.slice.value}]"
    return None
