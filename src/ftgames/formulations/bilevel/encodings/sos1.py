"""SOS1 encoding:  ``{mu, s}`` is a special ordered set of type 1 (at most one nonzero), with ``s = slack``.

Exact (no constants); needs a backend with SOS1 branching (SCIP, Gurobi).
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import Capability

from . import EncodingReport
from ._common import slack_variable

NAME = "sos1"
EXACT = True
OPTIONS: tuple[str, ...] = ()  # keyword options this encoding reads


def requires(options: dict[str, Any]) -> set[Capability]:
    return {Capability.SOS1, Capability.MILP}


def add_complementarity(block: Any, pairs: list[Any], options: dict[str, Any]) -> EncodingReport:
    block.sos1 = pyo.Block()
    for i, pair in enumerate(pairs):
        s = slack_variable(block, pair)
        block.sos1.add_component(f"sos_{i}", pyo.SOSConstraint(var=pyo.Reference([pair.multiplier, s]), sos=1))
    return EncodingReport(NAME, EXACT, pairs=[p.key for p in pairs])
