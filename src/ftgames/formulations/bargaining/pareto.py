"""The Pareto set of δ as an object: components, a membership test, projections on each δ_i, and a sample.

δ is Pareto optimal when no δ' gives every player at least its utility at δ and someone more (utilities at the
subgame-perfect equilibrium of each δ).  The set need not be an interval, nor connected, nor convex.

**Components** are computed from a sample: a grid of δ (refined near the boundaries for one specialist), the exact
equilibrium at every point, the points no other sample dominates, grouped by adjacency on the grid (8-neighbour in
the plane).  They are a *sampled* description and are labelled so (``ParetoSet.exact`` is False): a piece thinner
than the grid step can be missed, and a sample point dominated only by points off the grid is kept.

**Membership** ``contains(δ)`` is exact where the game's structure allows it.  With linear revenue and no entry
decisions G's investment is α0 = A(S), S = Σ_j δ_j r_j, and

    U_G  = Ψ(S) + Σ_j δ_j r_j Δ_j(δ_j),        Ψ(S) = max_a [S a − φ0(a)]  (increasing in S)
    U_Di = (1 − δ_i) r_i A(S) + H_i(δ_i),      H_i(δ) = max_x [((1 − δ) r_i − b_i) x − c_i x^k_i]  (decreasing)

with Δ_j decreasing in δ_j.  So on a box lo ≤ δ' ≤ hi every utility has an upper bound from the box's corners:
U_Di ≤ (1 − lo_i) r_i A(Σ r hi) + H_i(lo_i) and U_G ≤ Ψ(Σ r hi) + Σ hi_j r_j Δ_j(lo_j) (U_Di itself is not monotone
in δ_i: its own share also raises S); the bounds tighten linearly with the box.  Without marginal costs and with
every k_i ≥ 2 the mean-value bound U_j(centre) + Σ_i (w_i/2) max|∂_i U_j| (interval arithmetic on monotone factors)
is also taken, which tightens quadratically near a stationary point.  A branch and bound over boxes of [0, 1]^n
then decides the domination program

    is there δ' with U_j(δ') ≥ u_j for every player j and Σ_j (U_j(δ') − u_j) > tol ?      (u = U(δ))

A box is discarded when some player's bound is below u_j (nothing in it reaches u_j) or the bounds' total gain is at
most tol; every box centre is evaluated exactly and one that dominates u is a **witness**.  The search ends with a
witness (δ is not Pareto optimal, certified by an explicit dominating δ') or with no box left (certified: nothing
improves the total by more than tol = 1e-9 of the game's utility scale while keeping everyone at least as well off).
Near the edge of the set the boxes that survive form a thin sliver and the search may reach its box budget; it then
falls back on the sampled test and says so (``Membership.certified`` False).

Elsewhere (entry costs or outside options, power revenue) only the **sampled test** is available: δ's exact
equilibrium is compared with every sample point; a sample point that dominates it is a witness (certified "no"), and
otherwise the answer "yes" holds relative to the sample only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...models.fine_tuning import FineTuningGame
from .frontier import (
    MAX_PARETO_POINTS,
    MAX_PARETO_POINTS_NUMERIC,
    MERGE_GAP,
    default_points_per_axis,
    equilibrium_table,
    grid_points_per_axis,
    nondominated,
)

#: Relative tolerance of the exact membership test (of the game's utility scale).
TOLERANCE = 1e-9
#: Boxes the exact membership test may evaluate before it falls back on the sampled test.
MAX_BOXES = 400_000
#: Boxes per edge point when the sampled set is refined by the exact test.
REFINE_BOXES = 5_000
EXACT_METHOD = "exact: branch and bound over boxes of δ with corner bounds (linear revenue, no entry decisions)"
SAMPLED_METHOD = "sampled: compared with the exact equilibria of the sample only"


# ------------------------------------------------------------------------------------------------ the structure
def exact_test_applies(game: FineTuningGame) -> str | None:
    """None when the exact membership test applies to ``game``; otherwise why not, in words."""
    if not game.linear_revenue:
        return "power revenue (revenue_power < 1): a specialist's increment depends on α0, no corner bounds"
    if game.has_entry_decisions:
        return ("entry costs or outside options: the equilibrium jumps where a specialist enters or G holds it at "
                "its threshold, and the utilities are not monotone in the shares")
    return None


@dataclass(frozen=True)
class _Closed:
    """Closed forms of the equilibrium utilities with linear revenue and no entry decisions (vectorised)."""

    r: np.ndarray
    c: np.ndarray
    k: np.ndarray
    b: np.ndarray
    c0: float
    k0: float

    @staticmethod
    def of(game: FineTuningGame) -> _Closed:
        a = game.arrays()
        return _Closed(a.revenue, a.cost, a.exponent, a.marginal_cost, a.c0, a.k0)

    def alpha0(self, s: np.ndarray) -> np.ndarray:
        return (np.maximum(s, 0.0) / (self.k0 * self.c0)) ** (1.0 / (self.k0 - 1.0))

    def psi(self, s: np.ndarray) -> np.ndarray:
        a = self.alpha0(s)
        return s * a - self.c0 * a ** self.k0

    def increment(self, x: np.ndarray) -> np.ndarray:
        margin = np.maximum((1.0 - x) * self.r - self.b, 0.0)
        return (margin / (self.k * self.c)) ** (1.0 / (self.k - 1.0))

    def own(self, x: np.ndarray) -> np.ndarray:
        """H_i(δ_i): D_i's surplus from its own increment (decreasing in δ_i)."""
        d = self.increment(x)
        return ((1.0 - x) * self.r - self.b) * d - self.c * d ** self.k

    def utilities(self, delta: np.ndarray) -> np.ndarray:
        """(N, n + 1) exact equilibrium utilities U_G, U_D1..U_Dn at the rows of δ."""
        s = delta @ self.r
        u_g = self.psi(s) + np.sum(delta * self.r * self.increment(delta), axis=1)
        u_d = (1.0 - delta) * self.r * self.alpha0(s)[:, None] + self.own(delta)
        return np.column_stack([u_g, u_d])

    @property
    def smooth(self) -> bool:
        """No marginal cost and every k_i ≥ 2: the partial derivatives below are monotone in each factor."""
        return bool(np.all(self.b == 0.0) and np.all(self.k >= 2.0))

    def slope(self, s: np.ndarray) -> np.ndarray:
        """A'(S) (infinite at S = 0 when k0 > 2)."""
        q = 1.0 / (self.k0 - 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return q * (self.k0 * self.c0) ** (-q) * np.maximum(s, 0.0) ** (q - 1.0)

    def taylor_upper(self, lo: np.ndarray, hi: np.ndarray, at_centre: np.ndarray) -> np.ndarray:
        """(B, n + 1) second upper bound by the mean-value theorem, U_j(δ') ≤ U_j(c) + Σ_i (w_i/2) max|∂_i U_j| over
        the box (c its centre, w its widths): every partial derivative is a sum of products of factors monotone in
        δ_i or in S, so interval arithmetic bounds it.  Near a stationary point the derivatives are O(w) and the
        bound O(w²), where the corner bound above is O(w).  Requires :attr:`smooth`."""
        r, k = self.r, self.k
        p = 1.0 / (k - 1.0)
        big_k = (k * self.c) ** (-p)
        s_lo, s_hi = (lo @ r)[:, None], (hi @ r)[:, None]
        a_lo, a_hi = self.alpha0(s_lo), self.alpha0(s_hi)
        d_lo, d_hi = self.slope(s_lo), self.slope(s_hi)
        d_min, d_max = (np.minimum(d_lo, d_hi), np.maximum(d_lo, d_hi))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            def g1(x: np.ndarray) -> np.ndarray:  # d/dδ of δ r Δ(δ): decreasing (concave) for k ≥ 2, b = 0
                m = (1.0 - x) * r
                return r * big_k * m ** (p - 1.0) * (m - p * x * r)

            inc_lo, inc_hi = self.increment(lo), self.increment(hi)  # Δ(lo) ≥ Δ(hi)
            half = 0.5 * (hi - lo)
            # G: ∂_i U_G = r_i A(S) + g_i'(δ_i)
            g_low, g_high = r * a_lo + g1(hi), r * a_hi + g1(lo)
            out = [at_centre[:, 0] + np.sum(half * np.maximum(np.abs(g_low), np.abs(g_high)), axis=1)]
            n = len(r)
            for i in range(n):
                # j ≠ i: (1 − δ_i) r_i r_j A'(S) ≥ 0;  j = i: −r_i A(S) + (1 − δ_i) r_i² A'(S) − r_i Δ_i(δ_i)
                cross_high = (1.0 - lo[:, i:i + 1]) * r[i] * r * d_max
                own_low = (-r[i] * a_hi[:, 0] + (1.0 - hi[:, i]) * r[i] ** 2 * d_min[:, 0] - r[i] * inc_lo[:, i])
                own_high = (-r[i] * a_lo[:, 0] + (1.0 - lo[:, i]) * r[i] ** 2 * d_max[:, 0] - r[i] * inc_hi[:, i])
                size = np.abs(cross_high)
                size[:, i] = np.maximum(np.abs(own_low), np.abs(own_high))
                out.append(at_centre[:, i + 1] + np.sum(half * size, axis=1))
            bound = np.column_stack(out)
        return np.where(np.isnan(bound), np.inf, bound)

    def upper(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """(B, n + 1) upper bounds of every utility over the boxes lo ≤ δ ≤ hi."""
        s_hi = hi @ self.r
        u_g = self.psi(s_hi) + np.sum(hi * self.r * self.increment(lo), axis=1)
        u_d = (1.0 - lo) * self.r * self.alpha0(s_hi)[:, None] + self.own(lo)
        return np.column_stack([u_g, u_d])


# ------------------------------------------------------------------------------------------------ records
@dataclass(frozen=True)
class Membership:
    """Answer of the membership test at one δ.

    ``member`` is the verdict; ``certified`` says whether it is proved (a dominating witness, or an exhausted
    branch and bound); ``witness`` is a δ' whose equilibrium dominates δ's (when one was found); ``method`` says
    which test ran and, when it is the sampled one, why."""

    delta: tuple[float, ...]
    member: bool
    certified: bool
    method: str
    witness: tuple[float, ...] | None = None
    boxes: int = 0
    tolerance: float = 0.0

    def __bool__(self) -> bool:
        return self.member


@dataclass(frozen=True)
class ParetoComponent:
    """One connected piece of the sampled Pareto set: its sample points and their projection on each δ_i."""

    points: np.ndarray
    projections: tuple[tuple[tuple[float, float], ...], ...]

    @property
    def size(self) -> int:
        return len(self.points)

    @property
    def interval(self) -> tuple[float, float]:
        """The component of one specialist's set (an interval of δ_1)."""
        if self.points.shape[1] != 1:
            raise ValueError("interval is defined for one specialist only; use projections")
        return (float(self.points[:, 0].min()), float(self.points[:, 0].max()))


@dataclass(frozen=True)
class ParetoSet:
    """The Pareto set of δ: components (from a sample), an exact or sampled membership test, projections on each
    δ_i, and the sample itself.

    ``exact`` is True only when the components are exact (never, for now: they come from a sample); ``method`` says
    how they were computed; ``membership_method`` how ``contains`` decides (exact where the game allows it)."""

    game: FineTuningGame
    components: tuple[ParetoComponent, ...]
    resolution: float
    method: str
    sample: np.ndarray
    sample_utilities: np.ndarray = field(repr=False)
    pareto_mask: np.ndarray = field(repr=False)
    exact: bool = False

    # -------------------------------------------------------------------------------- description
    @property
    def n(self) -> int:
        return self.game.n

    @property
    def membership_method(self) -> str:
        reason = exact_test_applies(self.game)
        return EXACT_METHOD if reason is None else f"{SAMPLED_METHOD} ({reason})"

    @property
    def points(self) -> np.ndarray:
        """The sample points no other sample point dominates (after the edge refinement, when there was one)."""
        return self.sample[self.pareto_mask]

    def intervals(self) -> list[list[float]]:
        """One specialist: the components as intervals [low, high]."""
        return [list(c.interval) for c in self.components]

    def projection(self, i: int) -> list[tuple[float, float]]:
        """The projection of the set on δ_i: a union of intervals (the components' projections merged)."""
        pieces = sorted(iv for c in self.components for iv in c.projections[i])
        merged: list[list[float]] = []
        for a, b in pieces:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return [(a, b) for a, b in merged]

    def projections(self) -> list[list[tuple[float, float]]]:
        return [self.projection(i) for i in range(self.n)]

    def to_dict(self) -> dict[str, Any]:
        """JSON description: the components (projections and sample counts), the method, and whether it is exact."""
        return {"method": self.method, "exact": self.exact, "membership": self.membership_method,
                "resolution": self.resolution, "sampled": int(len(self.sample)),
                "nondominated_samples": int(self.pareto_mask.sum()),
                "projections": [[list(iv) for iv in p] for p in self.projections()],
                "components": [{"samples": c.size, "projections": [[list(iv) for iv in p] for p in c.projections]}
                               for c in self.components]}

    # -------------------------------------------------------------------------------- membership
    def contains(self, delta: Sequence[float] | float) -> bool:
        """Is δ Pareto optimal?  Exact where the game allows it (see :meth:`membership`, which says which)."""
        return self.membership(delta).member

    def membership(self, delta: Sequence[float] | float, *, max_boxes: int = MAX_BOXES) -> Membership:
        """Decide whether δ is Pareto optimal, with the method and, when δ is dominated, a witness."""
        point = np.atleast_1d(np.asarray(delta, dtype=float))
        if point.shape != (self.n,):
            raise ValueError(f"delta must have {self.n} entries, got {point.shape}")
        key = tuple(float(d) for d in point)
        if exact_test_applies(self.game) is None:
            out = dominated_by_search(self.game, point, max_boxes=max_boxes)
            if out.certified:
                return out
            sampled = self._sampled(point)
            if not sampled.member:
                return sampled
            return Membership(key, True, False, f"{EXACT_METHOD}: box budget ({out.boxes:,}) reached near the edge "
                              f"of the set; {SAMPLED_METHOD}", None, out.boxes, out.tolerance)
        return self._sampled(point)

    def _sampled(self, point: np.ndarray) -> Membership:
        u = equilibrium_table(self.game, point[None, :]).utilities[0]
        scale = max(float(np.max(np.abs(self.sample_utilities))), 1e-300)
        tol = 1e-12 * scale
        ge = np.all(self.sample_utilities >= u - tol, axis=1)
        gt = np.any(self.sample_utilities > u + tol, axis=1)
        hits = np.flatnonzero(ge & gt)
        key = tuple(float(d) for d in point)
        reason = exact_test_applies(self.game)
        method = SAMPLED_METHOD if reason is None else f"{SAMPLED_METHOD} ({reason})"
        if hits.size:
            best = hits[np.argmax(np.sum(self.sample_utilities[hits] - u, axis=1))]
            return Membership(key, False, True, method, tuple(map(float, self.sample[best])), 0, tol)
        return Membership(key, True, False, method, None, 0, tol)


def utility_scale(game: FineTuningGame) -> float:
    """The largest utility any player can reach (a bound over all δ): the unit of the membership tolerance."""
    closed = _Closed.of(game)
    return max(float(np.max(closed.upper(np.zeros((1, game.n)), np.ones((1, game.n))))), 1e-300)


def dominated_by_search(game: FineTuningGame, delta: Sequence[float], *, tolerance: float = TOLERANCE,
                        max_boxes: int = MAX_BOXES) -> Membership:
    """The exact membership test (linear revenue, no entry decisions): branch and bound over boxes of δ'.

    Returns a certified non-member with a dominating witness, a certified member (no box left whose bounds allow
    a total gain above ``tolerance`` times the utility scale), or, past ``max_boxes``, an uncertified member."""
    return search_many(game, np.atleast_2d(np.asarray(delta, dtype=float)), tolerance=tolerance,
                       max_boxes=max_boxes)[0]


def search_many(game: FineTuningGame, deltas: np.ndarray, *, tolerance: float = TOLERANCE,
                max_boxes: int = MAX_BOXES, second_order: bool = True) -> list[Membership]:
    """:func:`dominated_by_search` at every row of ``deltas`` at once (the boxes of all queries in one batch per
    level of the branch and bound; ``max_boxes`` per query)."""
    reason = exact_test_applies(game)
    if reason is not None:
        raise ValueError(f"the exact membership test does not apply: {reason}")
    closed = _Closed.of(game)
    deltas = np.atleast_2d(np.asarray(deltas, dtype=float))
    points = np.clip(deltas, 0.0, 1.0)
    q, n = points.shape
    u_all = closed.utilities(points)
    scale = utility_scale(game)
    tol = tolerance * scale
    slack = 1e-13 * scale  # rounding of the bounds: a box is kept unless its bound is below u by more than this
    corners = np.array(np.meshgrid(*[[0.0, 1.0]] * n, indexing="ij")).reshape(n, -1).T  # (2^n, n)
    smooth = closed.smooth and second_order
    verdict = np.zeros(q, dtype=int)  # 0 open, 1 member (certified), -1 dominated, 2 budget reached
    witness = np.full((q, n), np.nan)
    used = np.zeros(q, dtype=np.int64)
    lo, hi, owner = np.zeros((q, n)), np.ones((q, n)), np.arange(q)
    while len(owner):
        used += np.bincount(owner, minlength=q)
        u = u_all[owner]
        centre = 0.5 * (lo + hi)
        gain = closed.utilities(centre) - u
        total = np.sum(gain, axis=1)
        good = np.all(gain >= 0.0, axis=1) & (total > tol)  # a witness: no player worse, as computed
        if good.any():
            rows = np.flatnonzero(good)
            rows = rows[np.argsort(-total[rows], kind="stable")]
            who, first = np.unique(owner[rows], return_index=True)
            picked = centre[rows[first]]
            check_a = equilibrium_table(game, points[who]).utilities  # independent re-evaluation
            check_b = equilibrium_table(game, picked).utilities
            ok = np.all(check_b >= check_a, axis=1) & (np.sum(check_b - check_a, axis=1) > tol)
            verdict[who[ok]] = -1
            witness[who[ok]] = picked[ok]
        bound = closed.upper(lo, hi)
        if smooth:
            bound = np.minimum(bound, closed.taylor_upper(lo, hi, gain + u))
        bound -= u
        alive = (verdict[owner] == 0) & np.all(bound >= -slack, axis=1) & (np.sum(bound, axis=1) > tol)
        lo, hi, owner = lo[alive], hi[alive], owner[alive]
        over = (used + np.bincount(owner, minlength=q) * 2**n > max_boxes) & (verdict == 0)
        if len(owner):
            tiny = np.zeros(q, dtype=bool)
            np.logical_or.at(tiny, owner, np.max(hi - lo, axis=1) <= 1e-15)
            over |= tiny & (verdict == 0)
        verdict[over & np.isin(np.arange(q), owner)] = 2
        keep = verdict[owner] == 0
        lo, hi, owner = lo[keep], hi[keep], owner[keep]
        half = 0.5 * (hi - lo)
        lo = (lo[:, None, :] + corners[None, :, :] * half[:, None, :]).reshape(-1, n)
        hi = lo + np.repeat(half, len(corners), axis=0)
        owner = np.repeat(owner, len(corners))
    out = []
    for j in range(q):
        key = tuple(float(d) for d in deltas[j])
        if verdict[j] == -1:
            out.append(Membership(key, False, True, EXACT_METHOD, tuple(map(float, witness[j])), int(used[j]), tol))
        else:
            out.append(Membership(key, True, bool(verdict[j] != 2), EXACT_METHOD, None, int(used[j]), tol))
    return out


# ------------------------------------------------------------------------------------------------ construction
def pareto_set(game: FineTuningGame, *, points_per_axis: int | None = None, refinements: int = 3,
               zoom: int = 40, refine: bool | None = None) -> ParetoSet:
    """The Pareto set of δ: components from a sample of exact equilibria (one specialist: a grid refined
    ``refinements`` times by ``zoom`` near the boundaries; several: a k^n grid), with the membership test.

    ``refine`` (several specialists, where the exact test applies; default: for two specialists): the sample's
    Pareto points on the edge of the sampled set are decided by the exact test, the dominated ones removed, and
    again on the new edge until every edge point is certified (a point only off-grid points dominate is removed)."""
    if game.n == 1:
        return _pareto_one(game, points_per_axis or default_points_per_axis(1), refinements, zoom)
    budget = MAX_PARETO_POINTS if game.linear_revenue else MAX_PARETO_POINTS_NUMERIC
    if refine is None:
        refine = game.n <= 2
    refine = bool(refine) and exact_test_applies(game) is None
    return _pareto_grid(game, grid_points_per_axis(game.n, points_per_axis, budget), refine)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    runs, start = [], None
    for j, m in enumerate(mask):
        if m and start is None:
            start = j
        if not m and start is not None:
            runs.append((start, j - 1))
            start = None
    if start is not None:
        runs.append((start, len(mask) - 1))
    return runs


def _pareto_one(game: FineTuningGame, k: int, refinements: int, zoom: int) -> ParetoSet:
    grid = np.linspace(0.0, 1.0, k)
    utils = equilibrium_table(game, grid[:, None]).utilities
    step = 1.0 / (k - 1)
    for _ in range(refinements):
        mask = nondominated(utils)
        extra = []
        for a, b in _runs(mask):
            for j in (a, b):
                lo, hi = grid[max(j - 1, 0)], grid[min(j + 1, len(grid) - 1)]
                extra.append(np.linspace(lo, hi, 2 * zoom + 1))
        new = np.setdiff1d(np.concatenate(extra), grid) if extra else np.array([])
        if new.size == 0:
            break
        grid = np.concatenate([grid, new])
        utils = np.vstack([utils, equilibrium_table(game, new[:, None]).utilities])
        order = np.argsort(grid)
        grid, utils = grid[order], utils[order]
        step /= zoom
    mask = nondominated(utils)
    resolution = max(step, MERGE_GAP)
    merged: list[list[int]] = []
    for a, b in _runs(mask):  # gaps narrower than the resolution cannot be told apart from rounding: merge them
        if merged and grid[a] - grid[merged[-1][1]] <= resolution:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    comps = []
    for a, b in merged:
        pts = grid[a:b + 1][mask[a:b + 1]][:, None]
        comps.append(ParetoComponent(pts, (((float(grid[a]), float(grid[b])),),)))
    return ParetoSet(game, tuple(comps), resolution, "sampled: grid of exact equilibria, boundaries refined",
                     grid[:, None], utils, mask)


def _intervals(values: np.ndarray, step: float) -> tuple[tuple[float, float], ...]:
    """Sorted grid values as intervals (gaps of more than one step split them), each widened by one step."""
    values = np.unique(values)
    cuts = np.flatnonzero(np.diff(values) > 1.5 * step)
    starts = np.concatenate([[0], cuts + 1])
    ends = np.concatenate([cuts, [len(values) - 1]])
    return tuple((max(0.0, float(values[a]) - step), min(1.0, float(values[b]) + step))
                 for a, b in zip(starts, ends, strict=True))


def _pareto_grid(game: FineTuningGame, k: int, refine: bool) -> ParetoSet:
    from scipy import ndimage

    axes = [np.linspace(0.0, 1.0, k)] * game.n
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, game.n)
    utils = equilibrium_table(game, mesh).utilities
    mask = nondominated(utils)
    shape, structure = (k,) * game.n, np.ones((3,) * game.n)
    note = "not refined: edge points not checked by the exact test"
    if refine:
        tested = np.zeros_like(mask)
        removed = uncertified = 0
        while True:
            inner = ndimage.binary_erosion(mask.reshape(shape), structure=structure, border_value=1).reshape(-1)
            todo = np.flatnonzero(mask & ~inner & ~tested)
            if not todo.size:
                break
            answers = search_many(game, mesh[todo], max_boxes=REFINE_BOXES)
            tested[todo] = True
            out = np.array([not a.member for a in answers])
            uncertified += sum(not a.certified for a in answers)
            mask[todo[out]] = False
            removed += int(out.sum())
        note = (f"edge points refined by the exact test: {int(tested.sum()):,} checked, {removed:,} dominated ones "
                f"removed, {uncertified:,} left undecided within {REFINE_BOXES:,} boxes")
    labels, count = ndimage.label(mask.reshape(shape), structure=structure)
    flat = labels.reshape(-1)
    step = 1.0 / (k - 1)
    comps = []
    for c in range(1, count + 1):
        pts = mesh[flat == c]
        comps.append(ParetoComponent(pts, tuple(_intervals(pts[:, i], step) for i in range(game.n))))
    comps.sort(key=lambda comp: -comp.size)
    method = (f"sampled: {k}^{game.n} grid of exact equilibria, the points no other sample dominates, components "
              f"by adjacency ({3**game.n - 1}-neighbour); {note}; projections widened by one grid step ({step:.3g})")
    return ParetoSet(game, tuple(comps), step, method, mesh, utils, mask)


__all__ = ["Membership", "ParetoComponent", "ParetoSet", "dominated_by_search", "exact_test_applies", "pareto_set",
           "utility_scale", "TOLERANCE", "MAX_BOXES"]
