"""The fine-tuning game's KKT equilibrium program, built once and re-solved for every new δ.

``EquilibriumProgram(game, encoding="sos1", solver="scip")`` builds the leader–follower model of
:func:`.kkt.build_bilevel` with G's shares as a mutable ``Param`` ``model.delta[i]``, and keeps its KKT
reformulation, the polish program and the followers' re-solve programs
(:class:`ftgames.formulations.bilevel.parametric.ParametricBilevel`)::

    program = EquilibriumProgram(game, encoding="sos1", solver="scip")
    for d in np.linspace(0, 1, 101):
        eq = program.update(delta=[d]).solve()      # the Equilibrium solve_equilibrium(game, [d], "kkt:sos1") gives

Each :meth:`~EquilibriumProgram.solve` returns the :class:`~ftgames.models.outcomes.Equilibrium` that
``solve_equilibrium(game, delta, formulation="kkt:<encoding>")`` returns at the same δ: the same single-level
solve, active-set polish, bilevel certificate and independent equilibrium certificate (:func:`.kkt.equilibrium_of`).
What is not repeated: building the model, differentiating the followers, encoding complementarity, cloning for the
polish and the certificate, and handing the program to SCIP/HiGHS (persistent sessions push only δ's coefficients).

Parameters: ``delta`` (one share per specialist, each in [0, 1]).  Named variables (:attr:`variables`):
``alpha0`` (G's investment) and ``specialist_<i>.alpha`` (D_i's), plus the KKT multipliers on :attr:`program`.
Encodings: ``sos1`` (default), ``indicator``, ``product`` (``bigm``'s M values hold for one δ only: refused).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ...errors import OptionError
from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import Equilibrium
from ...solvers import SolveConfig
from ..parametric import ParametricProgram, program_scope
from .kkt import MAX_SPECIALISTS, build_bilevel, equilibrium_of

ENCODINGS = ("sos1", "indicator", "product")


class EquilibriumProgram(ParametricProgram):
    """The KKT program of the investment stage with δ as a parameter (see the module's docstring)."""

    parameter_names = ("delta",)

    def __init__(self, game: FineTuningGame, delta: float | Sequence[float] | None = None, *,
                 encoding: str = "sos1", solver: str | None = None, config: SolveConfig | None = None,
                 polish: bool = True, **options: Any) -> None:
        from ..bilevel.encodings import encoding_module
        from ..bilevel.parametric import ParametricBilevel

        super().__init__()
        if encoding not in ENCODINGS:
            raise OptionError(f"EquilibriumProgram: encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}"
                              + (" (big-M values are proven for one δ; use solve_equilibrium per point)"
                                 if encoding == "bigm" else ""))
        valid = ("certificate_solver", "tolerance", *encoding_module(encoding).OPTIONS)
        unknown = sorted(set(options) - set(valid))
        if unknown:
            raise OptionError(f"EquilibriumProgram(encoding={encoding!r}): unknown option(s) {', '.join(unknown)}; "
                              f"valid: solver, config, polish, {', '.join(valid)}")
        if game.n > MAX_SPECIALISTS:
            raise ModelError(f"formulation 'kkt:{encoding}' handles at most {MAX_SPECIALISTS} specialists, got "
                             f"{game.n}; use closed_form or enumeration")
        self.game = game
        self.encoding = encoding
        delta = game.check_delta([0.5] * game.n if delta is None else delta)
        t0 = time.perf_counter()
        self.bilevel_model = build_bilevel(game, delta, parametric=True)
        self._model_time = time.perf_counter() - t0
        self.bilevel = ParametricBilevel(self.bilevel_model, encoding=encoding, solver=solver, config=config,
                                         polish=polish, **options)
        self.build_time = self._model_time + self.bilevel.build_time
        self._values = {"delta": delta}

    @property
    def program(self) -> Any:
        """The single-level Pyomo model (KKT system + encoding) that is re-solved."""
        return self.bilevel.program

    @property
    def variables(self) -> dict[str, Any]:
        """``alpha0`` and ``specialist_<i>.alpha`` (Pyomo variables of the leader–follower model)."""
        m = self.bilevel_model.model
        out = {"alpha0": m.alpha0}
        out.update({f"specialist_{i}.alpha": self.bilevel_model.follower(f"specialist_{i}").block.alpha
                    for i in range(self.game.n)})
        return out

    @property
    def backend(self) -> str:
        return self.bilevel.backend

    def _set(self, name: str, value: Any) -> tuple[float, ...]:
        delta = self.game.check_delta(value)
        self.bilevel.update(delta=delta)
        return delta

    def _solve(self) -> Equilibrium:
        result = self.bilevel.solve()
        first = self.solves == 0  # the model's build is charged to the first solve, like the reformulation's
        return equilibrium_of(self.game, self._values["delta"], self.bilevel_model, result, self.encoding,
                              self._model_time if first else 0.0)


def solve_in_scope(game: FineTuningGame, delta: float | Sequence[float], encoding: str,
                   options: dict[str, Any]) -> Equilibrium | None:
    """Inside :func:`ftgames.formulations.parametric.reuse_programs`, the KKT equilibrium at δ from the scope's
    program for this game, encoding, solver and options (built on first use); None outside a scope or where no
    parametric program applies (the caller then builds afresh and raises its own errors)."""
    from ..bilevel.encodings import encoding_module

    scope = program_scope()
    if scope is None or encoding not in ENCODINGS or game.n > MAX_SPECIALISTS or game.has_entry_decisions:
        return None
    valid = {"solver", "config", "polish", "certificate_solver", "tolerance", *encoding_module(encoding).OPTIONS}
    if not set(options) <= valid:
        return None
    delta = game.check_delta(delta)
    kept = {k: v for k, v in options.items() if k not in ("solver", "config", "polish")}
    key = ("equilibrium", game, encoding, options.get("solver"), repr(options.get("config")),
           options.get("polish", True), repr(sorted(kept.items())))
    program = scope.get(key, lambda: EquilibriumProgram(game, delta, encoding=encoding, solver=options.get("solver"),
                                                        config=options.get("config"),
                                                        polish=options.get("polish", True), **kept))
    return program.update(delta=delta).solve()
