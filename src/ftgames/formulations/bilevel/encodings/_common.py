"""Helpers shared by the encodings."""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo


def slack_variable(block: Any, pair: Any) -> Any:
    """A variable equal to ``pair.slack`` (>= 0): the bound variable itself for ``y >= 0``, else a new variable."""
    var = pair.variable
    if var is not None and pair.side == "lb" and var.lb == 0:
        return var
    if not hasattr(block, "slack"):
        block.slack = pyo.Var(pyo.Any, dense=False, within=pyo.NonNegativeReals)
        block.slack_definition = pyo.Constraint(pyo.Any)
    s = block.slack[pair.key]
    block.slack_definition[pair.key] = s == pair.slack
    return s


def load_values(model: Any, values: dict[str, Any]) -> None:
    """Set ``model``'s variables from a name -> value map (``SolveResult.values``)."""
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        if values.get(v.name) is not None:
            v.set_value(values[v.name], skip_validation=True)


def polish_active_set(reform: Any, pairs: list[Any], solver: str, config: Any, requires: set, name: str) -> Any:
    """Fix, per pair, ``mu = 0`` or ``slack = 0`` (whichever is smaller at the current point) and solve that smooth
    piece from the current point.  Returns its SolveResult if it succeeded, else None (constraints removed)."""
    from ftgames.solvers import solve

    block = reform.model.complementarity
    if block.component("polish") is not None:
        block.del_component("polish")
    block.polish = pyo.ConstraintList()
    for p in pairs:
        mu, slack = pyo.value(p.multiplier), pyo.value(p.slack)
        block.polish.add(p.multiplier == 0 if mu <= slack else p.slack == 0)
    res = solve(reform.model, requires=requires, solver=solver, config=config, formulation=name + " (polished)")
    if res.ok:
        reform.report.notes.append("active set polished: complementarity holds exactly")
        return res
    block.del_component("polish")
    reform.report.notes.append(f"active-set polish failed ({res.status}); result is the unpolished point")
    return None
