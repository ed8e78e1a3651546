"""A bilevel (leader–follower) model on Pyomo: one leader, one or more followers, each follower a block.

The leader's variables, constraints and objective live on ``BilevelModel.model`` (a ``pyo.ConcreteModel``).  Follower
``k`` is a ``pyo.Block`` on that model holding its own variables and constraints; its objective is stored on the
block, deactivated, so that the only active objective of ``model`` is the leader's.  Every variable that is not on a
follower's block is a parameter to that follower (the leader's decisions, and the other followers' decisions: several
followers that see the same leader decision play a Nash game among themselves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo
from pyomo.common.errors import InvalidConstraintError

from .interface import BilevelError
from .reformulate import Reformulation, reformulate

SENSES = ("min", "max")


@dataclass
class Follower:
    """One lower-level problem:  min (or max) ``objective`` over the variables on ``block`` s.t. the rows on ``block``.

    ``assume_convex=True`` declares a follower with general nonlinear (non-quadratic) functions convex; quadratic
    functions are checked from their Hessians and never need it.
    """

    name: str
    sense: str
    block: Any
    owner: BilevelModel
    assume_convex: bool = False
    dual_vars: dict[str, Any] = field(default_factory=dict)  # constraint name (relative to block) -> user dual Var

    def set_objective(self, expr: Any) -> Any:
        """Set the follower's objective (in the follower's sense); stored deactivated on the block."""
        if self.block.component("objective") is not None:
            self.block.del_component("objective")
        sense = pyo.minimize if self.sense == "min" else pyo.maximize
        self.block.objective = pyo.Objective(expr=expr, sense=sense)
        self.block.objective.deactivate()
        return self.block.objective

    @property
    def objective(self) -> Any:
        obj = self.block.component("objective")
        if obj is None:
            raise BilevelError(f"follower {self.name!r} has no objective: call set_objective(expr)")
        return obj

    def dual(self, constraint: Any) -> Any:
        """A leader-visible variable equal to the multiplier of follower row ``constraint``.

        Convention (the solver's shadow price): ``dual = d(follower optimal value) / d(right-hand side)`` in the
        follower's own sense.  A minimizing follower's ``<=`` row therefore has ``dual <= 0``, its ``>=`` row
        ``dual >= 0``; an equality row's dual is free (e.g. the market-clearing price of ``sum(g) == demand``).
        An indexed constraint gives an indexed variable over the same index set.
        """
        comp = constraint.parent_component()
        if comp.parent_block() is None or not _is_within(comp, self.block):
            raise BilevelError(f"dual: constraint {constraint.name!r} is not a row of follower {self.name!r}")
        rel = comp.getname(fully_qualified=True, relative_to=self.block)
        if rel not in self.dual_vars:
            holder = self.owner._dual_block(self)
            safe = rel.replace(".", "_").replace("[", "_").replace("]", "").replace(",", "_")
            var = pyo.Var(comp.index_set()) if comp.is_indexed() else pyo.Var()
            holder.add_component(f"dual_{safe}", var)
            self.dual_vars[rel] = var
        var = self.dual_vars[rel]
        if comp.is_indexed() and constraint is not comp:
            return var[constraint.index()]
        return var

    def variables(self) -> list[Any]:
        """The follower's decision variables: every unfixed variable on its block."""
        return [v for v in self.block.component_data_objects(pyo.Var, descend_into=True) if not v.fixed]

    def rows(self) -> list[Any]:
        return list(self.block.component_data_objects(pyo.Constraint, active=True, descend_into=True))


def _is_within(component: Any, block: Any) -> bool:
    parent = component.parent_block()
    while parent is not None:
        if parent is block:
            return True
        parent = parent.parent_block()
    return False


class BilevelModel:
    """A leader problem on ``self.model`` plus followers added with :meth:`add_follower`.

    >>> bm = BilevelModel("example"); m = bm.model
    >>> m.x = pyo.Var(bounds=(0, 5)); f = bm.add_follower("lower")
    >>> f.block.y = pyo.Var(bounds=(0, None)); f.block.c = pyo.Constraint(expr=f.block.y >= m.x)
    >>> _ = f.set_objective(f.block.y); m.obj = pyo.Objective(expr=-m.x + 2 * f.block.y)
    """

    def __init__(self, name: str = "bilevel") -> None:
        if not isinstance(name, str) or not name:
            raise BilevelError("name must be a non-empty string")
        self.name = name
        self.model = pyo.ConcreteModel(name=name)
        self.followers: list[Follower] = []

    def add_follower(self, name: str, sense: str = "min", *, assume_convex: bool = False) -> Follower:
        """Add a follower block ``model.<name>``; ``sense`` is ``"min"`` or ``"max"``."""
        if sense not in SENSES:
            raise BilevelError(f"add_follower: sense must be one of {SENSES}, got {sense!r}")
        if not name.isidentifier():
            raise BilevelError(f"add_follower: name must be a Python identifier, got {name!r}")
        if self.model.component(name) is not None:
            raise BilevelError(f"add_follower: the model already has a component named {name!r}")
        self.model.add_component(name, pyo.Block())
        follower = Follower(name, sense, self.model.component(name), self, assume_convex)
        self.followers.append(follower)
        return follower

    def follower(self, name: str) -> Follower:
        for f in self.followers:
            if f.name == name:
                return f
        raise BilevelError(f"no follower named {name!r}; followers: {[f.name for f in self.followers]}")

    def _dual_block(self, follower: Follower) -> Any:
        name = f"{follower.name}_duals"
        if self.model.component(name) is None:
            self.model.add_component(name, pyo.Block())
        return self.model.component(name)

    def leader_objective(self) -> Any:
        objs = [o for o in self.model.component_data_objects(pyo.Objective, active=True, descend_into=True)]
        if len(objs) != 1:
            raise BilevelError(f"the leader needs exactly one active objective on the model, found {len(objs)}")
        return objs[0]

    def validate(self) -> None:
        """Check the structure: one leader objective, at least one follower, each with an objective and variables."""
        self.leader_objective()
        if not self.followers:
            raise BilevelError("the bilevel model has no follower: call add_follower()")
        for f in self.followers:
            f.objective  # noqa: B018 - raises if missing
            if not f.variables():
                raise BilevelError(f"follower {f.name!r} has no (unfixed) variables on its block")
        for row in self.model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
            try:
                row.lower, row.upper  # noqa: B018 - Pyomo standardizes the row here
            except InvalidConstraintError as err:
                raise BilevelError(
                    f"row {row.name!r} is a ranged inequality lo <= body <= up whose bounds contain variables, which "
                    "Pyomo cannot send to a solver: write it as two rows (lo <= body and body <= up)"
                ) from err

    def reformulate(self, encoding: str = "sos1", **options: Any) -> Reformulation:
        """The single-level program (a :class:`~.reformulate.Reformulation`): KKT conditions of every follower,
        complementarity written with ``encoding``.  ``.model`` is the Pyomo model; ``.pprint()`` prints it."""
        return reformulate(self, encoding=encoding, **options)

    def load_values(self, values: dict[str, Any]) -> None:
        """Set the variables of ``self.model`` from a name -> value map (as in ``SolveResult.values``)."""
        for v in self.model.component_data_objects(pyo.Var, descend_into=True):
            if v.name in values and values[v.name] is not None:
                v.set_value(values[v.name], skip_validation=True)
