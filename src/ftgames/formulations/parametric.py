"""Parametric programs: build a formulation once, re-solve it for every new value of the game's data.

A :class:`ParametricProgram` is the program a formulation writes, with the data a sweep, a frontier or a multistart
changes (revenue shares δ, costs, weights, ...) held as **parameters** of the modelling layer instead of numbers
written into it: mutable Pyomo ``Param`` s (re-solved through a persistent backend session,
:class:`ftgames.solvers.persistent.PersistentSolve`, which pushes only the changed coefficients) or CVXPY
``Parameter`` s (the problem is DPP: CVXPY compiles it once and re-solves it by substituting the new values).

The contract, kept by every implementation (``docs/contracts.md``, "Parametric programs"):

* ``build once``: the constructor builds the program and everything its solve needs afterwards (for a KKT program:
  the encoded single-level model, the unencoded model the polish uses, the followers' re-solve models);
* ``update(**values)`` sets parameters by name (:attr:`parameter_names`; an unknown name raises
  :class:`~ftgames.errors.OptionError` listing the valid ones, a value of the wrong size or range
  :class:`~ftgames.models.costs.ModelError`) and returns the program, so ``program.update(delta=[0.3]).solve()``
  reads naturally;
* ``solve()`` returns the same record, with the same certificate, as the formulation's fresh build at the same
  values (the tests compare the two on random parameter sequences);
* :attr:`parameters` (current values by name), :attr:`variables` (the modelling layer's variables by name: the
  program users embed or inspect), :attr:`program` (the Pyomo model or CVXPY problem itself), :attr:`build_time`
  and :attr:`solves`.

Re-solving where a caller solves point by point: inside ``with reuse_programs():`` the formulations that have a
parametric program (``solve_equilibrium`` with ``kkt:sos1|indicator|product``, ``bargain`` with a conic program)
keep the programs they build in the scope's :class:`ProgramCache`, keyed by everything that is not a parameter
(the game's other data, the encoding, the solver and its configuration), and answer a later call with the same key
by ``update(...).solve()`` instead of a new build.  ``ftgames sweep`` opens one scope per chunk in each worker
(``--no-reuse`` switches it off); outside a scope every call builds afresh, as before.
"""

from __future__ import annotations

import copy
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ..errors import OptionError


class ParametricProgram(ABC):
    """Build once, ``update(**values)``, ``solve()`` (see the module's docstring)."""

    #: the parameters :meth:`update` accepts, in order
    parameter_names: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.build_time = 0.0
        self.solves = 0
        self._values: dict[str, Any] = {}

    # ------------------------------------------------------------------------------------------ the contract
    @property
    @abstractmethod
    def program(self) -> Any:
        """The Pyomo model or CVXPY problem that is re-solved."""

    @property
    @abstractmethod
    def variables(self) -> dict[str, Any]:
        """The program's decision variables by name (Pyomo ``VarData`` / CVXPY ``Variable``)."""

    @property
    def parameters(self) -> dict[str, Any]:
        """The current value of every parameter, by name."""
        return dict(self._values)

    def update(self, **values: Any) -> ParametricProgram:
        """Set parameters by name; the next :meth:`solve` uses them.  Returns the program."""
        unknown = sorted(set(values) - set(self.parameter_names))
        if unknown:
            raise OptionError(f"{type(self).__name__}.update: unknown parameter(s) {', '.join(unknown)}; valid: "
                              f"{', '.join(self.parameter_names)}")
        for name in self.parameter_names:
            if name in values:
                self._values[name] = self._set(name, values[name])
        return self

    def solve(self) -> Any:
        """Solve at the current parameter values; the same record and certificate as a fresh build (and the same
        exception where the fresh build raises one).  :attr:`solves` counts the calls, failed ones included."""
        try:
            return self._solve()
        finally:
            self.solves += 1

    # ------------------------------------------------------------------------------------------ implementations
    @abstractmethod
    def _set(self, name: str, value: Any) -> Any:
        """Validate ``value`` and write it into the program's parameter ``name``; return the value as stored."""

    @abstractmethod
    def _solve(self) -> Any:
        """Solve the program as it stands."""


class BuildTimer:
    """``with BuildTimer(program): ...`` adds the block's wall clock to ``program.build_time``."""

    def __init__(self, program: ParametricProgram) -> None:
        self.program = program

    def __enter__(self) -> BuildTimer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.program.build_time += time.perf_counter() - self._start


class ProgramCache:
    """The programs built inside one :func:`reuse_programs` scope, by key (at most ``size``, least recently used
    dropped first), and the answers that do not depend on a sweep's parameters (:meth:`answer`).  ``builds`` and
    ``reuses`` count what happened to the programs."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self.builds = 0
        self.reuses = 0
        self._programs: OrderedDict[Hashable, ParametricProgram] = OrderedDict()
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()

    def answer(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """A deep copy of the answer kept under ``key``, else of ``compute()`` (kept): for parts of a result that
        depend on data a sweep does not change (the Pareto set of a game in a sweep over its shares δ), which
        ``key`` must then hold entirely."""
        if key not in self._answers:
            self._answers[key] = compute()
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)
        self._answers.move_to_end(key)
        return copy.deepcopy(self._answers[key])

    def get(self, key: Hashable, build: Callable[[], ParametricProgram]) -> ParametricProgram:
        """The program kept under ``key``, else ``build()`` (kept)."""
        program = self._programs.get(key)
        if program is not None:
            self._programs.move_to_end(key)
            self.reuses += 1
            return program
        program = build()
        self.builds += 1
        self._programs[key] = program
        if len(self._programs) > self.size:
            self._programs.popitem(last=False)
        return program


_SCOPE: ContextVar[ProgramCache | None] = ContextVar("ftgames_reuse_programs", default=None)


@contextmanager
def reuse_programs(enabled: bool = True, size: int = 8,
                   cache: ProgramCache | None = None) -> Iterator[ProgramCache | None]:
    """A scope in which formulations re-solve the parametric programs they built earlier in it (see the module's
    docstring); ``enabled=False`` opens a scope that builds afresh (so a caller can switch re-solving off).  ``cache``
    continues an earlier scope's programs (a sweep worker keeps one cache across its chunks)."""
    token = _SCOPE.set((cache if cache is not None else ProgramCache(size)) if enabled else None)
    try:
        yield _SCOPE.get()
    finally:
        _SCOPE.reset(token)


def program_scope() -> ProgramCache | None:
    """The innermost open :func:`reuse_programs` cache, or None."""
    return _SCOPE.get()


def scoped_answer(key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, kept in the open :func:`reuse_programs` scope under ``key`` (see :meth:`ProgramCache.answer`);
    outside a scope, computed afresh."""
    scope = _SCOPE.get()
    return compute() if scope is None else scope.answer(key, compute)
