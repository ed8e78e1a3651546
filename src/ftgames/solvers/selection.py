"""Which backend runs a program, resolved in one place for every game, formulation and front end.

Precedence (highest first): ``solver=`` keyword or ``--solver`` flag; the ``FTGAMES_SOLVER`` environment variable;
the game file's ``[solve] solver``; the default policy (:data:`ftgames.solvers.policy.DEFAULT_POLICY`).  The result
says which of these decided, so that an outcome can record it and an error can name it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from .capabilities import Capability, Layer
from .config import ENV_SOLVER, ENV_SOURCE, POLICY_ONLY, ConfigError, SolveConfig
from .policy import DEFAULT_POLICY
from .registry import BACKENDS, CapabilityError, capable_backends

POLICY_SOURCE = "default policy"


@dataclass(frozen=True)
class SolverChoice:
    """A resolved backend and where the choice came from (``keyword solver=``, ``--solver``, the environment
    variable, a game-file key, or ``default policy``)."""

    name: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "source": self.source}


def _named(name: str, source: str) -> SolverChoice:
    if not isinstance(name, str) or name not in BACKENDS:
        raise ConfigError(f"{source}: unknown solver {name!r}; valid: {', '.join(BACKENDS)}")
    return SolverChoice(name, source)


def explicit_choice(solver: str | None = None, config: SolveConfig | None = None) -> SolverChoice | None:
    """The backend named by the caller, the environment or the configuration, by precedence; None if nobody did."""
    if solver is not None:
        return _named(solver, "keyword solver=")
    config_source = config.solver_source if config is not None else ""
    if config_source == POLICY_ONLY:
        return None
    if config is not None and config.solver is not None and config_source in ("keyword solver=", "--solver"):
        return _named(config.solver, config_source)
    env = os.environ.get(ENV_SOLVER, "").strip()
    if env:
        return _named(env, ENV_SOURCE)
    if config is not None and config.solver is not None:
        return _named(config.solver, config_source or "SolveConfig(solver=...)")
    return None


def policy_choice(layer: Layer | str, requires: Iterable[Capability], size: int | None = None,
                  formulation: str = "") -> SolverChoice:
    """The default policy's backend for a ``layer`` program needing ``requires`` with ``size`` scalar variables."""
    layer = Layer(layer)
    needs = frozenset(requires)
    capable = set(capable_backends(layer, needs))
    for rule in DEFAULT_POLICY:
        if rule.layer is not layer or (rule.any_of and not needs & rule.any_of):
            continue
        large = rule.small is not None and size is not None and size > rule.small
        order = rule.prefer_large if large else rule.prefer
        for name in order:
            if name in capable:
                return SolverChoice(name, f"{POLICY_SOURCE} ({rule.why})")
    what = f"formulation {formulation!r}" if formulation else "this program"
    raise CapabilityError(f"no available backend can solve {what}: it needs {', '.join(sorted(needs))} on {layer}")


def resolve_solver(
    layer: Layer | str,
    requires: Iterable[Capability],
    *,
    solver: str | None = None,
    config: SolveConfig | None = None,
    size: int | None = None,
    formulation: str = "",
) -> SolverChoice:
    """The backend for one program: the caller's, the environment's or the file's choice, else the policy's."""
    return explicit_choice(solver, config) or policy_choice(layer, requires, size, formulation)
