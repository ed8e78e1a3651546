"""Linear bilevel problems in matrix form, for comparing formulations and tools on the same data.

    leader    min_x  cx.x + cy.y          over  x_lb <= x <= x_ub
    follower  y in argmin_y  d.y   s.t.  A x + B y <= b,  y_lb <= y <= y_ub

(optimistic; ``None`` in a bound is no bound).  :meth:`LinearBilevel.build` writes a
:class:`~ftgames.formulations.bilevel.BilevelModel`; the same arrays feed other tools (the PAO benchmark).

Literature instances (optimum re-solved here with two exact encodings; see ``tests/bilevel/test_linear_family.py``):
Bard 5.1.1 and Anandalingam–White (as in ``spec/bilevel-instances.md``), Liu–Hart 1994 (EJOR 73, 164-166:
``min -x - 3y``, follower ``min y`` s.t. ``-x + y <= 3, x + 2y <= 12, 4x - y <= 12``, ``x, y >= 0``; optimum
``x = y = 4``, ``F = -16``) and Bard–Falk 1982 example 2 (Computers & OR 9, 77-100: ``min -2x1 + x2 + y1/2``,
follower ``min -4y1 + y2`` s.t. ``-2x1 + y1 - y2 <= -2.5, x1 - 3x2 + y2 <= 2, x1 + x2 <= 2``, ``x, y >= 0``;
optimum ``x = (2, 0), y = (1.5, 0)``, ``F = -3.25``; the follower's ``x1 + x2`` term does not change its argmin).

:func:`random_lp_lp` draws a seeded family: ``n`` leader and ``n`` follower variables, ``n`` follower rows,
``x in [0, 10]^n``, ``y >= 0``; sparse ``A`` and ``B`` (about three entries a row), ``B >= 0`` with a positive entry
in every column (the follower's set is bounded) and ``b`` so large that ``y = 0`` is feasible for every ``x`` in the
box (the follower always has an optimum).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from ftgames.formulations.bilevel import BilevelModel


@dataclass(frozen=True)
class LinearBilevel:
    key: str
    source: str
    cx: np.ndarray
    cy: np.ndarray
    d: np.ndarray
    A: np.ndarray
    B: np.ndarray
    b: np.ndarray
    x_lb: tuple[float | None, ...]
    x_ub: tuple[float | None, ...]
    y_lb: tuple[float | None, ...]
    y_ub: tuple[float | None, ...]
    optimum: float | None = None  # the leader's optimal value, when published
    solution: dict[str, float] = field(default_factory=dict)

    @property
    def n_x(self) -> int:
        return len(self.cx)

    @property
    def n_y(self) -> int:
        return len(self.cy)

    @property
    def size(self) -> int:
        """Leader plus follower variables."""
        return self.n_x + self.n_y

    def build(self) -> BilevelModel:
        """The instance as a BilevelModel: ``model.x[i]`` (leader), ``lower.y[j]``, rows ``lower.row[r]``."""
        bm = BilevelModel(self.key)
        m = bm.model
        m.x = pyo.Var(range(self.n_x), bounds=lambda _, i: (self.x_lb[i], self.x_ub[i]))
        f = bm.add_follower("lower")
        blk = f.block
        blk.y = pyo.Var(range(self.n_y), bounds=lambda _, j: (self.y_lb[j], self.y_ub[j]))
        rows = range(len(self.b))

        def row(_: object, r: int) -> object:
            if not (self.A[r].any() or self.B[r].any()):  # 0 <= b: no row (Pyomo refuses a trivial one)
                if self.b[r] < 0:
                    raise ValueError(f"{self.key}: row {r} reads 0 <= {self.b[r]}, infeasible")
                return pyo.Constraint.Skip
            body = sum(float(self.A[r, i]) * m.x[i] for i in range(self.n_x) if self.A[r, i] != 0)
            body += sum(float(self.B[r, j]) * blk.y[j] for j in range(self.n_y) if self.B[r, j] != 0)
            return body <= float(self.b[r])

        blk.row = pyo.Constraint(rows, rule=row)
        f.set_objective(sum(float(self.d[j]) * blk.y[j] for j in range(self.n_y) if self.d[j] != 0))
        m.obj = pyo.Objective(expr=sum(float(self.cx[i]) * m.x[i] for i in range(self.n_x))
                              + sum(float(self.cy[j]) * blk.y[j] for j in range(self.n_y)))
        return bm


def _arr(rows: list) -> np.ndarray:
    return np.array(rows, dtype=float)


def bard_511() -> LinearBilevel:
    return LinearBilevel("bard_511", "Bard 5.1.1 (Shimizu–Ishizuka–Bard 16.1.1)", _arr([1]), _arr([-4]), _arr([1]),
                         _arr([[-1], [-2], [2], [3]]), _arr([[-1], [1], [1], [-2]]), _arr([-3, 0, 12, 4]),
                         (0.0,), (None,), (0.0,), (None,), -12.0, {"x[0]": 4.0, "lower.y[0]": 4.0})


def anandalingam_white() -> LinearBilevel:
    return LinearBilevel("anandalingam_white", "Anandalingam–White 1990", _arr([-1]), _arr([-3]), _arr([3]),
                         _arr([[-1], [1], [2], [1], [-1]]), _arr([[-2], [-2], [-1], [2], [2]]),
                         _arr([-10, 6, 21, 38, 18]), (0.0,), (50.0,), (0.0,), (50.0,), -49.0,
                         {"x[0]": 16.0, "lower.y[0]": 11.0})


def liu_hart() -> LinearBilevel:
    return LinearBilevel("liu_hart", "Liu–Hart 1994", _arr([-1]), _arr([-3]), _arr([1]),
                         _arr([[-1], [1], [4]]), _arr([[1], [2], [-1]]), _arr([3, 12, 12]),
                         (0.0,), (None,), (0.0,), (None,), -16.0, {"x[0]": 4.0, "lower.y[0]": 4.0})


def bard_falk_2() -> LinearBilevel:
    return LinearBilevel("bard_falk_2", "Bard–Falk 1982, example 2", _arr([-2, 1]), _arr([0.5, 0]), _arr([-4, 1]),
                         _arr([[-2, 0], [1, -3], [1, 1]]), _arr([[1, -1], [0, 1], [0, 0]]), _arr([-2.5, 2, 2]),
                         (0.0, 0.0), (None, None), (0.0, 0.0), (None, None), -3.25,
                         {"x[0]": 2.0, "x[1]": 0.0, "lower.y[0]": 1.5, "lower.y[1]": 0.0})


LINEAR_BILEVEL_INSTANCES = (bard_511, anandalingam_white, liu_hart, bard_falk_2)


def random_lp_lp(n: int, seed: int) -> LinearBilevel:
    """A random instance with ``n`` leader and ``n`` follower variables and ``n`` follower rows (integer data)."""
    if not (isinstance(n, int) and 1 <= n <= 500):
        raise ValueError(f"random_lp_lp: n must be an integer in [1, 500], got {n!r}")
    rng = np.random.default_rng([n, seed])
    A = rng.integers(-5, 6, size=(n, n)) * (rng.random((n, n)) < min(1.0, 3.0 / n))  # about 3 per row
    B = rng.integers(1, 10, size=(n, n)) * (rng.random((n, n)) < min(1.0, 3.0 / n))
    for j in range(n):  # every follower variable is capped by at least one row
        if not B[:, j].any():
            B[rng.integers(n), j] = int(rng.integers(1, 10))
    upper = 10.0
    b = np.maximum(A, 0).sum(axis=1) * upper + rng.integers(5, 50, size=n)  # y = 0 feasible on the whole box
    d = rng.integers(-10, 3, size=n)
    cx = rng.integers(-10, 11, size=n)
    cy = rng.integers(-10, 11, size=n)
    return LinearBilevel(f"random_lp_lp_n{n}_s{seed}", f"random LP-LP family, n = {n}, seed {seed}",
                         cx.astype(float), cy.astype(float), d.astype(float), A.astype(float), B.astype(float),
                         b.astype(float), (0.0,) * n, (upper,) * n, (0.0,) * n, (None,) * n)
