"""Re-solving one Pyomo model many times through one backend object (the persistent interfaces).

``PersistentSolve(model, requires=..., solver=...)`` resolves and checks the backend once, exactly as
:func:`ftgames.solvers.solve` does, and keeps the backend's persistent solver object (Pyomo's ``highs`` and
``scip_persistent`` interfaces): the first :meth:`PersistentSolve.solve` hands the whole model over, every later one
pushes only what changed since (mutable ``Param`` values, the values of fixed variables, bounds, added or removed
rows) and solves again.  SCIP and HiGHS read a model their direct paths model (``scip_direct``, ``highs_direct``)
afresh at every solve instead, which costs less than the change tracking on small programs.  Each call returns the
library's one :class:`SolveResult`, with the same status vocabulary, values, duals and statistics as a fresh
solve.  A backend without a persistent interface (Ipopt, Clarabel) is solved
afresh each time, so callers need not care which kind they hold; :attr:`PersistentSolve.persistent` says which.
After a solve that ends in ``error`` the backend object is replaced by a new one (a failed solver may keep a broken
state), so the next solve hands the whole model over again.

>>> session = PersistentSolve(model, requires={Capability.MIQP}, solver="scip")   # doctest: +SKIP
>>> model.delta.set_value(0.3); first = session.solve()                            # doctest: +SKIP
>>> model.delta.set_value(0.4); second = session.solve()   # only δ's coefficients are pushed
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from .capabilities import Capability, Layer
from .config import SolveConfig
from .registry import check_backend
from .result import SolveResult, Status
from .selection import resolve_solver


class PersistentSolve:
    """One Pyomo ``model`` held by one backend for many solves (see the module's docstring).

    The model must stay the same object; change it through mutable ``Param`` values, fixed variables and bounds.
    ``solves`` counts the calls; ``backend``/``backend_source`` are resolved once, when the session is created.
    """

    def __init__(self, model: Any, *, requires: Iterable[Capability], solver: str | None = None,
                 config: SolveConfig | None = None, convex: bool = False, formulation: str = "",
                 size: int | None = None) -> None:
        import pyomo.environ as pyo

        self.model = model
        self.requires = frozenset(requires)
        self.config = config or SolveConfig()
        self.convex = convex
        self.formulation = formulation
        if size is None:
            size = sum(1 for _ in model.component_data_objects(pyo.Var, descend_into=True))
        choice = resolve_solver(Layer.PYOMO, self.requires, solver=solver, config=self.config, size=size,
                                formulation=formulation)
        self._backend = check_backend(choice.name, Layer.PYOMO, self.requires, formulation, choice.source)
        self.backend = choice.name
        self.backend_source = choice.source
        self._opt = self._backend.persistent_pyomo(self.config)
        self.solves = 0

    @property
    def persistent(self) -> bool:
        """True when the backend keeps the model between solves (else each solve is a fresh one)."""
        return self._opt is not None

    def solve(self, config: SolveConfig | None = None) -> SolveResult:
        """Solve the model as it is now; ``config`` overrides the session's limits for this call only."""
        config = config or self.config
        t0 = time.perf_counter()
        if self._opt is None:
            result = self._backend.solve_pyomo(self.model, config, convex=self.convex, formulation=self.formulation)
        else:
            result = self._backend.solve_pyomo_persistent(self._opt, self.model, config, convex=self.convex,
                                                          formulation=self.formulation)
        result.solve_time = max(result.solve_time, time.perf_counter() - t0)
        result.backend_source = self.backend_source
        self.solves += 1
        if self._opt is not None and result.status is Status.ERROR:
            # a solver that failed may keep a broken state (SCIP after "error in LP solver" returned wrong optima
            # on the next re-solve): start the next solve from a new object
            self._opt = self._backend.persistent_pyomo(self.config)
        return result
