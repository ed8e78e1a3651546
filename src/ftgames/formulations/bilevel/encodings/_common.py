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
