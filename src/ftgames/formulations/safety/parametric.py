"""The safety game's KKT programs, built once and re-solved for every new δ, θG and θD.

``SafetyKKTProgram(game, solver="scip")`` builds, for every set S of specialists G may keep on board, the
leader–follower model of :func:`.single_level.build_bilevel` with the shares and floors as mutable ``Param`` s
(``parametric=True``) and keeps its KKT reformulation, polish program and followers' re-solve programs
(:class:`ftgames.formulations.bilevel.parametric.ParametricBilevel`)::

    program = SafetyKKTProgram(game, solver="scip")
    for theta in np.linspace(0, 2, 41):
        eq = program.update(theta_G=theta).solve()   # the SafetyEquilibrium solve_kkt(game.with_regulation(theta))
                                                     # gives

Each :meth:`~SafetyKKTProgram.solve` returns the :class:`~ftgames.models.safety.SafetyEquilibrium` that
:func:`.kkt.solve_kkt` returns for the game with the current values, through the same code
(:func:`.single_level.equilibrium_of_subsets`: every S solved, the best kept, the bilevel certificate and the
agreement with the exact enumeration).  What is not repeated: building 2^n − 1 models, their KKT systems and
encodings, the clones for the polish and the certificate, and handing the programs to SCIP/HiGHS (persistent
sessions push only the changed coefficients and bounds).

Parameters: ``delta`` (G's share of each domain, in [0, 1]), ``theta_G`` (G's floor, ≥ 0) and ``theta_D`` (each
specialist's floor, in [0, 2M] with M = :func:`.single_level.investment_bound`: beyond it a fresh build bounds β_i
by θD_i instead of 2M); a scalar ``delta`` or ``theta_D`` applies to every specialist.  Named variables
(:attr:`~SafetyKKTProgram.variables`, of the program with every specialist): ``alpha0``, ``beta0`` and
``D<i>.alpha``, ``D<i>.beta``; :attr:`~SafetyKKTProgram.programs` holds the program of each S.
Encodings: ``sos1`` (default) and ``indicator`` on a global backend; ``bigm`` (M values proven for one point) and
``product`` (started from the unregulated equilibrium at the current δ, a local method) are refused.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import OptionError
from ...models.costs import ModelError
from ...models.safety import SafetyEquilibrium, SafetyGame
from ...solvers import SolveConfig
from ..parametric import ParametricProgram, program_scope
from .single_level import build_bilevel, equilibrium_of_subsets, investment_bound, resolve_options, subsets

ENCODINGS = ("sos1", "indicator")


class SafetyKKTProgram(ParametricProgram):
    """The safety game's KKT programs (one per set S of kept specialists) with δ, θG and θD as parameters."""

    parameter_names = ("delta", "theta_G", "theta_D")

    def __init__(self, game: SafetyGame, *, solver: str | None = None, encoding: str | None = None,
                 config: SolveConfig | None = None) -> None:
        from ..bilevel.parametric import ParametricBilevel

        super().__init__()
        config, encoding, start = resolve_options(game, solver, encoding, config, None)
        if encoding not in ENCODINGS or start is not None:
            why = ("its M values are proven for one point" if encoding == "bigm" else
                   "a local backend starts each solve from the unregulated equilibrium at the current δ")
            raise OptionError(f"SafetyKKTProgram: encoding {encoding!r} cannot be re-solved for new parameters "
                              f"({why}); use {' or '.join(ENCODINGS)} on a global backend, or solve_kkt per point")
        self.bound = 2.0 * investment_bound(game)
        self._check_floors(game)
        self.game = game
        self.encoding = encoding
        self.models: dict[tuple[int, ...], Any] = {}
        self.programs: dict[tuple[int, ...], ParametricBilevel] = {}
        t0 = time.perf_counter()
        for subset in subsets(game):
            self.models[subset] = build_bilevel(game, subset, parametric=True)
        self._model_time = time.perf_counter() - t0
        for subset, bm in self.models.items():
            self.programs[subset] = ParametricBilevel(bm, encoding=encoding, solver=solver, config=config,
                                                      certificate_solver="scip")
        self.build_time = self._model_time + sum(p.build_time for p in self.programs.values())
        self._values = {"delta": tuple(float(d) for d in game.deltas), "theta_G": float(game.theta_G),
                        "theta_D": tuple(float(t) for t in game.theta_D)}

    @property
    def full(self) -> tuple[int, ...]:
        return tuple(range(self.game.n))

    @property
    def program(self) -> Any:
        """The single-level Pyomo model (KKT system + encoding) of the set with every specialist."""
        return self.programs[self.full].program

    @property
    def variables(self) -> dict[str, Any]:
        """``alpha0``, ``beta0`` and ``D<i>.alpha``, ``D<i>.beta`` of the set with every specialist."""
        bm = self.models[self.full]
        out = {"alpha0": bm.model.a, "beta0": bm.model.b}
        for i in range(self.game.n):
            block = bm.follower(f"D{i + 1}").block
            out[f"D{i + 1}.alpha"] = block.alpha
            out[f"D{i + 1}.beta"] = block.beta
        return out

    @property
    def backend(self) -> str:
        return self.programs[self.full].backend

    def _check_floors(self, game: SafetyGame) -> None:
        too_high = [s.theta_D for s in game.specialists if s.theta_D > self.bound]
        if too_high:
            raise ModelError(f"theta_D = {max(too_high):g} exceeds the program's bound on β_i, 2M = {self.bound:g} "
                             f"(beyond it a fresh build bounds β_i by θD_i): use solve_kkt for this point")

    def _set(self, name: str, value: Any) -> Any:
        if name == "delta":
            game = self.game.with_delta(_per_specialist(name, value, self.game.n))
            stored: Any = tuple(float(d) for d in game.deltas)
            for program in self.programs.values():
                program.update(delta=stored)
        elif name == "theta_G":
            game = self.game.with_regulation(theta_G=value)
            stored = float(game.theta_G)
            bound = max(self.bound / 2.0, stored)  # max(M, θG), as a fresh build bounds β0
            for program in self.programs.values():
                program.update(theta_G=stored, b_upper=bound)
        else:
            game = self.game.with_regulation(theta_D=_per_specialist(name, value, self.game.n))
            self._check_floors(game)
            stored = tuple(float(t) for t in game.theta_D)
            for program in self.programs.values():
                program.update(theta_D=stored)
        self.game = game
        return stored

    def _solve(self) -> SafetyEquilibrium:
        first = self.solves == 0  # the models' build is charged to the first solve, like the reformulations'

        def resolve(subset: tuple[int, ...]) -> tuple[Any, Any, float]:
            share = self._model_time if first and subset == self.full else 0.0
            return self.models[subset], self.programs[subset].solve(), share

        return equilibrium_of_subsets(self.game, self.encoding, resolve)


def _per_specialist(name: str, value: Any, n: int) -> np.ndarray:
    """A scalar (every specialist) or one number per specialist, as floats (the model checks the range)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ModelError(f"{name} must be a number or {n} numbers, got {value!r}") from None
    if array.ndim > 1 or (array.ndim == 1 and array.size != n):
        raise ModelError(f"{name} must be a number or one number per specialist ({n}), got {value!r}")
    return np.broadcast_to(array, (n,))


def _key(game: SafetyGame, solver: str | None, encoding: str | None, config: SolveConfig | None) -> tuple:
    """Everything a program is built from but its parameters."""
    specialists = tuple((s.name, s.cost.tobytes(), s.revenue.tobytes()) for s in game.specialists)
    return ("safety_kkt", game.generalist_cost.tobytes(), specialists, solver, encoding, repr(config))


def solve_in_scope(game: SafetyGame, *, solver: str | None, encoding: str | None, config: SolveConfig | None,
                   start: Sequence[float] | None) -> SafetyEquilibrium | None:
    """Inside :func:`ftgames.formulations.parametric.reuse_programs`, the KKT equilibrium of ``game`` from the
    scope's program for its costs and revenues, solver, encoding and configuration (built on first use); None
    outside a scope or where no parametric program applies (a given start, a local backend, ``bigm``/``product``,
    a floor beyond the program's bound): the caller then builds afresh."""
    scope = program_scope()
    if scope is None or start is not None:
        return None
    _, chosen, start_needed = resolve_options(game, solver, encoding, config, None)
    if chosen not in ENCODINGS or start_needed is not None:
        return None
    if np.any(game.theta_D > 2.0 * investment_bound(game)):
        return None
    program = scope.get(_key(game, solver, encoding, config),
                        lambda: SafetyKKTProgram(game, solver=solver, encoding=encoding, config=config))
    assert isinstance(program, SafetyKKTProgram)
    return program.update(delta=game.deltas, theta_G=game.theta_G, theta_D=game.theta_D).solve()
