"""Proven bounds on a linear follower's KKT multipliers from the vertices of its dual feasible region.

Take a follower whose stationarity rows involve only its own multipliers, with constant coefficients (an LP follower
whose objective and row coefficients do not depend on the leader: the leader moves only the right-hand sides), and
whose multipliers the leader does not read (no :meth:`Follower.dual`).  Its dual feasible region

    D = { (mu, nu) : G_mu mu + G_nu nu = h,  mu >= 0 }

is then one polyhedron for every leader decision, and it is pointed when ``G_nu`` has full column rank.  At any
leader decision and any optimal response ``y``, the multipliers complementary to ``y`` form a nonempty face of ``D``
(LP duality); a nonempty face of a pointed polyhedron has a vertex, and that vertex is a vertex of ``D``.  So the
largest value of ``mu_i`` over the vertices of ``D`` is a valid big-M for ``mu_i``: every bilevel feasible point,
the optimum included, keeps a multiplier vector within it.  This holds even when ``D`` is unbounded (the usual case:
two rows with opposite gradients), where an LP over the relaxation proves nothing.

The vertices are the basic feasible solutions, enumerated by choosing the basic columns (at most
``MAX_BASES`` choices per follower, else no bound is claimed).  A follower that does not meet the conditions gets
no bound from here, with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.repn import generate_standard_repn

MAX_BASES = 20_000  # basis choices enumerated per follower
FEASIBILITY = 1e-9  # a basic solution with mu >= -FEASIBILITY (1 + |mu|) is feasible
SINGULAR = 1e-10  # |det| relative to the product of column norms below this: not a basis
SAFETY = 1e-6  # relative and absolute margin on the largest vertex value


@dataclass
class DualVertexBounds:
    """Per complementarity pair key: a proven upper bound of its multiplier; per follower: why none was proven."""

    bounds: dict[str, float] = field(default_factory=dict)
    #: pairs whose multiplier is unbounded over the dual region (a recession ray raises it): an LP over the KKT
    #: relaxation cannot bound them either, so the tightening skips that LP
    unbounded: set[str] = field(default_factory=set)
    bases: int = 0  # basis choices examined
    skipped: dict[str, str] = field(default_factory=dict)  # follower -> reason


def dual_vertex_bounds(kkt: Any, keys: set[str] | None = None) -> DualVertexBounds:
    """Bounds for the multipliers of ``kkt``'s followers (only pairs in ``keys``, if given, are reported)."""
    out = DualVertexBounds()
    for fk in kkt.followers:
        if keys is not None and not any(p.key in keys for p in fk.pairs):
            continue
        reason = _follower_bounds(fk, out)
        if reason:
            out.skipped[fk.follower] = reason
    if keys is not None:
        out.bounds = {k: v for k, v in out.bounds.items() if k in keys}
    return out


def _follower_bounds(fk: Any, out: DualVertexBounds) -> str:
    if fk.user_duals:
        return "the leader reads its multipliers (Follower.dual), so it may prefer a non-vertex one"
    mus = [p.multiplier for p in fk.pairs]
    nus = list(fk.equality_multipliers.values())
    column = {id(v): j for j, v in enumerate(mus + nus)}
    rows, rhs = [], []
    for row in fk.block.stationarity.values():
        repn = generate_standard_repn(row.body, compute_values=True, quadratic=False)
        if not repn.is_linear():
            return "its stationarity is not linear"
        coefs = np.zeros(len(column))
        for v, a in zip(repn.linear_vars, repn.linear_coefs, strict=True):
            j = column.get(id(v))
            if j is None:
                return (f"its stationarity involves {v.name} (objective or row coefficients depend on primal or leader "
                        "variables: the dual region moves)")
            coefs[j] += float(a)
        rows.append(coefs)
        rhs.append(float(pyo.value(row.upper)) - float(repn.constant))
    m, q = len(mus), len(nus)
    if not rows:
        out.bounds.update({p.key: 0.0 for p in fk.pairs})  # no stationarity row: every multiplier may be 0
        return ""
    g = np.array(rows)
    h = np.array(rhs)
    if q and np.linalg.matrix_rank(g[:, m:]) < q:
        return "its equality rows are linearly dependent in its variables (the dual region is not pointed)"
    rank = int(np.linalg.matrix_rank(g))
    solution, *_ = np.linalg.lstsq(g, h, rcond=None)
    if np.max(np.abs(g @ solution - h), initial=0.0) > 1e-8 * (1 + np.max(np.abs(h), initial=0.0)):
        return "its stationarity rows are inconsistent (no multiplier exists)"
    out.unbounded.update(p.key for p, ray in zip(fk.pairs, _on_a_ray(g, m), strict=True) if ray)
    independent = _independent_rows(g, rank)
    g, h = g[independent], h[independent]
    k = rank - q
    count = math.comb(m, k) if 0 <= k <= m else 0
    if count == 0:
        return "no basis exists"
    if count > MAX_BASES:
        return f"{count} bases to enumerate (more than {MAX_BASES})"
    best = np.full(m, -np.inf)
    chosen = np.array(list(combinations(range(m), k)), dtype=int).reshape(count, k)
    columns = np.hstack([chosen, np.broadcast_to(np.arange(m, m + q), (count, q))])
    blocks = g[:, columns].transpose(1, 0, 2)  # (count, rank, rank)
    out.bases += count
    norms = np.prod(np.linalg.norm(blocks, axis=1), axis=1)
    dets = np.abs(np.linalg.det(blocks))
    ok = dets > SINGULAR * np.maximum(norms, 1e-300)
    if not ok.any():
        return "no nonsingular basis"
    values = np.linalg.solve(blocks[ok], np.broadcast_to(h, (int(ok.sum()), rank))[..., None])[..., 0]
    mu_values = values[:, :k]
    feasible = np.all(mu_values >= -FEASIBILITY * (1 + np.abs(mu_values)), axis=1)
    if not feasible.any():
        return "its dual region is empty (no KKT point at any leader decision)"
    for basis, vals in zip(chosen[ok][feasible], mu_values[feasible], strict=True):
        np.maximum.at(best, basis, vals)
    for j, p in enumerate(fk.pairs):
        top = max(best[j], 0.0)
        out.bounds[p.key] = top + SAFETY * (1 + top)
    return ""


def _on_a_ray(g: np.ndarray, m: int) -> list[bool]:
    """Which of the first ``m`` (sign-constrained) columns some recession ray of ``{w : g w = h, w[:m] >= 0}`` raises.

    One LP: ``max sum t  s.t.  g r = 0,  r[:m] >= 0,  0 <= t <= min(r[:m], 1)``.  Rays add up to a ray, so at an
    optimum ``t_i = 1`` exactly for the columns some ray raises (HiGHS; without it, or if the LP fails, none is
    claimed)."""
    from ftgames.solvers import Layer, get_backend

    if not get_backend("highs").availability(Layer.PYOMO).available:
        return [False] * m
    from ftgames.solvers.highs import PersistentLP

    q = g.shape[1] - m
    rows = [(0.0, 0.0, [j for j in range(m + q) if g[r, j] != 0], [float(a) for a in g[r] if a != 0])
            for r in range(g.shape[0])]
    rows += [(None, 0.0, [m + q + i, i], [1.0, -1.0]) for i in range(m)]  # t_i <= r_i
    lp = PersistentLP([0.0] * m + [None] * q + [0.0] * m, [None] * (m + q) + [1.0] * m, rows)
    if lp.maximize(list(range(m + q, m + q + m)), [1.0] * m) is None:
        return [False] * m
    return [t > 0.5 for t in lp.values()[m + q:]]


def _independent_rows(g: np.ndarray, rank: int) -> list[int]:
    chosen: list[int] = []
    for i in range(g.shape[0]):
        if np.linalg.matrix_rank(g[chosen + [i]]) > len(chosen):
            chosen.append(i)
        if len(chosen) == rank:
            break
    return chosen
