"""Parameter grids: the Cartesian product of axes, filtered by constraints such as ``theta_D >= theta_G``.

Points are numbered in row-major order of the full product (last axis fastest); a point keeps its number whatever
the constraints, chunk size or executor, so results are stable and resumable.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..io.gamefile import dotted_name
from .params import ParameterAxis, SweepError

#: Comparisons are made with this absolute tolerance, so that ``a >= b`` holds when linspaces of different lengths
#: produce the "same" value up to rounding (e.g. 1.5/300 vs 2.5/500).
COMPARISON_TOLERANCE = 1e-9

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_FUNCTIONS = {"abs": np.abs, "min": np.minimum, "max": np.maximum, "sqrt": np.sqrt}


def _compare(op: ast.cmpop, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    tol = COMPARISON_TOLERANCE
    if isinstance(op, ast.GtE):
        return left >= right - tol
    if isinstance(op, ast.LtE):
        return left <= right + tol
    if isinstance(op, ast.Gt):
        return left > right + tol
    if isinstance(op, ast.Lt):
        return left < right - tol
    if isinstance(op, ast.Eq):
        return np.abs(left - right) <= tol
    if isinstance(op, ast.NotEq):
        return np.abs(left - right) > tol
    raise SweepError(f"unsupported comparison {type(op).__name__}")


@dataclass(frozen=True)
class Constraint:
    """A boolean expression over swept keys: comparisons, ``and``/``or``/``not``, + − × ÷ **, abs/min/max/sqrt."""

    text: str
    tree: ast.Expression = field(compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> Constraint:
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as exc:
            raise SweepError(f"--where {text!r}: not a valid expression ({exc.msg})") from None
        return cls(text.strip(), tree)

    def evaluate(self, columns: dict[str, np.ndarray]) -> np.ndarray:
        """Boolean mask over the points whose parameter columns are given."""
        try:
            with np.errstate(all="ignore"):  # x / 0 on a column is inf (and compares), as in numpy
                result = np.asarray(self._eval(self.tree.body, columns))
        except SweepError:
            raise
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise SweepError(f"--where {self.text!r}: cannot be evaluated ({type(exc).__name__}: {exc})") from None
        if result.dtype != bool:
            raise SweepError(f"--where {self.text!r}: must be a comparison (true/false), not a number")
        return result

    def _eval(self, node: ast.AST, cols: dict[str, np.ndarray]) -> Any:
        name = dotted_name(node)
        if name is not None:
            if name not in cols:
                raise SweepError(f"--where {self.text!r}: {name!r} is not a swept parameter; swept: {', '.join(cols)}")
            return cols[name]
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, cols)
            mask = None
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                right = self._eval(comparator, cols)
                part = _compare(op, np.asarray(left, float), np.asarray(right, float))
                mask = part if mask is None else mask & part
                left = right
            return mask
        if isinstance(node, ast.BoolOp):
            parts = [np.asarray(self._eval(v, cols), bool) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            out = parts[0]
            for part in parts[1:]:
                out = combine(out, part)
            return out
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return ~np.asarray(self._eval(node.operand, cols), bool)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self._eval(node.operand, cols)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](self._eval(node.left, cols), self._eval(node.right, cols))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
            args = [self._eval(a, cols) for a in node.args]
            func = _FUNCTIONS[node.func.id]
            if func in (np.minimum, np.maximum) and len(args) > 2:
                out = args[0]
                for a in args[1:]:
                    out = func(out, a)
                return out
            return func(*args)
        raise SweepError(f"--where {self.text!r}: unsupported syntax {ast.unparse(node)!r}")


@dataclass(frozen=True)
class Grid:
    """Product of parameter axes, keeping the points that satisfy every constraint."""

    axes: tuple[ParameterAxis, ...]
    constraints: tuple[Constraint, ...] = ()

    def __post_init__(self) -> None:
        if not self.axes:
            raise SweepError("a sweep needs at least one --param")
        keys = [a.key for a in self.axes]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise SweepError(f"parameter(s) swept twice: {', '.join(duplicates)}")

    @classmethod
    def build(cls, axes: Sequence[ParameterAxis], where: Sequence[str] = ()) -> Grid:
        return cls(tuple(axes), tuple(Constraint.parse(w) for w in where))

    @property
    def keys(self) -> list[str]:
        return [a.key for a in self.axes]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(a.size for a in self.axes)

    @property
    def full_size(self) -> int:
        return int(np.prod(self.shape))

    def columns(self, indices: np.ndarray) -> dict[str, np.ndarray]:
        """Parameter values of the given point numbers, one array per key."""
        multi = np.unravel_index(np.asarray(indices, dtype=np.int64), self.shape)
        return {a.key: np.asarray(a.values)[m] for a, m in zip(self.axes, multi, strict=True)}

    def point_indices(self) -> np.ndarray:
        """Numbers of the points that satisfy every constraint, ascending."""
        every = np.arange(self.full_size, dtype=np.int64)
        if not self.constraints:
            return every
        cols = self.columns(every)
        mask = np.ones(self.full_size, dtype=bool)
        for constraint in self.constraints:
            mask &= np.broadcast_to(constraint.evaluate(cols), mask.shape)
        return every[mask]

    def points(self, indices: np.ndarray) -> list[dict[str, float]]:
        cols = self.columns(indices)
        return [{k: float(cols[k][i]) for k in self.keys} for i in range(len(indices))]

    def to_dict(self) -> dict[str, Any]:
        return {"axes": [a.to_dict() for a in self.axes], "where": [c.text for c in self.constraints]}
