"""Solver choice and options from a TOML ``[solve]`` table, keyword arguments and ``FTGAMES_SOLVER``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from typing import Any

ENV_SOLVER = "FTGAMES_SOLVER"


class ConfigError(ValueError):
    """A configuration value is unknown or out of range."""


@dataclass(frozen=True)
class SolveConfig:
    """How to solve: backend name, limits, tolerances and backend-specific options.

    Precedence (lowest to highest): defaults, the ``[solve]`` table, the ``FTGAMES_SOLVER`` environment variable
    (solver name only), keyword overrides.
    """

    solver: str | None = None  # None: the formulation's preferred backend
    formulation: str | None = None  # used by game front ends; ignored by the solver layer
    time_limit: float | None = None  # seconds
    tolerance: float = 1e-8  # feasibility / optimality tolerance passed to the backend
    mip_gap: float = 1e-9  # relative gap for branch-and-bound backends
    threads: int | None = None
    starts: int = 5  # multistart count for local (Ipopt) formulations
    log: bool = False  # capture and return the solver log
    options: dict[str, Any] = field(default_factory=dict)  # passed verbatim to the backend

    def __post_init__(self) -> None:
        from .registry import backend_names

        if self.solver is not None and self.solver not in backend_names():
            raise ConfigError(f"solve.solver: unknown solver {self.solver!r}; valid: {', '.join(backend_names())}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise ConfigError(f"solve.time_limit must be > 0 seconds, got {self.time_limit}")
        if not 0 < self.tolerance < 1:
            raise ConfigError(f"solve.tolerance must be in (0, 1), got {self.tolerance}")
        if not 0 <= self.mip_gap < 1:
            raise ConfigError(f"solve.mip_gap must be in [0, 1), got {self.mip_gap}")
        if self.threads is not None and self.threads < 1:
            raise ConfigError(f"solve.threads must be >= 1, got {self.threads}")
        if self.starts < 1:
            raise ConfigError(f"solve.starts must be >= 1, got {self.starts}")
        if not isinstance(self.options, dict):
            raise ConfigError("solve.options must be a table of backend options")

    @classmethod
    def keys(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    @classmethod
    def from_table(cls, table: dict[str, Any] | None = None, **overrides: Any) -> SolveConfig:
        """Build from a TOML ``[solve]`` table, then the environment, then keyword overrides (None = unset)."""
        table = dict(table or {})
        unknown = sorted(set(table) - set(cls.keys()))
        if unknown:
            raise ConfigError(f"[solve]: unknown key(s) {', '.join(unknown)}; valid: {', '.join(cls.keys())}")
        env_solver = os.environ.get(ENV_SOLVER)
        if env_solver:
            table["solver"] = env_solver
        bad = sorted(set(overrides) - set(cls.keys()))
        if bad:
            raise ConfigError(f"unknown solve option(s) {', '.join(bad)}; valid: {', '.join(cls.keys())}")
        table.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**table)

    def with_(self, **changes: Any) -> SolveConfig:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
