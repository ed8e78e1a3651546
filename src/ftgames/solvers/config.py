"""Solver options from a TOML ``[solve]`` table, keyword arguments and ``FTGAMES_SOLVER``, checked by type and range.

Every error names where the bad value came from: a key of the game file (with its line, when the caller can locate
it), a command-line flag, a keyword argument or the environment variable.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from types import SimpleNamespace
from typing import Any

from ..errors import InputError

ENV_SOLVER = "FTGAMES_SOLVER"
ENV_SOURCE = f"environment variable {ENV_SOLVER}"
#: ``solver_source`` of a configuration whose stage must use the default policy (neither file nor environment):
#: a game front end gives it to the stages that its requested formulation does not name.
POLICY_ONLY = "default policy only"


class ConfigError(InputError):
    """A configuration value is unknown, of the wrong type or out of range."""


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{key}: must be a finite number, got {value!r}")
    return float(value)


def _integer(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{key}: must be an integer, got {value!r}")
    return value


def _check(values: dict[str, Any], where: Callable[[str], str]) -> None:
    """Types and ranges of the fields' ``values``; ``where(key)`` names the source of the value of ``key``."""
    from .registry import BACKENDS

    config = SimpleNamespace(**values)

    if config.solver is not None:
        if not isinstance(config.solver, str):
            raise ConfigError(f"{where('solver')}: must be a backend name, got {config.solver!r}")
        if config.solver not in BACKENDS:
            raise ConfigError(f"{where('solver')}: unknown solver {config.solver!r}; valid: {', '.join(BACKENDS)}")
    if config.formulation is not None and not isinstance(config.formulation, str | tuple):
        raise ConfigError(f"{where('formulation')}: must be a string kind[:encoding], got {config.formulation!r}")
    if config.time_limit is not None and not _number(where("time_limit"), config.time_limit) > 0:
        raise ConfigError(f"{where('time_limit')}: must be > 0 seconds, got {config.time_limit}")
    if not 0 < _number(where("tolerance"), config.tolerance) < 1:
        raise ConfigError(f"{where('tolerance')}: must be in (0, 1), got {config.tolerance}")
    if not 0 <= _number(where("mip_gap"), config.mip_gap) < 1:
        raise ConfigError(f"{where('mip_gap')}: must be in [0, 1), got {config.mip_gap}")
    if config.threads is not None and _integer(where("threads"), config.threads) < 1:
        raise ConfigError(f"{where('threads')}: must be an integer >= 1, got {config.threads}")
    if _integer(where("starts"), config.starts) < 1:
        raise ConfigError(f"{where('starts')}: must be an integer >= 1, got {config.starts}")
    if not isinstance(config.log, bool):
        raise ConfigError(f"{where('log')}: must be true or false, got {config.log!r}")
    if not isinstance(config.options, dict):
        raise ConfigError(f"{where('options')}: must be a table of backend options, got {config.options!r}")


@dataclass(frozen=True)
class SolveConfig:
    """How to solve: backend name, limits, tolerances and backend-specific options.

    Precedence of the backend (highest first): a keyword or ``--solver``, the ``FTGAMES_SOLVER`` environment
    variable, the ``[solve]`` table, the default policy of :mod:`ftgames.solvers.selection`.  ``solver_source``
    records where ``solver`` came from, so that an error or a report can name it.
    """

    solver: str | None = None  # None: the default policy chooses
    formulation: str | None = None  # used by game front ends (kind[:encoding]); ignored by the solver layer
    time_limit: float | None = None  # seconds
    tolerance: float = 1e-8  # feasibility / optimality tolerance passed to the backend
    mip_gap: float = 1e-9  # relative gap for branch-and-bound backends
    threads: int | None = None
    starts: int = 5  # multistart count for local (Ipopt) formulations
    log: bool = False  # capture and return the solver log
    options: dict[str, Any] = field(default_factory=dict)  # passed verbatim to the backend
    solver_source: str = field(default="SolveConfig(solver=...)", compare=False)
    formulation_source: str = field(default="SolveConfig(formulation=...)", compare=False)

    def __post_init__(self) -> None:
        _check(vars(self), lambda key: {"solver": self.solver_source,
                                        "formulation": self.formulation_source}.get(key, f"SolveConfig({key}=...)"))

    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in fields(cls) if not f.name.endswith("_source")]

    @classmethod
    def from_table(
        cls,
        table: dict[str, Any] | None = None,
        *,
        where: Callable[[str], str] | None = None,
        override_source: str = "keyword",
        **overrides: Any,
    ) -> SolveConfig:
        """Build from a ``[solve]`` table, ``FTGAMES_SOLVER`` and keyword/flag overrides (``None`` = not given).

        ``where(key)`` names a key of the table in errors (default ``[solve].key``); ``override_source`` names the
        overrides (``"keyword"`` from Python, ``"flag"`` from the command line: ``--solver``).
        """
        where = where or (lambda key: f"[solve].{key}")
        table = dict(table or {})
        unknown = sorted(set(table) - set(cls.keys()))
        if unknown:
            raise ConfigError(f"{where(unknown[0])}: unknown key; valid keys of [solve]: {', '.join(cls.keys())}")
        bad = sorted(set(overrides) - set(cls.keys()))
        if bad:
            raise ConfigError(f"unknown solve option(s) {', '.join(bad)}; valid: {', '.join(cls.keys())}")

        def named(key: str) -> str:
            return f"--{key.replace('_', '-')}" if override_source == "flag" else f"keyword {key}="

        sources = {key: where(key) for key in table}
        for key, value in overrides.items():
            if value is not None:
                table[key], sources[key] = value, named(key)
        env_solver = os.environ.get(ENV_SOLVER)
        if env_solver and overrides.get("solver") is None:
            table["solver"], sources["solver"] = env_solver.strip(), ENV_SOURCE
        _check({f.name: table.get(f.name, _default(f)) for f in fields(cls)},
               lambda key: sources.get(key, f"default {key}"))  # every source named before constructing
        return cls(**table, solver_source=sources.get("solver", ""),
                   formulation_source=sources.get("formulation", ""))

    def policy_only(self) -> SolveConfig:
        """A copy for a stage that the user's solver choice does not concern: the default policy decides."""
        return replace(self, solver=None, solver_source=POLICY_ONLY)

    def with_(self, **changes: Any) -> SolveConfig:
        """A copy with the given fields changed (``None`` = keep); a new solver is recorded as a keyword."""
        changes = {k: v for k, v in changes.items() if v is not None}
        if "solver" in changes and "solver_source" not in changes:
            changes["solver_source"] = "keyword solver="
        return replace(self, **changes)


def _default(f: Any) -> Any:
    from dataclasses import MISSING

    return f.default_factory() if f.default_factory is not MISSING else f.default
