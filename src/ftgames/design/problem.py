"""The regulator's design problem: decision variables (regulation keys within bounds), an objective, constraints.

``--vary KEY=LO:HI`` (a continuous variable; ``KEY=LO:HI:N`` also sets the coarse grid to N values) or
``--vary KEY=V1,V2,...`` (a discrete variable: numbers, or ``true,false`` for a switch such as
``regulation.penalty_is_transfer``).  KEY is a dotted game-file key under ``regulation`` (``regulation.theta_G``,
``regulation.theta_D``, ``regulation.theta_D[1]``, ``regulation.theta``, ``regulation.penalty``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..io.gamefile import GameFile, GameFileError, get_dotted, load_game_file, split_key
from .expression import DesignError, Expression
from .games import bargaining_of, field_names, game_name, specialists, with_bargaining

SENSES = ("maximize", "minimize")


@dataclass(frozen=True)
class Variable:
    """One decision variable: a regulation key, continuous in [lower, upper] or taking one of ``choices``."""

    key: str
    lower: float = math.nan
    upper: float = math.nan
    choices: tuple[Any, ...] = ()
    grid: int | None = None  # coarse-grid values requested (KEY=LO:HI:N)

    @property
    def continuous(self) -> bool:
        return not self.choices

    @property
    def short(self) -> str:
        return self.key.removeprefix("regulation.")

    def to_dict(self) -> dict[str, Any]:
        if self.continuous:
            return {"key": self.key, "kind": "continuous", "lower": self.lower, "upper": self.upper}
        return {"key": self.key, "kind": "discrete", "choices": list(self.choices)}


def _number(text: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DesignError(f"--vary {spec!r}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise DesignError(f"--vary {spec!r}: {text!r} is not a finite number")
    return value


def parse_variable(spec: str) -> Variable:
    """``KEY=LO:HI``, ``KEY=LO:HI:N`` or ``KEY=V1,V2,...``."""
    if not isinstance(spec, str):
        raise DesignError(f"--vary: expected a string KEY=LO:HI, got {spec!r}")
    key, sep, rhs = spec.partition("=")
    key, rhs = key.strip(), rhs.strip()
    if not sep or not key or not rhs:
        raise DesignError(f"--vary {spec!r}: expected KEY=LO:HI (continuous), KEY=LO:HI:N or KEY=V1,V2,... "
                          "(discrete), e.g. regulation.theta_D=0:2.5")
    split_key(key, DesignError)
    if not key.startswith("regulation."):
        raise DesignError(f"--vary {spec!r}: the regulator chooses only regulation keys (regulation.theta_G, "
                          f"regulation.theta_D, regulation.theta, regulation.penalty, ...), got {key!r}")
    if ":" in rhs:
        parts = rhs.split(":")
        if len(parts) not in (2, 3):
            raise DesignError(f"--vary {spec!r}: a range is LO:HI or LO:HI:N")
        lo, hi = _number(parts[0], spec), _number(parts[1], spec)
        if not lo < hi:
            raise DesignError(f"--vary {spec!r}: the lower bound must be below the upper bound, got {lo} >= {hi}")
        grid = None
        if len(parts) == 3:
            try:
                grid = int(parts[2])
            except ValueError:
                raise DesignError(f"--vary {spec!r}: N must be an integer in [3, 100001], got {parts[2]!r}") from None
            if not 3 <= grid <= 100_001:
                raise DesignError(f"--vary {spec!r}: N must be an integer in [3, 100001], got {grid}")
        return Variable(key, lo, hi, grid=grid)
    choices: list[Any] = []
    for text in rhs.split(","):
        text = text.strip()
        if text.lower() in ("true", "false"):
            choices.append(text.lower() == "true")
        else:
            choices.append(_number(text, spec))
    if len(set(map(repr, choices))) != len(choices):
        raise DesignError(f"--vary {spec!r}: a value is listed twice")
    if len(choices) > 1000:
        raise DesignError(f"--vary {spec!r}: at most 1000 discrete values, got {len(choices)}")
    return Variable(key, choices=tuple(choices))


@dataclass(frozen=True)
class DesignProblem:
    """A design problem on one game file (``file`` already has ``--bargaining`` applied)."""

    file: GameFile
    game: str
    variables: tuple[Variable, ...]
    objective: Expression
    sense: str
    constraints: tuple[Expression, ...] = ()
    bargaining: str = "fixed"
    n: int = 1
    fields: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def continuous(self) -> list[Variable]:
        return [v for v in self.variables if v.continuous]

    @property
    def discrete(self) -> list[Variable]:
        return [v for v in self.variables if not v.continuous]

    @property
    def variable_names(self) -> set[str]:
        """Every name a variable goes by in an expression: its key and its short name."""
        return {v.key for v in self.variables} | {v.short for v in self.variables}

    def unmodelled(self, modelled: set[str] | frozenset[str]) -> str:
        """Why a program that models the fields ``modelled`` cannot take this problem's objective or constraints
        (the first name one of them uses beyond those fields and the variables), or ""."""
        known = modelled | self.variable_names
        for e in (self.objective, *self.constraints):
            extra = e.names - known
            if extra:
                return f"{e.source} {e.text!r} uses {sorted(extra)[0]!r}, which the program does not model"
        return ""

    def not_writable(self, modelled: set[str] | frozenset[str]) -> str:
        """Why a program that models the fields ``modelled`` cannot take this problem (a name beyond those fields,
        or an expression it cannot write: ``abs``, ``min``, ``or``, ...), or "" when it can."""
        why = self.unmodelled(modelled)
        if why:
            return why
        dummy = {name: 1.0 for name in modelled | self.variable_names}
        for e in (self.objective, *self.constraints):
            try:
                e.algebraic(dummy) if e is self.objective else e.relations(dummy)
            except DesignError as exc:
                return str(exc)
        return ""

    def names(self, point_columns: dict[str, np.ndarray], fields: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The namespace of the expressions: the fields, then the variables by key and by short name."""
        out = dict(fields)
        for v in self.variables:
            out[v.key] = point_columns[v.key]
            out.setdefault(v.short, point_columns[v.key])
        return out


def build_problem(file: str | GameFile, vary: list[str] | tuple[str, ...], *, maximize: str | None = None,
                  minimize: str | None = None, subject_to: list[str] | tuple[str, ...] = (),
                  bargaining: str | None = None) -> DesignProblem:
    """Parse and check a design problem; every error names its flag (or the file and key) and what is allowed."""
    gf = file if isinstance(file, GameFile) else load_game_file(file)
    game = game_name(gf)
    if (maximize is None) == (minimize is None):
        raise DesignError("give exactly one objective: --maximize EXPR or --minimize EXPR (e.g. --maximize safety)")
    sense = "maximize" if maximize is not None else "minimize"
    if isinstance(vary, str):
        vary = [vary]
    if not vary:
        raise DesignError("--vary: give at least one decision variable, e.g. --vary regulation.theta_D=0:2.5")
    variables = tuple(parse_variable(s) for s in vary)
    keys = [v.key for v in variables]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise DesignError(f"--vary: {twice[0]} is given twice")
    if len(variables) > 4:
        raise DesignError(f"--vary: at most 4 decision variables, got {len(variables)}")
    gf = with_bargaining(gf, game, bargaining)
    for v in variables:
        try:
            current = get_dotted(gf.data, v.key, DesignError)
        except DesignError:
            continue  # a default of the front end (θG = 0 when absent): the first evaluation decides
        if isinstance(current, list):
            raise DesignError(f"--vary {v.key}: the game file has a list {current!r} here; vary one entry "
                              f"({v.key}[0], ...)")
        if isinstance(current, dict):
            raise DesignError(f"--vary {v.key}: the game file has a table here, not a number")
    _check_not_overridden(gf, game, variables)
    n = specialists(gf)
    names = field_names(game, n)
    objective = Expression.parse(maximize if maximize is not None else minimize, f"--{sense}")
    if objective.is_condition:
        raise DesignError(f"--{sense} {objective.text!r}: the objective must be a number, not a comparison "
                          "(put conditions in --subject-to)")
    known = {**names, **{v.key: "decision variable" for v in variables},
             **{v.short: "decision variable" for v in variables}}
    objective.check_names(known)
    constraints = []
    for text in subject_to:
        c = Expression.parse(text, "--subject-to")
        if not c.is_condition:
            raise DesignError(f"--subject-to {c.text!r}: a constraint must be a comparison such as 'U_G >= 0.2'")
        c.check_names(known)
        constraints.append(c)
    try:
        rule = bargaining_of(gf, game)
    except GameFileError as exc:
        raise DesignError(str(exc)) from None
    return DesignProblem(gf, game, variables, objective, sense, tuple(constraints), rule, n, names)


def _check_not_overridden(gf: GameFile, game: str, variables: tuple[Variable, ...]) -> None:
    """A safety specialist's own ``theta_D`` overrides ``regulation.theta_D`` for it: varying the latter would then
    move nothing, and the "optimal" floor would be any value."""
    if game != "safety_regulation":
        return
    tables = gf.data.get("specialists") or []
    for v in variables:
        if not v.key.startswith("regulation.theta_D"):
            continue
        index = v.key[len("regulation.theta_D"):].strip("[]")
        which = [int(index)] if index.isdigit() else range(len(tables))
        for i in which:
            if i < len(tables) and isinstance(tables[i], dict) and "theta_D" in tables[i]:
                raise DesignError(f"--vary {v.key}: {gf.path}: specialists[{i}] sets its own theta_D, which "
                                  f"overrides regulation.theta_D; remove it from specialists[{i}] to let the "
                                  "regulator set D's floor")
