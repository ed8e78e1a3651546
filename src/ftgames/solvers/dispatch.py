"""The one ``solve`` entry point: resolve the backend, check it against the program, build, solve, time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from .capabilities import Capability, Layer, layer_of
from .config import SolveConfig
from .registry import check_backend
from .result import SolveResult
from .selection import resolve_solver


def solve(
    program: Any,
    *,
    requires: Iterable[Capability],
    config: SolveConfig | None = None,
    solver: str | None = None,
    convex: bool = False,
    formulation: str = "",
    build: Callable[[], Any] | None = None,
    size: int | None = None,
) -> SolveResult:
    """Solve a Pyomo model or CVXPY problem and return one :class:`SolveResult`.

    The backend is ``solver``, else ``FTGAMES_SOLVER``, else ``config.solver``, else the default policy for what the
    program ``requires`` (and its ``size`` in scalar variables, counted here when the program is given); it is
    checked against ``requires`` first.  ``convex`` declares that the program is convex, so a local solver's optimum
    is global.  If ``program`` is None, ``build()`` is called after the check and timed as ``build_time`` (so an
    incapable backend fails before anything is built).  Times are wall-clock seconds.
    """
    config = config or SolveConfig()
    requires = frozenset(requires)
    if program is None:
        if build is None:
            raise ValueError("solve: give a program or a build() callable")
        layer = _declared_layer(build)
    else:
        layer = layer_of(program)
        size = size if size is not None else _size(program, layer)
    choice = resolve_solver(layer, requires, solver=solver, config=config, size=size, formulation=formulation)
    backend = check_backend(choice.name, layer, requires, formulation, choice.source)
    build_time = 0.0
    if program is None:
        t0 = time.perf_counter()
        program = build()
        build_time = time.perf_counter() - t0
    result = backend.solve(program, layer, config, convex=convex, formulation=formulation)
    result.build_time = build_time
    result.backend_source = choice.source
    return result


def _size(program: Any, layer: Layer) -> int:
    if layer is Layer.PYOMO:
        import pyomo.environ as pyo

        return sum(1 for _ in program.component_data_objects(pyo.Var, active=True, descend_into=True))
    return sum(int(v.size) for v in program.variables())


def _declared_layer(build: Callable[[], Any]) -> Layer:
    layer = getattr(build, "layer", None)
    if layer is None:
        raise ValueError("solve: a build() callable must carry a .layer attribute ('pyomo' or 'cvxpy')")
    return Layer(layer)
