"""Indicator encoding:  a switch ``z`` with the implications ``z = 1 => mu = 0`` and ``z = 0 => slack = 0``.

No constants are needed.  Pyomo's ``scip_direct`` interface does not expose SCIP's indicator constraints, so each
implication is written the way SCIP itself implements an indicator (a switch linked by an SOS1 set to what it
switches off): ``SOS1{mu, z}`` and ``SOS1{slack, w}`` with ``w = 1 - z``.  Exact; needs SOS1.

``z`` is declared in ``[0, 1]``, not binary: ``z + w = 1`` makes one of them positive, which already switches its
partner off, so integrality adds nothing; and SCIP 9 returned a wrong "optimal" on a random instance with binary
``z`` (tests/bilevel/test_random_instances.py, general seed 19: 4 instead of 3) that the continuous switch solves.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import Capability

from . import EncodingReport
from ._common import slack_variable

NAME = "indicator"
EXACT = True
OPTIONS: tuple[str, ...] = ()  # keyword options this encoding reads


def requires(options: dict[str, Any]) -> set[Capability]:
    # Written with SOS1 sets, so native indicator support (Capability.INDICATOR) is not needed.
    return {Capability.SOS1}


def add_complementarity(block: Any, pairs: list[Any], options: dict[str, Any]) -> EncodingReport:
    keys = [p.key for p in pairs]
    block.z = pyo.Var(keys, bounds=(0, 1))  # z > 0: the multiplier is switched off (see the module docstring)
    block.w = pyo.Var(keys, bounds=(0, 1))  # w = 1 - z: the slack is switched off
    block.complement = pyo.Constraint(keys, rule=lambda b, k: b.w[k] == 1 - b.z[k])
    block.implications = pyo.Block()
    for i, p in enumerate(pairs):
        s = slack_variable(block, p)
        block.implications.add_component(
            f"mu_off_{i}", pyo.SOSConstraint(var=pyo.Reference([p.multiplier, block.z[p.key]]), sos=1))
        block.implications.add_component(
            f"slack_off_{i}", pyo.SOSConstraint(var=pyo.Reference([s, block.w[p.key]]), sos=1))
    return EncodingReport(NAME, EXACT, pairs=keys,
                          notes=["indicator implications written as binary-linked SOS1 sets (scip_direct exposes "
                                 "no indicator constraints)"])
