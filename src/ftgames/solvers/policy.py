"""The default choice of backend, as data: for each kind of program, an order of preference.

A rule applies when the program needs one of ``any_of`` (an empty ``any_of`` matches everything) on ``layer``; the
first available backend of ``prefer`` that can take the whole program wins.  ``small`` bounds the number of scalar
variables for which the rule's global backends are tried first; above it ``prefer_large`` is used, so a large
nonconvex program goes to a local method (labelled local) rather than to a branch and bound that would not finish.
"""

from __future__ import annotations

from dataclasses import dataclass

from .capabilities import Capability as C, Layer


@dataclass(frozen=True)
class PolicyRule:
    layer: Layer
    any_of: frozenset[C]
    prefer: tuple[str, ...]
    small: int | None = None  # variables; None: no size limit
    prefer_large: tuple[str, ...] = ()
    why: str = ""


#: Evaluated in order; the first rule that matches decides.
DEFAULT_POLICY: tuple[PolicyRule, ...] = (
    PolicyRule(Layer.PYOMO, frozenset({C.SOS1, C.INDICATOR, C.MIQP}), ("scip", "gurobi"),
               why="mixed-integer: a global branch and bound"),
    PolicyRule(Layer.PYOMO, frozenset({C.NLP}), ("ipopt", "scip"),
               why="general nonlinear: Ipopt (local, labelled so); SCIP's spatial branch and bound has no time "
                   "bound on these, so it is chosen only on request"),
    PolicyRule(Layer.PYOMO, frozenset({C.NONCONVEX_QUADRATIC}), ("scip", "gurobi", "ipopt"), small=16,
               prefer_large=("ipopt", "scip"),
               why="nonconvex quadratic: spatial branch and bound (global) while small, else Ipopt (local)"),
    PolicyRule(Layer.PYOMO, frozenset({C.MILP}), ("highs", "scip", "gurobi"), why="MILP"),
    PolicyRule(Layer.PYOMO, frozenset(), ("highs", "scip", "gurobi", "ipopt"), why="LP / convex QP"),
    PolicyRule(Layer.CVXPY, frozenset({C.EXP_CONE}), ("clarabel", "scs", "ipopt"), why="exponential cone"),
    PolicyRule(Layer.CVXPY, frozenset({C.MILP, C.MIQP}), ("highs", "scip", "gurobi"), why="mixed-integer"),
    PolicyRule(Layer.CVXPY, frozenset(), ("clarabel", "highs", "scip", "scs", "ipopt"), why="conic / QP / LP"),
)
