"""Bilevel model -> single-level program: clone the model, write the followers' KKT systems, encode complementarity.

``reformulate(bm, encoding)`` returns a :class:`Reformulation` whose ``model`` is an ordinary Pyomo model (print it
with ``.pprint()``, write it with ``.write("file.lp")``).  The original ``bm.model`` is never modified.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import Capability

from .analysis import check_follower, program_requirements
from .encodings import EncodingReport, encoding_module
from .interface import BilevelError, BilevelSpec
from .kkt import KKTSystem, add_kkt


@dataclass
class Reformulation:
    """A single-level program equivalent to the bilevel model (under the encoding's assumptions)."""

    model: Any
    kkt: KKTSystem
    encoding: str
    report: EncodingReport | None = None

    def requires(self) -> set[Capability]:
        """What the program needs from a backend, read off the model as built."""
        return normalize_requirements(program_requirements(self.model))

    def pprint(self, *args: Any, **kwargs: Any) -> None:
        self.model.pprint(*args, **kwargs)

    def write(self, path: str, **kwargs: Any) -> Any:
        """Export (``.lp``, ``.gms``, ``.nl``, ``.mps`` by extension) through Pyomo's writers."""
        return self.model.write(path, **kwargs)


def normalize_requirements(needs: set[Capability]) -> set[Capability]:
    """A convex quadratic objective with integer variables is a MIQP."""
    needs = set(needs)
    if Capability.MILP in needs and Capability.CONVEX_QP in needs:
        needs.discard(Capability.CONVEX_QP)
        needs.add(Capability.MIQP)
    return needs


def build_kkt(bm: BilevelSpec) -> Reformulation:
    """Validate the bilevel model, refuse unsound followers, and write the (unencoded) KKT system on a clone."""
    bm.validate()
    all_vars = list(bm.model.component_data_objects(pyo.Var, descend_into=True))
    for follower in bm.followers:
        check_follower(follower, all_vars)
    single = bm.model.clone()
    single.name = f"{bm.name}_single_level"
    kkt = add_kkt(single, bm)
    return Reformulation(single, kkt, encoding="none")


def encoding_requirements(encoding: str, options: dict[str, Any]) -> set[Capability]:
    if encoding == "mixed":
        choices = set(options.get("choices", {}).values()) | {options.get("default", "sos1")}
        return set().union(*(encoding_module(c).requires(options) for c in choices))
    return set(encoding_module(encoding).requires(options))


def encode(reform: Reformulation, encoding: str, options: dict[str, Any]) -> Reformulation:
    """Write the complementarity conditions of ``reform.kkt`` with ``encoding`` onto ``reform.model``."""
    module = encoding_module(encoding)
    if encoding == "enumeration":
        raise BilevelError("encoding 'enumeration' solves one smooth program per active set and has no single "
                           "model: use solve_bilevel(bm, encoding='enumeration')")
    reform.model.complementarity = pyo.Block()
    block = pyo.Block()
    reform.model.complementarity.add_component(encoding, block)
    reform.report = module.add_complementarity(block, reform.kkt.pairs, {**options, "_kkt": reform.kkt})
    reform.encoding = encoding
    return reform


def reformulate(bm: BilevelSpec, encoding: str = "sos1", **options: Any) -> Reformulation:
    """KKT reformulation of ``bm`` with complementarity written by ``encoding`` (see ``encodings``)."""
    return encode(build_kkt(bm), encoding, options)
