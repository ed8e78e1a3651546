"""The openness game's KKT programs, built once and re-solved for every new δ, θ and penalty p.

``OpennessKKTProgram(game, encoding="sos1", solver="scip")`` builds the leader–follower model of each regime
(comply: ω ∈ [θ, 1]; pay: ω ∈ [0, θ]) with :func:`.kkt.build_regime_bilevel` (``parametric=True``: the contract's
level δ, θ, p and the compliance switch as mutable ``Param`` s) and keeps its KKT reformulation, polish program and
follower re-solve program (:class:`ftgames.formulations.bilevel.parametric.ParametricBilevel`)::

    program = OpennessKKTProgram(game, solver="scip")
    for theta in np.linspace(0, 1, 21):
        eq = program.update(theta=theta).solve()  # what solve_equilibrium(game.with_regulation(theta, p),
                                                  #                        "kkt:sos1") gives

Each :meth:`~OpennessKKTProgram.solve` returns the :class:`~ftgames.models.openness.OpennessEquilibrium` of
``solve_equilibrium(game, "kkt:<encoding>")`` for the game with the current values, through the same code
(:func:`.kkt.regime_value` for each regime, :func:`.regimes.choose_regime`, the agreement with the exact
enumeration); while θ = 0 the pay regime is empty and not solved, as in a fresh build.

D's step is bounded by one Δ_max valid for every level of the contract (:func:`.kkt.step_upper_bound` at the
lowest level, where D keeps the most, over ω ∈ [0, 1]); a fresh build bounds it by the same rule on the regime's
interval at the current δ, a bound that never binds either, so the two programs have the same solutions.  An update
whose fresh bound would exceed the program's is refused (:class:`~ftgames.models.costs.ModelError`).

Parameters: ``delta`` (the contract's level), ``theta`` (in [0, 1]), ``penalty`` (≥ 0), each checked by the game's
own validation.  Named variables (:attr:`~OpennessKKTProgram.variables`): ``comply.omega``, ``comply.step``,
``pay.omega``, ``pay.step``.  Encodings ``sos1`` (default), ``indicator``, ``product``; ``bigm`` (M values proven
for one point) is refused, and so are custom contracts (D's problem may be non-concave and its step bound is a grid
search at one δ).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from ...errors import OptionError
from ...models.costs import ModelError
from ...models.openness import OpennessEquilibrium, OpennessGame, ParameterError, RegimeValue
from ...solvers import SolveConfig, SolveFailed
from ..parametric import ParametricProgram, program_scope
from .enumeration import regime_interval
from .kkt import build_regime_bilevel, regime_value, step_upper_bound
from .regimes import checked_against_exact, choose_regime

ENCODINGS = ("sos1", "indicator", "product")
REGIMES = ("comply", "pay")


def step_bound(game: OpennessGame) -> float:
    """A bound on D's step valid for every level of the contract and every ω (see the module's docstring)."""
    if game.max_fine_tuning is not None:
        return float(game.max_fine_tuning)
    low = game.contract.level_range()[0]
    return step_upper_bound(game.with_delta(low), 0.0, 1.0, low)


class OpennessKKTProgram(ParametricProgram):
    """The openness game's two regime programs with δ, θ and p as parameters (see the module's docstring)."""

    parameter_names = ("delta", "theta", "penalty")

    def __init__(self, game: OpennessGame, *, encoding: str = "sos1", solver: str | None = None,
                 config: SolveConfig | None = None) -> None:
        from ..bilevel.parametric import ParametricBilevel

        super().__init__()
        if encoding not in ENCODINGS:
            raise OptionError(f"OpennessKKTProgram: encoding must be one of {', '.join(ENCODINGS)}, got "
                              f"{encoding!r}" + (" (big-M values are proven for one point; use solve_equilibrium "
                                                 "per point)" if encoding == "bigm" else ""))
        if not game.contract.separable:
            raise ModelError("OpennessKKTProgram: a custom contract's step bound and D's concavity hold for one "
                             "level only; use solve_equilibrium per point")
        self.game = game
        self.encoding = encoding
        self.step_max = step_bound(game)
        self._check_bound(game)
        t0 = time.perf_counter()
        self.models = {regime: build_regime_bilevel(game, regime, parametric=True, step_max=self.step_max)
                       for regime in REGIMES}
        self._model_time = time.perf_counter() - t0
        self.programs = {regime: ParametricBilevel(bm, encoding=encoding, solver=solver,
                                                   config=config or SolveConfig())
                         for regime, bm in self.models.items()}
        self.build_time = self._model_time + sum(p.build_time for p in self.programs.values())
        self._values = {"delta": float(game.delta), "theta": float(game.regulation.theta),
                        "penalty": float(game.regulation.penalty)}
        self._charged = False

    @property
    def program(self) -> Any:
        """The single-level Pyomo model (KKT system + encoding) of the comply regime."""
        return self.programs["comply"].program

    @property
    def variables(self) -> dict[str, Any]:
        """``<regime>.omega`` (G's openness) and ``<regime>.step`` (D's fine-tuning) of both regimes."""
        out = {}
        for regime, bm in self.models.items():
            out[f"{regime}.omega"] = bm.model.omega
            out[f"{regime}.step"] = bm.model.fine_tuning.step
        return out

    def _check_bound(self, game: OpennessGame) -> None:
        if game.max_fine_tuning is not None:
            return
        for regime in REGIMES:
            interval = regime_interval(game, regime)
            if interval is not None and step_upper_bound(game, *interval, game.delta) > self.step_max:
                raise ModelError(f"OpennessKKTProgram: at δ = {game.delta:g}, θ = {game.regulation.theta:g} D's "
                                 f"step bound exceeds the program's ({self.step_max:g}); use solve_equilibrium")

    def accepts(self, game: OpennessGame) -> bool:
        """Whether ``game`` differs from the program's only in its parameters and fits its step bound."""
        try:
            self._check_bound(game)
        except ModelError:
            return False
        return True

    def _set(self, name: str, value: Any) -> float:
        try:
            if name == "delta":
                game = self.game.with_delta(value)
            else:
                regulation = self.game.regulation
                game = self.game.with_regulation(value if name == "theta" else regulation.theta,
                                                 value if name == "penalty" else regulation.penalty)
        except ParameterError as exc:  # the contract's range error of a parametric program
            raise ModelError(str(exc)) from None
        self._check_bound(game)
        self.game = game
        stored = float(game.delta if name == "delta" else getattr(game.regulation, name))
        for program in self.programs.values():
            if name == "theta":
                program.update(theta=stored, compliance_on=1.0 if stored > 0.0 else 0.0)
            else:
                program.update(**{name: stored})
        return stored

    def _solve(self) -> OpennessEquilibrium:
        values: list[RegimeValue] = []
        for regime in REGIMES:
            if regime_interval(self.game, regime) is None:
                values.append(RegimeValue(regime, feasible=False))
                continue
            values.append(regime_value(self.game, regime, self.models[regime], self.programs[regime].solve()))
        for value in values:
            if value.feasible and not value.proof:
                raise SolveFailed(f"openness KKT program of regime '{value.regime}' ended with status "
                                  f"'{value.status}'")
        return checked_against_exact(self.game, choose_regime(self.game, values, f"kkt:{self.encoding}"))


def solve_in_scope(game: OpennessGame, encoding: str, solver: str | None,
                   config: SolveConfig | None) -> OpennessEquilibrium | None:
    """Inside :func:`ftgames.formulations.parametric.reuse_programs`, the KKT equilibrium of ``game`` from the
    scope's program for everything in it but δ, θ and p (built on first use); None outside a scope or where no
    parametric program applies (``bigm``, a custom contract, a step bound beyond the program's): the caller then
    builds afresh."""
    scope = program_scope()
    if scope is None or encoding not in ENCODINGS or not game.contract.separable:
        return None
    base = replace(game, delta=game.contract.level_range()[0]).with_regulation(0.0, 0.0)
    key = ("openness_kkt", repr(base), encoding, solver, repr(config))
    program = scope.get(key, lambda: OpennessKKTProgram(game, encoding=encoding, solver=solver, config=config))
    assert isinstance(program, OpennessKKTProgram)
    if not program.accepts(game):
        return None
    return program.update(delta=game.delta, theta=game.regulation.theta, penalty=game.regulation.penalty).solve()
