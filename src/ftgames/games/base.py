"""The contract every game front end keeps: one request, one outcome shape, one status and certificate vocabulary.

A front end turns a game file into a validated model (:meth:`FrontEnd.parse`), solves what the file asks for
(:meth:`FrontEnd.solve` → a JSON-ready report), and renders or plots that report.  Reports have the same top level
for every game (``game``, ``file``, ``parameters``, ``request``, ``outcomes`` and game extras) and every outcome the
same fields (``delta``, ``U_G``, ``U_D``, ``status``, ``certificate``, ``formulation``, ``backend``, ``timing``,
``stages``) beside the game's investments and labels (``alpha0``/``alpha`` and ``regimes``; ``gamma0``/``gamma`` and
``classification``; ``omega``/``alpha1`` and ``regime``); ``schema/outcome.schema.json`` states it and the tests
hold every example to it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..formulations.grammar import Formulation, parse_formulation
from ..io.gamefile import GameFile, GameFileError
from ..models.outcomes import Certificate, reported_status
from ..solvers import ConfigError, SolveConfig, Status
from ..solvers.selection import SolverChoice, explicit_choice

SCHEMA_VERSION = "ftgames.outcome/1"
#: Worst first: the status of an outcome is the worst of its stages'.
STATUS_SEVERITY = (Status.ERROR, Status.TIME_LIMIT, Status.INFEASIBLE, Status.UNBOUNDED, Status.NOT_COMPUTED,
                   Status.LOCALLY_OPTIMAL, Status.OPTIMAL)


@dataclass
class Stage:
    """One stage of an outcome (an equilibrium at given shares, a bargaining program, ...) and how it was solved.

    ``total_s`` is wall-clock time measured around the stage by the front end; ``build_s`` is the part the
    formulation reports as model construction (0 when it builds nothing)."""

    stage: str
    formulation: str
    backend: str | None
    status: Status
    certificate: Certificate
    total_s: float = 0.0
    build_s: float = 0.0
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "formulation": self.formulation, "backend": self.backend,
                "status": reported_status(self.status, self.certificate.level),
                "certificate": self.certificate.to_dict(),
                "timing": timing(self.build_s, self.total_s), **({"detail": self.detail} if self.detail else {})}


def timing(build_s: float, total_s: float) -> dict[str, float]:
    """``total_s`` is wall clock; ``solve_s`` is everything that is not building (solve, polish, certificate)."""
    build_s = min(max(build_s, 0.0), total_s)
    return {"build_s": build_s, "solve_s": total_s - build_s, "total_s": total_s}


class Stopwatch:
    """Wall-clock seconds since creation (``elapsed``), for timing that no formulation can under-report."""

    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start


def worst_status(statuses: list[Status | str]) -> Status:
    if not statuses:
        return Status.NOT_COMPUTED
    return min((Status(s) for s in statuses), key=STATUS_SEVERITY.index)


def outcome(*, delta: list[float], U_G: float, U_D: list[float], values: dict[str, Any],  # noqa: N803
            stages: list[Stage], formulation: str, total_s: float, main: int = 0,
            **extras: Any) -> dict[str, Any]:
    """One outcome in the common shape: the shares, the utilities, the game's investments and labels (``values``),
    then how it was found.  ``main`` is the index of the stage that ``formulation`` names: its backend is the
    outcome's ``backend``; status and certificate are the weakest over every stage (``optimal`` only with a global
    certificate: :func:`~ftgames.models.outcomes.reported_status`); ``timing.total_s`` is the wall
    clock measured around the whole outcome."""
    build = sum(s.build_s for s in stages)
    certificate = Certificate.weakest([s.certificate for s in stages], method=formulation)
    return {
        "delta": [float(d) for d in delta],
        "U_G": U_G,
        "U_D": list(U_D),
        **values,
        "status": reported_status(worst_status([s.status for s in stages]), certificate.level),
        "certificate": certificate.to_dict(),
        "formulation": formulation,
        "backend": stages[main].backend if stages else None,
        "timing": timing(build, max(total_s, sum(s.total_s for s in stages))),
        "stages": [s.to_dict() for s in stages],
        **extras,
    }


@dataclass(frozen=True)
class Request:
    """What the caller asked for, resolved once: the formulation (grammar-checked for this game), the solve options
    and the explicitly chosen backend (keyword/flag > ``FTGAMES_SOLVER`` > file), if any."""

    formulation: Formulation
    formulation_source: str
    config: SolveConfig
    solver: SolverChoice | None
    extras: dict[str, Any] = field(default_factory=dict)

    def stage_config(self, governed: bool) -> SolveConfig:
        """The options for one stage: the chosen solver applies to the stage the formulation names (``governed``);
        the others use the default policy."""
        return self.config if governed else self.config.policy_only()

    def to_dict(self, used_backends: set[str]) -> dict[str, Any]:
        """``used_backends``: the backends of the stages the formulation names (the ones the solver choice
        governs); a named solver that none of them ran is reported as unused, with the reason."""
        c = self.config
        solver: dict[str, Any] | None = None
        if self.solver is not None:
            used = self.solver.name in used_backends
            solver = {**self.solver.as_dict(), "used": used}
            if not used:
                ran = ", ".join(sorted(used_backends))
                solver["note"] = (f"{self.solver.name!r} was not used: the stage that formulation "
                                  f"{str(self.formulation)!r} names " + (f"ran {ran}" if ran else
                                                                          "runs no solver backend"))
        return {"formulation": str(self.formulation), "formulation_source": self.formulation_source,
                "solver": solver, "time_limit": c.time_limit, "tolerance": c.tolerance, "mip_gap": c.mip_gap,
                "threads": c.threads, "starts": c.starts, **self.extras}


class FrontEnd:
    """Base of a game front end (``game = "<name>"`` in a game file).  Subclasses set ``name``, ``formulations``
    (canonical ``kind[:encoding]`` names the game accepts), ``default_formulation`` and implement ``parse``,
    ``solve``, ``render`` and ``plot``; ``solve_batch`` is an optional fast path for sweeps."""

    name: ClassVar[str]
    formulations: ClassVar[tuple[str, ...]]
    description: ClassVar[str] = ""

    def default_formulation(self, file: GameFile) -> str:
        return self.formulations[0]

    def parse(self, file: GameFile) -> Any:
        raise NotImplementedError

    def solve(self, file: GameFile, request: Request) -> dict[str, Any]:
        raise NotImplementedError

    def render(self, report: dict[str, Any]) -> Any:
        raise NotImplementedError

    def plot(self, file: GameFile, report: dict[str, Any], path: str) -> list[str]:
        raise NotImplementedError

    # ----------------------------------------------------------------------------------------- shared helpers
    def request(self, file: GameFile, *, formulation: Any = None, solver: str | None = None,
                from_command_line: bool = False, solve_table: dict[str, Any] | None = None,
                extras: dict[str, Any] | None = None) -> Request:
        """Resolve the request: ``[solve]`` of ``file`` (or ``solve_table``), overridden by ``FTGAMES_SOLVER``,
        then by ``formulation``/``solver`` (flags when ``from_command_line``).  Errors name their source."""
        table = dict(file.data.get("solve", {}) if solve_table is None else solve_table)
        if not isinstance(table, dict):
            raise file.error("solve", "must be a table [solve]")

        def where(key: str) -> str:
            line = file.line_of(f"solve.{key}")
            return f"{file.path}{f', line {line}' if line else ''}: solve.{key}"

        try:
            config = SolveConfig.from_table(table, where=where, override_source="flag" if from_command_line
                                            else "keyword", formulation=formulation, solver=solver)
        except ConfigError as exc:
            raise GameFileError(str(exc)) from None
        given = config.formulation if config.formulation is not None else self.default_formulation(file)
        source = config.formulation_source if config.formulation is not None else "the game's default"
        parsed = parse_formulation(given, self.formulations, source=source)
        return Request(parsed, source, config, explicit_choice(None, config), dict(extras or {}))

    def report(self, file: GameFile, request: Request, *, parameters: dict[str, Any],
               outcomes: dict[str, dict[str, Any]], **extras: Any) -> dict[str, Any]:
        used = {o["backend"] for o in outcomes.values() if o["backend"]}
        return {"schema": SCHEMA_VERSION, "game": self.name, "file": file.path, "parameters": parameters,
                "request": request.to_dict(used), "outcomes": outcomes, **extras}
