"""A leader–follower program reformulated once and re-solved for new parameter values.

``ParametricBilevel(bm, encoding="sos1", solver="scip")`` takes a :class:`BilevelModel` whose data that changes is
held in **mutable** Pyomo ``Param`` s (``m.delta = pyo.Param([0, 1], mutable=True, initialize=0.5)``) and builds,
once, everything :func:`~ftgames.formulations.bilevel.solve_bilevel` builds at every call:

* the single-level program (KKT system + the encoding), held by one backend session
  (:class:`ftgames.solvers.persistent.PersistentSolve`; SCIP and HiGHS read it afresh at each re-solve, Pyomo's
  persistent interfaces push only the changed coefficients of what those cannot read);
* the unencoded KKT program on which the answer is polished (:mod:`.polish`, ``kkt=``);
* each follower's re-solve program for the certificate (:class:`.certificate.FollowerResolver`).

``update(name=value)`` writes a parameter into all of them (a scalar for a scalar ``Param``; a sequence in index
order or a mapping index → value for an indexed one) and ``solve()`` returns the :class:`BilevelResult` that
``solve_bilevel`` would return for the same model: the same single-level solve, polish and certificate, through
the same code (:func:`.solve.finish`).  The program's build time is charged to the first solve's ``build_time``;
later solves report 0.

Encodings: ``sos1``, ``indicator`` and ``product``.  ``bigm`` is refused: its M values are proven for the
parameters it was built with, not for new ones; ``enumeration`` has no single program to keep.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import SolveConfig, check_backend, resolve_solver
from ftgames.solvers.capabilities import Layer
from ftgames.solvers.persistent import PersistentSolve

from ...errors import OptionError
from ...models.costs import ModelError
from ..parametric import BuildTimer, ParametricProgram
from .certificate import FollowerResolver
from .encodings import encoding_module
from .model import BilevelModel
from .reformulate import build_kkt, encode, encoding_requirements, normalize_requirements
from .solve import BilevelResult, finish, scip_config

PARAMETRIC_ENCODINGS = ("sos1", "indicator", "product")


class ParametricBilevel(ParametricProgram):
    """``bm`` reformulated once with ``encoding``; its mutable ``Param`` components are the parameters."""

    def __init__(self, bm: BilevelModel, *, encoding: str = "sos1", solver: str | None = None,
                 config: SolveConfig | None = None, certificate_solver: str | None = None,
                 tolerance: float = 1e-5, polish: bool = True, **options: Any) -> None:
        super().__init__()
        if encoding not in PARAMETRIC_ENCODINGS:
            why = ("its M values are proven for the parameters it is built with, not for new ones"
                   if encoding == "bigm" else "it has no single program to keep")
            raise OptionError(f"ParametricBilevel: encoding {encoding!r} cannot be re-solved for new parameters "
                              f"({why}); use one of {', '.join(PARAMETRIC_ENCODINGS)}, or solve_bilevel per point")
        module = encoding_module(encoding)
        unknown = sorted(set(options) - set(module.OPTIONS))
        if unknown:
            raise OptionError(f"ParametricBilevel: unknown option(s) {', '.join(unknown)} for encoding "
                              f"{encoding!r}; valid: {', '.join(module.OPTIONS) or 'none'}")
        self.bm = bm
        self.encoding = encoding
        self.options = dict(options)
        self.polish = polish
        self.certificate_solver = certificate_solver
        self.tolerance = tolerance
        self.parameter_names = tuple(p.local_name for p in bm.model.component_objects(pyo.Param, descend_into=True)
                                     if p.mutable)
        config = config or SolveConfig()
        with BuildTimer(self):
            self.reformulation = build_kkt(bm)
            model = self.reformulation.model
            needs = normalize_requirements(self.reformulation.requires() | encoding_requirements(encoding, options))
            formulation = f"{bm.name}: kkt:{encoding}"
            choice = resolve_solver(Layer.PYOMO, needs, solver=solver, config=config, formulation=formulation,
                                    size=sum(1 for _ in model.component_data_objects(pyo.Var, descend_into=True)))
            check_backend(choice.name, Layer.PYOMO, needs, formulation, choice.source)
            self.backend, self.backend_source = choice.name, choice.source
            encode(self.reformulation, encoding, options)
            self.config = scip_config(model, choice.name, config, encoding, options)
            self._driver = getattr(module, "solve_encoded", None)
            self._session = None if self._driver is not None else PersistentSolve(
                model, requires=self.reformulation.requires(), solver=choice.name, config=self.config,
                formulation=formulation)
            self.polish_kkt = build_kkt(bm) if polish else None
            self.resolver = FollowerResolver(bm)
        models = [bm.model, model] + ([self.polish_kkt.model] if self.polish_kkt is not None else [])
        self._copies = {name: [m.find_component(bm.model.component(name).name) for m in models]
                        for name in self.parameter_names}
        self._values = {name: _current(bm.model.component(name)) for name in self.parameter_names}
        self._charge_build = True

    @property
    def program(self) -> Any:
        """The single-level Pyomo model (KKT system + encoding) that is re-solved."""
        return self.reformulation.model

    @property
    def variables(self) -> dict[str, Any]:
        """The bilevel model's variables by full name (leader's and followers'; values loaded after a solve)."""
        return {v.name: v for v in self.bm.model.component_data_objects(pyo.Var, descend_into=True)}

    @property
    def persistent(self) -> bool:
        """True when the single-level program is held by a persistent backend session."""
        return self._session is not None and self._session.persistent

    def _set(self, name: str, value: Any) -> Any:
        component = self.bm.model.component(name)
        if not component.is_indexed():
            number = _number(name, value)
            for copy in self._copies[name]:
                copy.set_value(number)
            return number
        keys = list(component.keys())
        if isinstance(value, Mapping):
            bad = sorted(str(k) for k in value if k not in component)
            if bad:
                raise ModelError(f"parameter {name!r}: no index {', '.join(bad)} (indices: {keys})")
            items = {k: _number(f"{name}[{k}]", v) for k, v in value.items()}
        elif isinstance(value, Sequence) or hasattr(value, "__len__"):
            values = list(value)
            if len(values) != len(keys):
                raise ModelError(f"parameter {name!r} has {len(keys)} entries, got {len(values)}")
            items = {k: _number(f"{name}[{k}]", v) for k, v in zip(keys, values, strict=True)}
        else:
            raise ModelError(f"parameter {name!r} is indexed: give a sequence or a mapping, got {value!r}")
        for copy in self._copies[name]:
            for k, v in items.items():
                copy[k].set_value(v)
        return _current(component)

    def _solve(self) -> BilevelResult:
        t0 = time.perf_counter()
        if self._driver is not None:
            raw = self._driver(self.reformulation, self.backend, self.config, self.options)
        else:
            raw = self._session.solve()
        raw.solve_time = max(raw.solve_time, time.perf_counter() - t0)
        raw.backend_source = self.backend_source
        if self._charge_build:  # the program's build belongs to its first solve
            raw.build_time += self.build_time
            t0 -= self.build_time
            self._charge_build = False
        return finish(self.bm, self.reformulation, raw, self.reformulation.report, encoding=self.encoding,
                      backend=self.backend, config=self.config, options=self.options, polish=self.polish,
                      certificate_solver=self.certificate_solver, tolerance=self.tolerance, start=t0,
                      polish_kkt=self.polish_kkt, resolver=self.resolver)


def _number(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ModelError(f"parameter {name!r} must be a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ModelError(f"parameter {name!r} must be finite, got {value!r}")
    return number


def _current(component: Any) -> Any:
    if component.is_indexed():
        return tuple(pyo.value(component[k]) for k in component.keys())
    return pyo.value(component)
