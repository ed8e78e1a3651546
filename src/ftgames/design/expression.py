"""Objectives and constraints written by the user, parsed safely with :mod:`ast` (never ``eval``).

Allowed: names of the outcome's flat fields (``U_G``, ``safety``, ``beta_1``, ...) and of the design variables
(dotted game-file keys such as ``regulation.theta_D``), numbers, ``+ - * /``, ``**`` with a constant exponent,
``abs``, ``min``, ``max``, comparisons (chains allowed), ``and``, ``or``, ``not``.  Anything else (calls of other
functions, attributes of other objects, subscripts that are not dotted keys, lambdas, ...) is refused with a message
naming the flag and the offending piece.

The same tree is evaluated on numpy arrays (the exact formulation evaluates whole grids at once) and turned into
Pyomo expressions (the program formulation), so an objective means the same thing in both.
"""

from __future__ import annotations

import ast
import operator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.gamefile import dotted_name

#: Comparisons on numbers allow this absolute tolerance (``U_G >= 0.2`` keeps 0.2 − 1e-9).
TOLERANCE = 1e-9

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_FUNCTIONS = ("abs", "min", "max")
_COMPARISONS = (ast.GtE, ast.LtE, ast.Gt, ast.Lt, ast.Eq)


class DesignError(InputError):
    """A design problem is malformed: a flag, a key, a bound or an expression (the message names it)."""


@dataclass(frozen=True)
class Expression:
    """A parsed expression; ``source`` names where it came from (``--maximize``, ``--subject-to``, a keyword)."""

    text: str
    source: str
    tree: ast.Expression = field(compare=False, repr=False)

    @classmethod
    def parse(cls, text: str, source: str) -> Expression:
        if not isinstance(text, str) or not text.strip():
            raise DesignError(f"{source}: an expression is required, got {text!r}")
        if len(text) > 2000:
            raise DesignError(f"{source}: expression too long ({len(text)} characters, at most 2000)")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise DesignError(f"{source} {text!r}: not a valid expression ({exc.msg})") from None
        expr = cls(text.strip(), source, tree)
        expr._check(tree.body)
        return expr

    # ------------------------------------------------------------------------------------------- structure
    def _fail(self, message: str) -> DesignError:
        return DesignError(f"{self.source} {self.text!r}: {message}")

    def _check(self, node: ast.AST) -> None:
        name = dotted_name(node)
        if name is not None:
            if "__" in name:
                raise self._fail(f"unsupported syntax {name!r}: names with double underscores are not fields")
            return
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise self._fail(f"only numbers are allowed as constants, got {node.value!r}")
            return
        if isinstance(node, ast.Compare):
            for op in node.ops:
                if not isinstance(op, _COMPARISONS):
                    raise self._fail(f"unsupported comparison {type(op).__name__} (use >=, <=, >, <, ==)")
            for child in (node.left, *node.comparators):
                self._check(child)
            return
        if isinstance(node, ast.BoolOp):
            for child in node.values:
                self._check(child)
            return
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub | ast.UAdd):
            self._check(node.operand)
            return
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            if isinstance(node.op, ast.Div) and isinstance(node.right, ast.Constant) and node.right.value == 0:
                raise self._fail(f"division by zero in {ast.unparse(node)!r}")
            if isinstance(node.op, ast.Pow) and not (isinstance(node.right, ast.Constant)
                                                     and isinstance(node.right.value, int | float)):
                raise self._fail("the exponent of ** must be a number")
            self._check(node.left)
            self._check(node.right)
            return
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
                and not node.keywords and node.args):
            for child in node.args:
                self._check(child)
            return
        raise self._fail(f"unsupported syntax {ast.unparse(node)!r}; allowed: names, numbers, + - * / ** "
                         f"(constant exponent), abs, min, max, comparisons, and, or, not")

    @property
    def names(self) -> set[str]:
        found: set[str] = set()

        def walk(node: ast.AST) -> None:
            name = dotted_name(node)
            if name is not None:
                found.add(name)
                return
            if isinstance(node, ast.Call):
                for a in node.args:
                    walk(a)
                return
            for child in ast.iter_child_nodes(node):
                walk(child)

        walk(self.tree.body)
        return found

    @property
    def is_condition(self) -> bool:
        """True for a comparison or a boolean combination (a constraint), False for a number (an objective)."""
        body = self.tree.body
        return isinstance(body, ast.Compare | ast.BoolOp) or (isinstance(body, ast.UnaryOp)
                                                               and isinstance(body.op, ast.Not))

    def check_names(self, known: dict[str, str]) -> None:
        """Every name must be a known field or variable (``known``: name → what it is), else list them."""
        unknown = sorted(self.names - set(known))
        if unknown:
            listing = ", ".join(sorted(known))
            raise self._fail(f"unknown name {unknown[0]!r}; known: {listing}")

    # ------------------------------------------------------------------------------------------- numpy
    def evaluate(self, values: dict[str, np.ndarray]) -> np.ndarray:
        """Value (float array) or truth (bool array) on arrays of the fields; NaN where a field is undefined."""
        with np.errstate(all="ignore"):
            return np.asarray(self._eval(self.tree.body, values))

    def _eval(self, node: ast.AST, values: dict[str, Any]) -> Any:
        name = dotted_name(node)
        if name is not None:
            return np.asarray(values[name], dtype=float)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, values)
            mask = None
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self._eval(comparator, values)
                part = _compare(op, np.asarray(left, float), np.asarray(right, float))
                mask = part if mask is None else mask & part
                left = right
            return mask
        if isinstance(node, ast.BoolOp):
            parts = [self._truth(v, values) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            out = parts[0]
            for part in parts[1:]:
                out = combine(out, part)
            return out
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return ~self._truth(node.operand, values)
            value = self._eval(node.operand, values)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            return _BINARY[type(node.op)](self._eval(node.left, values), self._eval(node.right, values))
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        args = [self._eval(a, values) for a in node.args]
        if node.func.id == "abs":
            if len(args) != 1:
                raise self._fail("abs takes one argument")
            return np.abs(args[0])
        func = np.minimum if node.func.id == "min" else np.maximum
        out = args[0]
        for a in args[1:]:
            out = func(out, a)
        return out

    def _truth(self, node: ast.AST, values: dict[str, Any]) -> np.ndarray:
        value = np.asarray(self._eval(node, values))
        if value.dtype == bool:
            return value
        return np.asarray(value != 0) & ~np.isnan(value)

    # ------------------------------------------------------------------------------------------- programs
    def algebraic(self, values: dict[str, Any]) -> Any:
        """The objective as an algebraic expression of ``values`` (Pyomo expressions or numbers); refuses
        comparisons, abs, min and max, which a smooth program cannot take directly."""
        return self._alg(self.tree.body, values)

    def _alg(self, node: ast.AST, values: dict[str, Any]) -> Any:
        name = dotted_name(node)
        if name is not None:
            if name not in values:
                raise self._fail(f"{name!r} has no counterpart in the program")
            return values[name]
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self._alg(node.operand, values)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow):
                exponent = node.right.value  # type: ignore[attr-defined]
                if not (float(exponent).is_integer() and 0 <= exponent <= 4):
                    raise self._fail("in the program formulation ** needs an integer exponent 0..4")
                return self._alg(node.left, values) ** int(exponent)
            try:
                return _BINARY[type(node.op)](self._alg(node.left, values), self._alg(node.right, values))
            except ZeroDivisionError:
                raise self._fail(f"division by zero in {ast.unparse(node)!r}") from None
        raise self._fail(f"{ast.unparse(node)!r} cannot be written in the program formulation "
                         "(it takes + - * / and integer powers)")

    def relations(self, values: dict[str, Any]) -> list[tuple[Any, str, Any]]:
        """A constraint as (left, op, right) relations joined by ``and`` (``op`` in >=, <=, ==); strict
        comparisons become non-strict (their closure), ``or`` and ``not`` are refused."""
        out: list[tuple[Any, str, Any]] = []

        def walk(node: ast.AST) -> None:
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
                for v in node.values:
                    walk(v)
                return
            if not isinstance(node, ast.Compare):
                raise self._fail(f"{ast.unparse(node)!r} cannot be written in the program formulation (it takes "
                                 "comparisons joined by 'and')")
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                symbol = (">=" if isinstance(op, ast.GtE | ast.Gt) else
                          "<=" if isinstance(op, ast.LtE | ast.Lt) else "==")
                out.append((self._alg(left, values), symbol, self._alg(right, values)))
                left = right

        walk(self.tree.body)
        return out


def _compare(op: ast.cmpop, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    tol = TOLERANCE
    if isinstance(op, ast.GtE):
        return left >= right - tol
    if isinstance(op, ast.LtE):
        return left <= right + tol
    if isinstance(op, ast.Gt):
        return left > right + tol
    if isinstance(op, ast.Lt):
        return left < right - tol
    return np.abs(left - right) <= tol
