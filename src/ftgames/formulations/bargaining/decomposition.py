"""Certified bargaining over δ for n specialists: a one-dimensional branch and bound over S = Σ_j δ_j r_j.

With linear revenue, cost exponents k_i ≥ 2 and no marginal costs, G's investment depends on δ only through S:
α0 = A(S) = (S/(k0 c0))^{1/(k0−1)}, and with m_i = (1 − δ_i) r_i, Δ_i = K_i m_i^{p_i} (p_i = 1/(k_i − 1),
K_i = (k_i c_i)^{−p_i}):

    U_G  = Ψ(S) + Σ_i g_i(δ_i),        Ψ(S) = (k0 − 1) c0 A(S)^k0,    g_i = δ_i r_i Δ_i      (concave in δ_i)
    U_Di = m_i A(S) + h_i(δ_i) − F_i,  h_i = (1 − 1/k_i) m_i Δ_i                              (decreasing in δ_i)

so for fixed S the specialists' problems separate, coupled only by Σ_i r_i δ_i = S.  On an interval S ∈ [S_lo, S_hi]
every utility is at most its value with Ψ(S_hi) and A(S_hi) (both increase with S), which gives a relaxation whose
per-domain problems are one-dimensional and concave (log-concave for Nash); its Lagrangian dual over the coupling
(and, for Nash, over G's utility level) is an **upper bound** valid for any multiplier, and its primal δ is a
feasible bargain, evaluated by the exact equilibrium (a **lower bound**).  That bound is first order in the
interval's width; for Nash and the max–min criteria the search instead bounds, for fixed multipliers, how fast the
S-dependent part of the dual grows across the interval (monotone comparative statics of each domain's maximizer in
α0), which makes the bound second order near the optimum: about a hundred nodes at any n (see
:meth:`Problem._nash_bound` and :meth:`Problem._below`).  Branch and bound on S closes the gap to a stated
tolerance: the answer is the global optimum up to that tolerance, in O(n) per node.

Solutions covered: utilitarian, nash, egalitarian, kalai_smorodinsky (ideal points: generalist_optimal by the same
search, each D_i's by a vectorised one-dimensional branch and bound), generalist_optimal.  Entry costs and outside
options: for nash and egalitarian with a disagreement point at least every outside option, any outcome in which a
specialist abstains or is held at its entry threshold has a non-positive gain, so the optimum lies in the regime
where every specialist takes part and α0 = A(S) (where the equilibrium is exactly this formula): the search runs in
that regime with the participation caps U_Di ≥ d_i.  Elsewhere :func:`why_not` says why no certificate is given.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ...models.fine_tuning import FineTuningGame
from ..equilibrium.vectorised import equilibrium_arrays

COVERED = ("utilitarian", "nash", "egalitarian", "kalai_smorodinsky", "generalist_optimal")
#: Relative optimality tolerance of the branch and bound (absolute for the Nash objective, a sum of logarithms).
TOLERANCE = 1e-9
#: Nodes before the search gives up (its answer is then reported as local, with the gap reached).
MAX_NODES = 600
#: Largest game the search is built for (each node is O(n) numpy arithmetic; about 1 s per node at this size).
MAX_SPECIALISTS = 200_000


def why_not(game: FineTuningGame, solution: str, weights: Sequence[float], disagreement: Sequence[float]) -> str | None:
    """None when the decomposition certifies ``solution`` on ``game``; otherwise the reason, in words."""
    if solution not in COVERED:
        return (f"the S-decomposition covers {', '.join(COVERED)}, not {solution!r} (its per-domain subproblems "
                "are not concave)")
    if game.n > MAX_SPECIALISTS:
        return f"the S-decomposition handles at most {MAX_SPECIALISTS:,} specialists, got {game.n:,}"
    if not game.linear_revenue:
        return "power revenue (revenue_power < 1): G's investment no longer depends on δ through S = Σ δ_j r_j alone"
    a = game.arrays()
    if np.any(a.exponent < 2.0):
        return "a specialist's cost exponent is below 2: G's income from that domain is not concave in its share"
    if np.any(a.marginal_cost > 0):
        return "a specialist has a marginal cost b_i > 0: its per-domain subproblem is not concave"
    d = np.asarray(disagreement, dtype=float)
    if solution == "nash" and np.any(d[1:] + a.entry_cost < 0):
        return "a specialist's disagreement point plus entry cost is negative: log(U_Di − d_i) is not concave"
    if game.has_entry_decisions:
        if solution not in ("nash", "egalitarian"):
            return (f"entry costs or outside options: {solution} may pick an outcome where G holds a specialist at "
                    "its entry threshold, a regime the S-decomposition does not search")
        outside = np.concatenate([[a.outside_option_generalist], a.outside_option])
        if np.any(d < outside):
            return ("entry costs or outside options with a disagreement point below a player's outside option: "
                    "outcomes where a specialist abstains could be optimal, a regime the S-decomposition does not "
                    "search")
    return None


# ------------------------------------------------------------------------------------------------ per-domain model
@dataclass
class Domains:
    """Per-domain arrays and the closed forms of g_i, U_Di and their derivatives in δ_i (m = (1 − δ) r)."""

    r: np.ndarray
    k: np.ndarray
    p: np.ndarray
    K: np.ndarray
    F: np.ndarray
    c0: float
    k0: float

    @staticmethod
    def of(game: FineTuningGame) -> Domains:
        a = game.arrays()
        p = 1.0 / (a.exponent - 1.0)
        return Domains(a.revenue, a.exponent, p, (a.exponent * a.cost) ** (-p), a.entry_cost, a.c0, a.k0)

    def alpha0(self, s: float) -> float:
        return (max(s, 0.0) / (self.k0 * self.c0)) ** (1.0 / (self.k0 - 1.0))

    def psi(self, s: float) -> float:
        return (self.k0 - 1.0) * self.c0 * self.alpha0(s) ** self.k0

    def m(self, x):
        return np.maximum((1.0 - x) * self.r, 0.0)

    def g(self, x):
        return x * self.r * self.K * self.m(x) ** self.p

    def g1(self, x):
        m = self.m(x)
        return self.r * self.K * m ** (self.p - 1.0) * (m - self.p * x * self.r)

    def g2(self, x):
        m, p = self.m(x), self.p
        return -self.r ** 2 * self.K * m ** (p - 2.0) * ((p - 1.0) * (m - p * x * self.r) + (1.0 + p) * m)

    def ud(self, x, a):
        m = self.m(x)
        return m * a + (1.0 - 1.0 / self.k) * self.K * m ** (1.0 + self.p) - self.F

    def ud1(self, x, a):
        return -self.r * (a + self.K * self.m(x) ** self.p)

    def ud2(self, x, a):
        return self.r ** 2 * self.p * self.K * self.m(x) ** (self.p - 1.0)


def argmax_concave(d1: Callable, d2: Callable, lo: np.ndarray, hi: np.ndarray, start: np.ndarray | None = None,
                   iterations: int = 100) -> np.ndarray:
    """Vectorised maximizer of concave functions on [lo, hi] from their decreasing derivative ``d1`` (and ``d2``):
    Newton's method kept inside a bisection bracket, to the last bits of δ."""
    with np.errstate(all="ignore"):
        at_lo = ~(d1(lo) > 0)
        at_hi = d1(hi) >= 0
        a, b = lo.copy(), hi.copy()
        x = 0.5 * (a + b) if start is None else np.clip(start, a, b)
        for _ in range(iterations):
            v = d1(x)
            up = v > 0
            a = np.where(up, x, a)
            b = np.where(up, b, x)
            step = x - v / d2(x)
            ok = np.isfinite(step) & (step > a) & (step < b)
            new = np.where(v == 0, x, np.where(ok, step, 0.5 * (a + b)))
            done = np.all((np.abs(new - x) <= 4e-16) | (b - a <= 4e-16))
            x = new
            if done:
                break
    return np.where(at_lo, lo, np.where(at_hi, hi, x))


def falling_root(fun: Callable[[float], float], a: float, b: float, rel: float = 1e-14) -> float:
    """The largest point of [a, b] where the non-increasing ``fun`` is still ≥ 0, given fun(a) ≥ 0 > fun(b):
    Illinois (regula falsi halving the stale end), kept inside the bracket; returns the left end of the final
    bracket, so that fun is ≥ 0 there."""
    fa, fb, side = fun(a), fun(b), 0
    for _ in range(200):
        if b - a <= rel * max(1.0, abs(a)):
            break
        x = a + fa * (b - a) / (fa - fb) if fa > fb else 0.5 * (a + b)
        if not a < x < b:
            x = 0.5 * (a + b)
        fx = fun(x)
        if fx >= 0:
            a, fa = x, fx
            fb, side = (0.5 * fb if side == 1 else fb), 1
        else:
            b, fb = x, fx
            fa, side = (0.5 * fa if side == -1 else fa), -1
    return a


@dataclass
class Separable:
    """max Σ f_i(δ_i) over δ_i ∈ [0, cap_i], S_lo ≤ Σ r_i δ_i ≤ S_hi: an upper bound and a primal point."""

    bound: float
    delta: np.ndarray | None
    multiplier: float = 0.0
    #: Nash only: the multiplier μ of G's utility (w_G log y ≤ w_G (log(w_G/μ) − 1) + μ y).
    mu: float = 0.0


def separable(dom: Domains, f: Callable, f1: Callable, f2: Callable, cap: np.ndarray, s_lo: float, s_hi: float,
              start: np.ndarray | None = None) -> Separable:
    """Solve the coupled separable concave program through its Lagrangian dual in the multiplier λ of the
    coupling (bisection and secant steps on Σ r_i δ_i(λ)); the dual value bounds the program for every λ."""
    r = dom.r
    zero = np.zeros_like(cap)
    scale = float(np.sum(r))
    if float(np.sum(r * cap)) < s_lo * (1 - 1e-14) - 1e-300:
        return Separable(-math.inf, None)

    def solve(lam: float, x0):
        x = argmax_concave(lambda x: f1(x) - lam * r, f2, zero, cap, x0)
        return x, float(np.sum(r * x))

    def dual(lam: float, x) -> float:
        with np.errstate(all="ignore"):
            return float(np.sum(f(x) - lam * r * x)) + max(lam * s_lo, lam * s_hi)

    x, s = solve(0.0, start)
    if s_lo <= s <= s_hi:
        return Separable(dual(0.0, x), x, 0.0)
    target = s_hi if s > s_hi else s_lo
    # bracket λ: Σ r δ(λ) is non-increasing in λ
    lam_a, s_a, lam_b = 0.0, s, 1.0 if s > s_hi else -1.0
    x_b, s_b = solve(lam_b, x)
    for _ in range(200):
        if (s_b - target) * (s_a - target) <= 0:
            break
        lam_a, s_a, x = lam_b, s_b, x_b
        lam_b *= 4.0
        x_b, s_b = solve(lam_b, x_b)
    best_bound = min(dual(lam_a, x), dual(lam_b, x_b))
    best_x = x_b
    side = 0
    for _ in range(100):  # Illinois: regula falsi with halving of the stale end
        fa, fb = s_a - target, s_b - target
        lam = lam_b - fb * (lam_b - lam_a) / (fb - fa) if fb != fa else 0.5 * (lam_a + lam_b)
        if not (min(lam_a, lam_b) < lam < max(lam_a, lam_b)):
            lam = 0.5 * (lam_a + lam_b)
        xm, sm = solve(lam, best_x)
        value = dual(lam, xm)
        if value < best_bound:
            best_bound = value
        best_x = xm
        fm = sm - target
        if abs(fm) <= 1e-13 * scale or abs(lam_b - lam_a) <= 1e-15 * max(1.0, abs(lam)):
            break
        if (fm > 0) == (fa > 0):
            lam_a, s_a = lam, sm
            if side == -1:
                s_b = target + 0.5 * (s_b - target)
            side = -1
        else:
            lam_b, s_b = lam, sm
            if side == 1:
                s_a = target + 0.5 * (s_a - target)
            side = 1
    return Separable(best_bound, best_x, lam)


def joint_separable(dom: Domains, scalar: Callable[[float, float, float], tuple[float, float]], f: Callable,
                    f1: Callable, f2: Callable, s_lo: float, s_hi: float, start: np.ndarray | None) -> Separable:
    """max f0(S) + Σ f_i(δ_i) over S ∈ [s_lo, s_hi], δ ∈ [0, 1]^n, S = Σ r_i δ_i, by its Lagrangian dual
    L(λ) = max_S [f0(S) + λ S] + Σ_i max_δ [f_i(δ) − λ r_i δ] (``scalar(λ, s_lo, s_hi)`` returns the first max, or
    an upper bound of it, and its maximizer).  L(λ) bounds the program for every λ; it is convex in λ with
    derivative S*(λ) − Σ r_i δ_i(λ), found by bisection.  Its value is the program's convex-hull relaxation:
    exact when f0 is concave, within the chord error O((s_hi − s_lo)²) of f0 otherwise."""
    r = dom.r
    zero, one = np.zeros(len(r)), np.ones(len(r))
    x = start

    def at(lam: float):
        nonlocal x
        x = argmax_concave(lambda y: f1(y) - lam * r, f2, zero, one, x)
        top, s_star = scalar(lam, s_lo, s_hi)
        with np.errstate(all="ignore"):
            value = top + float(np.sum(f(x) - lam * r * x))
        return value, s_star - float(np.sum(r * x)), x

    lam_a, lam_b = -1.0, 1.0
    va, da, xa = at(lam_a)
    for _ in range(200):
        if da <= 0:
            break
        lam_a *= 4.0
        va, da, xa = at(lam_a)
    vb, db, xb = at(lam_b)
    for _ in range(200):
        if db >= 0:
            break
        lam_b *= 4.0
        vb, db, xb = at(lam_b)
    best = min((va, xa, lam_a), (vb, xb, lam_b), key=lambda t: t[0])
    scale = max(1.0, float(np.sum(r)))
    for _ in range(200):
        lam = 0.5 * (lam_a + lam_b)
        v, d, xm = at(lam)
        if v < best[0]:
            best = (v, xm, lam)
        if d > 0:
            lam_b = lam
        else:
            lam_a = lam
        if abs(d) <= 1e-14 * scale or lam_b - lam_a <= 1e-15 * max(1.0, abs(lam)):
            break
    return Separable(best[0], best[1], best[2])


# ------------------------------------------------------------------------------------------------ criteria
@dataclass
class Problem:
    """A bargaining criterion on the relaxation of an S-interval and on exact equilibria."""

    game: FineTuningGame
    solution: str
    weights: np.ndarray
    disagreement: np.ndarray
    ideal: np.ndarray | None = None
    dom: Domains = field(init=False)

    def __post_init__(self) -> None:
        self.dom = Domains.of(self.game)

    def scale(self) -> np.ndarray:
        if self.solution == "kalai_smorodinsky":
            assert self.ideal is not None
            return np.maximum(self.ideal - self.disagreement, 1e-300)
        return np.ones(self.game.n + 1)

    def evaluate(self, delta: np.ndarray) -> float:
        """The criterion at the exact equilibrium of δ (a lower bound on the optimum)."""
        eq = equilibrium_arrays(self.game, np.clip(delta, 0.0, 1.0))
        us = np.concatenate([[eq.utility_generalist], eq.utility_specialists])
        gains = us - self.disagreement
        if self.solution == "utilitarian":
            return float(us.sum())
        if self.solution == "generalist_optimal":
            return float(us[0])
        if self.solution == "nash":
            if not eq.participates.all() or np.any(gains <= 0):
                return -math.inf
            return float(np.sum(self.weights * np.log(gains)))
        return float(np.min(gains / self.scale()))

    def node(self, s_lo: float, s_hi: float, parent: Separable | None, floor: float = -math.inf) -> Separable:
        """Upper bound of the criterion over S ∈ [s_lo, s_hi] and a primal δ (``parent``: the enclosing interval's
        result, a warm start; ``floor``: a bound at or below which the interval is pruned, so that the max-min
        criteria may stop at the first proof that the criterion stays below it)."""
        dom = self.dom
        start = None if parent is None else parent.delta
        if self.solution == "generalist_optimal":  # Ψ is convex: its max of Ψ(S) + λS is at an end
            def ends(lam: float, lo: float, hi: float) -> tuple[float, float]:
                return max((dom.psi(lo) + lam * lo, lo), (dom.psi(hi) + lam * hi, hi))

            return joint_separable(dom, ends, dom.g, dom.g1, dom.g2, s_lo, s_hi, start)
        if self.solution == "utilitarian":  # U_G + Σ U_Di = R A(S) − φ0(A(S)) + Σ (g_i + h_i − F_i)
            return joint_separable(dom, self._total_scalar, lambda x: dom.ud(x, 0.0) + dom.g(x),
                                   lambda x: dom.ud1(x, 0.0) + dom.g1(x), lambda x: dom.ud2(x, 0.0) + dom.g2(x),
                                   s_lo, s_hi, start)
        if self.solution == "nash":
            return self._nash_node(s_lo, s_hi, parent)
        return self._max_min_node(s_lo, s_hi, parent, floor)

    def _total_scalar(self, lam: float, lo: float, hi: float) -> tuple[float, float]:
        """max over S ∈ [lo, hi] of R A(S) − c0 A(S)^k0 + λ S.  In a = A(S) it is R a − c0 a^k0 + λ k0 c0 a^(k0−1):
        concave when k0 ≥ 2 and λ ≤ 0 (the maximizer by bisection on the derivative), else bounded by its
        monotone parts (R a_hi − c0 a_lo^k0 + max(λ lo, λ hi))."""
        dom = self.dom
        big_r, c0, k0 = float(np.sum(dom.r)), dom.c0, dom.k0
        a_lo, a_hi = dom.alpha0(lo), dom.alpha0(hi)

        def value(a: float) -> float:
            return big_r * a - c0 * a ** k0 + lam * k0 * c0 * a ** (k0 - 1.0)

        if k0 >= 2.0 and lam <= 0.0:
            def slope(a: float) -> float:
                return big_r - k0 * c0 * a ** (k0 - 1.0) + lam * k0 * (k0 - 1.0) * c0 * a ** (k0 - 2.0)

            x, y = a_lo, a_hi
            if slope(x) <= 0:
                return value(x), lo
            if slope(y) >= 0:
                return value(y), hi
            for _ in range(200):
                mid = 0.5 * (x + y)
                if slope(mid) > 0:
                    x = mid
                else:
                    y = mid
                if y - x <= 1e-16 * max(1.0, y):
                    break
            best = max(value(x), value(y))
            return best + 1e-15 * max(1.0, abs(best)), k0 * c0 * (0.5 * (x + y)) ** (k0 - 1.0)
        return big_r * a_hi - c0 * a_lo ** k0 + max(lam * lo, lam * hi), hi if lam > 0 else lo

    def _cap(self, a: float, level: np.ndarray) -> np.ndarray | None:
        """Largest δ_i with U_Di(δ_i; A) ≥ level_i (U_Di decreases in δ_i), or None if δ_i = 0 falls short."""
        if np.any(self.dom.ud(np.zeros(self.game.n), a) < level):
            return None
        return self._caps(a, level)

    def _caps(self, a: float, level: np.ndarray) -> np.ndarray:
        """Largest δ_i with U_Di(δ_i; A) ≥ level_i, 0 where none."""
        dom, zero, one = self.dom, np.zeros(self.game.n), np.ones(self.game.n)
        return argmax_concave(lambda x: dom.ud(x, a) - level, lambda x: dom.ud1(x, a), zero, one)

    def _nash_parts(self, a: float, mu: float) -> tuple[Callable, Callable, Callable]:
        """D_i's part of the Nash Lagrangian at α0 = a, μ g_i(δ) + w_i log(U_Di(δ; a) − d_i), and its derivatives
        (concave in δ: g_i is concave and U_Di − d_i log-concave when k_i ≥ 2 and F_i + d_i ≥ 0)."""
        dom, wd, dd = self.dom, self.weights[1:], self.disagreement[1:]

        def f(x):
            with np.errstate(all="ignore"):
                return mu * dom.g(x) + wd * np.log(np.maximum(dom.ud(x, a) - dd, 0.0))

        def f1(x):
            gap = dom.ud(x, a) - dd
            return mu * dom.g1(x) + np.where(gap > 0, wd * dom.ud1(x, a) / np.where(gap > 0, gap, 1), -np.inf)

        def f2(x):
            gap = np.where(dom.ud(x, a) - dd > 0, dom.ud(x, a) - dd, 1e-300)
            u1 = dom.ud1(x, a)
            return mu * dom.g2(x) + wd * (dom.ud2(x, a) * gap - u1 * u1) / (gap * gap)

        return f, f1, f2

    def _nash_node(self, lo: float, hi: float, parent: Separable | None) -> Separable:
        """The Nash bound on [lo, hi] with the multipliers of the exact solve at its midpoint (second order in the
        width near the optimum, where the midpoint's multipliers are nearly optimal for the whole interval); where
        the midpoint admits no bargain, the same bound with the enclosing interval's multipliers and no primal."""
        fixed = self._nash_fixed(0.5 * (lo + hi), parent)
        if fixed is None:  # no bargain at the midpoint: the bound with the enclosing interval's multipliers (any
            # λ and μ > 0 give a valid bound), and no primal point
            seed = parent if parent is not None and parent.mu > 0 else Separable(math.nan, None, 0.0, self._mu0(hi))
            return Separable(self._nash_bound(lo, hi, seed), None, seed.multiplier, seed.mu)
        fixed.bound = self._nash_bound(lo, hi, fixed)
        return fixed

    def _mu0(self, s: float) -> float:
        """A starting μ (G's utility multiplier): w_G over G's gain with every share at 1/2."""
        dom, half = self.dom, np.full(self.game.n, 0.5)
        return self.weights[0] / max(dom.psi(s) - self.disagreement[0] + float(np.sum(dom.g(half))), 1e-12)

    def _nash_fixed(self, s: float, parent: Separable | None) -> Separable | None:
        """The Nash bargain at S = s (a concave program): δ and the multipliers (λ of Σ r δ = s, μ of G's utility)
        by Newton's method on the two dual conditions Σ r δ(λ, μ) = s and μ (U_G − d_G) = w_G, warm-started from
        ``parent``; None when it does not converge (the node then has a bound and no primal point)."""
        dom, w_g, r = self.dom, self.weights[0], self.dom.r
        a = dom.alpha0(s)
        base = dom.psi(s) - self.disagreement[0]
        cap = self._cap(a, self.disagreement[1:])
        total = float(np.sum(r))
        if cap is None or float(np.sum(r * cap)) < s:
            return None
        zero = np.zeros(self.game.n)
        x = None if parent is None or parent.delta is None else np.minimum(parent.delta, cap)
        if parent is not None and parent.mu > 0:
            lam, mu = parent.multiplier, parent.mu
        else:  # cold start: μ from δ = 1/2, λ from the coupling alone at that μ
            mu = w_g / max(base + float(np.sum(dom.g(np.minimum(0.5, cap)))), 1e-12)
            first = separable(dom, *self._nash_parts(a, mu), cap, s, s, x)
            if first.delta is None:
                return None
            lam, x = first.multiplier, first.delta

        def at(lam: float, mu: float, x0):
            _, f1, f2 = self._nash_parts(a, mu)
            x = argmax_concave(lambda y: f1(y) - lam * r, f2, zero, cap, x0)
            y = base + float(np.sum(dom.g(x)))
            res = (float(np.sum(r * x)) - s, math.log(mu * y / w_g) if y > 0 else -math.inf)
            return x, y, res, f2

        def size(res) -> float:
            return math.hypot(res[0] / max(total, 1e-300), res[1])

        x, y, res, f2 = at(lam, mu, x)
        raised = 0
        for _ in range(100):
            if abs(res[0]) <= 1e-13 * total and abs(res[1]) <= 1e-13:
                return Separable(math.nan, x, lam, mu)
            if not math.isfinite(res[1]):  # G gains nothing at these multipliers: more weight on G's utility
                raised += 1
                if raised > 40:  # μ up by 4^40 and G still gains nothing: no bargain at this S
                    return None
                mu *= 4.0
                x, y, res, f2 = at(lam, mu, x)
                continue
            with np.errstate(all="ignore"):
                q = np.where((x > 0) & (x < cap), 1.0 / f2(x), 0.0)
            q = np.where(np.isfinite(q), q, 0.0)
            g1 = dom.g1(x)
            j11, j12 = float(np.sum(r * r * q)), -mu * float(np.sum(r * g1 * q))
            j21, j22 = float(np.sum(g1 * r * q)) / y, 1.0 - mu * float(np.sum(g1 * g1 * q)) / y
            det = j11 * j22 - j12 * j21
            if not det < 0:  # no share is interior: Newton has no direction
                break
            d_lam = (-res[0] * j22 + res[1] * j12) / det
            d_nu = (-res[1] * j11 + res[0] * j21) / det
            step, now = 1.0, size(res)
            for _ in range(30):
                trial = at(lam + step * d_lam, mu * math.exp(step * d_nu), x)
                if size(trial[2]) < now:
                    break
                step *= 0.5
            else:
                break
            lam, mu = lam + step * d_lam, mu * math.exp(step * d_nu)
            x, y, res, f2 = trial
        return None  # Newton did not converge (no bargain at this S, or a degenerate one): no primal point here

    def _nash_bound(self, lo: float, hi: float, at: Separable) -> float:
        """Upper bound of the Nash criterion over S ∈ [lo, hi] from any multipliers λ, μ > 0.  For every S,
        criterion(S) ≤ C(μ) + λ S + Inc(S), Inc(S) = μ Ψ(S) + Σ_i φ_i(A(S)) with φ_i(a) = max_δ [μ g_i + w_i
        log(U_Di(δ; a) − d_i) − λ r_i δ]; Inc is non-decreasing with slope at least
        L = μ Ψ'(lo) + min A' · Σ_i w_i ρ_i, where φ_i'(a) = w_i m_i/(U_Di − d_i) (envelope) is bounded below
        through its monotonicity in a and in m_i = (1 − δ_i*) r_i, and δ_i*(a) is non-decreasing in a (the
        Lagrangian is supermodular in (δ_i, a)), so m_i ≤ m_i*(A(lo)).  Hence
        max_S ≤ C(μ) + Inc(hi) + max(λ hi, λ lo − L (hi − lo))."""
        dom, lam, mu = self.dom, at.multiplier, at.mu
        w_g, wd, dd, r = self.weights[0], self.weights[1:], self.disagreement[1:], dom.r
        a_lo, a_hi = dom.alpha0(lo), dom.alpha0(hi)
        zero = np.zeros(self.game.n)
        cap_hi = self._cap(a_hi, dd)
        if cap_hi is None or float(np.sum(r * cap_hi)) < lo:  # some D_i, or the coupling, has no room here
            return -math.inf
        if dom.psi(hi) + float(np.sum(dom.g(argmax_concave(dom.g1, dom.g2, zero, cap_hi)))) <= self.disagreement[0]:
            return -math.inf  # G gains nothing on this interval, whatever the shares within the caps
        f, f1, f2 = self._nash_parts(a_hi, mu)
        x = argmax_concave(lambda y: f1(y) - lam * r, f2, zero, cap_hi, at.delta)
        with np.errstate(all="ignore"):
            inc = mu * dom.psi(hi) + float(np.sum(f(x) - lam * r * x))
        # m_i*(A(lo)): D_i's share of the revenue at the Lagrangian's maximizer for α0 = A(lo) (m_i ≤ r_i where
        # no share keeps U_Di above d_i at A(lo))
        cap_lo = self._caps(a_lo, dd)  # 0 where no share keeps U_Di above d_i: there x_lo = 0, m_i = r_i
        _, g1_lo, g2_lo = self._nash_parts(a_lo, mu)
        x_lo = argmax_concave(lambda y: g1_lo(y) - lam * r, g2_lo, zero, cap_lo, at.delta)
        rho = dom.m(x_lo) / (dom.ud(x_lo, a_hi) - dd)
        slope = mu * a_lo + self._min_slope_alpha0(lo, hi) * float(np.sum(wd * rho))
        return (w_g * (math.log(w_g / mu) - 1.0) - mu * self.disagreement[0] + inc
                + max(lam * hi, lam * lo - slope * (hi - lo)))

    def _min_slope_alpha0(self, lo: float, hi: float) -> float:
        """min of A'(S) = A(S)/((k0 − 1) S) over [lo, hi] (A' decreases when k0 ≥ 2, increases otherwise)."""
        dom = self.dom

        def slope(s: float) -> float:
            if s <= 0:
                return math.inf if dom.k0 > 2 else (1.0 / (2.0 * dom.c0) if dom.k0 == 2 else 0.0)
            return dom.alpha0(s) / ((dom.k0 - 1.0) * s)

        return min(slope(lo), slope(hi))

    def _max_min_node(self, lo: float, hi: float, parent: Separable | None, floor: float) -> Separable:
        """The max-min bound on [lo, hi]: first a proof that the criterion stays below ``floor`` (then the
        interval is pruned without a primal); else the exact bargain at the midpoint (a primal) and the smallest
        t proven infeasible, by bisection to a thousandth of the bracket (a bound to order the search by)."""
        dom, d, s = self.dom, self.disagreement, self.scale()
        start = None if parent is None else parent.delta
        if lo < hi and math.isfinite(floor) and self._below(lo, hi, floor, start):
            return Separable(floor, None)
        mid = 0.5 * (lo + hi)
        primal = self._max_min(dom.alpha0(mid), dom.psi(mid), mid, mid, start)
        if lo == hi or primal.delta is None:
            return primal if lo == hi else self._max_min(dom.alpha0(hi), dom.psi(hi), lo, hi, start)
        a_hi = dom.alpha0(hi)
        t_lo = max(self.evaluate(primal.delta), floor)
        zero, one = np.zeros(self.game.n), np.ones(self.game.n)
        g_top = float(np.sum(dom.g(argmax_concave(dom.g1, dom.g2, zero, one))))  # each g_i at its maximum
        proven = min(float(np.min((dom.ud(zero, a_hi) - d[1:]) / s[1:])), (dom.psi(hi) - d[0] + g_top) / s[0])
        width = proven - t_lo
        while proven - t_lo > 1e-3 * width and proven - t_lo > 1e-13 * max(1.0, abs(t_lo)):
            probe = 0.5 * (t_lo + proven)
            if self._below(lo, hi, probe, primal.delta):
                proven = probe
            else:
                t_lo = probe
        return Separable(proven, primal.delta)

    def _below(self, lo: float, hi: float, t: float, start: np.ndarray | None) -> bool:
        """Whether no S ∈ [lo, hi] gives every player U_j − d_j ≥ s_j t: either some D_i falls short at δ_i = 0
        with α0 = A(hi), or G's best utility under the caps δ_i ≤ cap_i(A(S), t) stays below d_G + s_G t.  G's
        best is bounded through the coupling's multiplier λ by Ψ(hi) + Σ_i max_{δ ≤ cap_i(A(hi))} (g_i − λ r_i δ)
        + max(λ hi, λ lo − L(λ) (hi − lo)), where L(λ) bounds from below how fast the rest grows with S:
        Ψ'(lo) = A(lo), plus min A' times Σ_i (g_i'(cap_i) − λ r_i)_+ · min cap_i' (cap_i(a) grows with a at the
        rate m/(r (a + K m^p)) at m = (1 − cap_i) r_i, smallest at A(hi); g_i' decreases in δ_i; a cap that does
        not bind adds nothing).  Second order in the width; λ by bisection on the bound's slope."""
        dom, d, s, r = self.dom, self.disagreement, self.scale(), self.dom.r
        a_hi = dom.alpha0(hi)
        cap = self._cap(a_hi, d[1:] + t * s[1:])
        if cap is None:
            return True
        need = d[0] + t * s[0] - dom.psi(hi)
        width, factor, a_lo = hi - lo, self._min_slope_alpha0(lo, hi), dom.alpha0(lo)
        m = dom.m(cap)
        with np.errstate(all="ignore"):
            rate = np.where(m > 0, m / (r * (a_hi + dom.K * m ** dom.p)), 0.0)
        g1_cap, zero = dom.g1(cap), np.zeros(self.game.n)
        x = start

        def bound(lam: float) -> tuple[float, float]:
            nonlocal x
            x = argmax_concave(lambda y: dom.g1(y) - lam * r, dom.g2, zero, cap, None if x is None else
                               np.minimum(x, cap))
            base = float(np.sum(dom.g(x) - lam * r * x))
            at_hi = base + lam * hi
            gain = np.maximum(g1_cap - lam * r, 0.0)
            at_lo = base + lam * lo - (a_lo + factor * float(np.sum(gain * rate))) * width
            if at_hi >= at_lo:
                return at_hi, hi - float(np.sum(r * x))
            return at_lo, lo - float(np.sum(r * x)) + width * factor * float(np.sum(np.where(gain > 0, r * rate, 0)))

        lam_a, lam_b = -1.0, 1.0
        for _ in range(100):
            value, slope_a = bound(lam_a)
            if value < need:
                return True
            if slope_a <= 0:
                break
            lam_a *= 4.0
        for _ in range(100):
            value, slope_b = bound(lam_b)
            if value < need:
                return True
            if slope_b >= 0:
                break
            lam_b *= 4.0
        for _ in range(100):
            lam = 0.5 * (lam_a + lam_b)
            value, slope_m = bound(lam)
            if value < need:
                return True
            if slope_m > 0:
                lam_b = lam
            else:
                lam_a = lam
            if lam_b - lam_a <= 1e-10 * max(1.0, abs(lam)):  # the bound is flat there: closer gains nothing
                break
        return False

    def _max_min(self, a: float, psi: float, s_lo: float, s_hi: float, start) -> Separable:
        """max t with U_j − d_j ≥ s_j t (egalitarian: s = 1; Kalai–Smorodinsky: s = ideal − d) on the first-order
        relaxation of [s_lo, s_hi] (exact where s_lo = s_hi), by bisection on t: D_i's constraint is a cap on δ_i,
        G's is checked with the separable dual (an infeasibility proof)."""
        dom, d, s = self.dom, self.disagreement, self.scale()
        one = np.ones(self.game.n)
        top_d = (dom.ud(np.zeros(self.game.n), a) - d[1:]) / s[1:]
        g_max = separable(dom, dom.g, dom.g1, dom.g2, one, s_lo, s_hi, start)
        if g_max.delta is None:
            return g_max
        t_hi = min(float(top_d.min()), (psi - d[0] + g_max.bound) / s[0])
        x = g_max.delta
        t_lo = min(float(np.min((dom.ud(x, a) - d[1:]) / s[1:])), (psi - d[0] + float(np.sum(dom.g(x)))) / s[0])
        if s_lo == s_hi:  # at a point the caps alone allow t up to where Σ r_i cap_i(t) = S
            def room(t: float) -> float:
                return float(np.sum(dom.r * self._caps(a, d[1:] + t * s[1:]))) - s_lo

            top = min(float(top_d.min()), t_hi)
            if room(top) < 0 and room(t_lo) >= 0:
                t_hi = min(t_hi, falling_root(room, t_lo, top))
        best_x, proven = x, t_hi  # t_lo is achieved at best_x; every t above `proven` is infeasible
        f_lo, f_hi, side = math.inf, -math.inf, 0  # G's surplus at t_lo and `proven`: Illinois steps when finite
        for step in range(100):
            if proven - t_lo <= 1e-13 * max(1.0, abs(t_lo)):
                break
            probe = 0.5 * (t_lo + proven)
            if step == 0 and s_lo == s_hi:  # G may have room to spare at the caps' limit
                probe = proven
            elif math.isfinite(f_lo) and math.isfinite(f_hi) and f_lo > f_hi:
                guess = t_lo + f_lo * (proven - t_lo) / (f_lo - f_hi)
                probe = guess if t_lo < guess < proven else probe
            cap = self._cap(a, d[1:] + probe * s[1:])
            out = None if cap is None else separable(dom, dom.g, dom.g1, dom.g2, cap, s_lo, s_hi, best_x)
            need = d[0] + probe * s[0] - psi
            if out is None or out.delta is None or out.bound < need:
                proven, f_hi = probe, (-math.inf if out is None or out.delta is None else out.bound - need)
                f_lo, side = (0.5 * f_lo if side == -1 else f_lo), -1
                continue
            achieved = float(np.sum(dom.g(out.delta)))
            inside = s_lo * (1 - 1e-12) <= float(np.sum(dom.r * out.delta)) <= s_hi * (1 + 1e-12)
            if inside and achieved >= need - 1e-13 * max(1.0, abs(need)):
                t_lo, best_x, f_lo = probe, out.delta, out.bound - need
                f_hi, side = (0.5 * f_hi if side == 1 else f_hi), 1
            else:  # neither proved nor achieved (at the precision of the dual): stop with the proven bound
                break
        return Separable(proven, best_x)


# ------------------------------------------------------------------------------------------------ the search
@dataclass
class SearchResult:
    delta: tuple[float, ...]
    value: float
    bound: float
    gap: float
    nodes: int
    certified: bool
    reason: str = ""
    ideal: tuple[float, ...] | None = None
    #: False when the searched regime (every specialist takes part) may not hold the optimum
    covers_optimum: bool = True


def branch_and_bound(problem: Problem, *, tolerance: float = TOLERANCE, max_nodes: int = MAX_NODES,
                     initial: int = 4, polish: bool = True) -> SearchResult:
    """Best-first branch and bound over S ∈ [0, Σ r_i]: stops when no interval's bound exceeds the incumbent by
    more than the tolerance (relative to max(1, |value|); absolute for Nash).  ``polish``: sharpen δ where the
    optimum is flat (not needed when only the value is wanted)."""
    s_max = float(np.sum(problem.dom.r))
    best_value, best_delta, best_node = -math.inf, None, None
    heap: list[tuple[float, float, float, int]] = []
    counter = 0
    starts: dict[int, Separable] = {}

    def tol(v: float) -> float:
        return tolerance * (1.0 if problem.solution == "nash" or not math.isfinite(v) else max(1.0, abs(v)))

    def visit(lo: float, hi: float, start) -> None:
        nonlocal best_value, best_delta, best_node, counter
        out = problem.node(lo, hi, start, best_value + tol(best_value))
        counter += 1
        if out.delta is not None:
            value = problem.evaluate(out.delta)
            if value > best_value:
                best_value, best_delta, best_node = value, out.delta, out
        if out.bound > -math.inf:
            starts[counter] = out
            heapq.heappush(heap, (-out.bound, lo, hi, counter))

    edges = np.linspace(0.0, s_max, initial + 1)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        visit(float(lo), float(hi), None)
    top = -math.inf
    certified = True
    while heap:
        neg, lo, hi, key = heap[0]
        top = -neg
        if top <= best_value + tol(best_value):
            break
        if counter >= max_nodes or hi - lo <= 1e-15 * max(1.0, s_max):
            certified = counter < max_nodes and top <= best_value + 1e3 * tol(best_value)
            break
        heapq.heappop(heap)
        start = starts.pop(key, None)
        mid = 0.5 * (lo + hi)
        visit(lo, mid, start)
        visit(mid, hi, start)
    bound = max(top, best_value) if heap else best_value
    if best_delta is None:
        return SearchResult((), -math.inf, bound, math.inf, counter, False, "no feasible bargain found")
    if polish and bound - best_value > 1e-12 * max(1.0, abs(best_value)):  # the value is proved; sharpen δ
        best_delta, best_value = _polish(problem, best_node, best_value)
    gap = max(bound - best_value, 0.0)
    reason = "" if certified else (f"branch and bound over S stopped after {counter} nodes with a gap of {gap:.3g}")
    return SearchResult(tuple(np.clip(best_delta, 0.0, 1.0).tolist()), best_value, bound, gap, counter, certified,
                        reason)


def _polish(problem: Problem, seed: Separable, value: float) -> tuple[np.ndarray, float]:
    """Golden-section search of the exact fixed-S optimum V(S) near the incumbent's S (the branch and bound only
    guarantees the value to its tolerance, which on a flat optimum leaves δ accurate to about its square root)."""
    s_max = float(np.sum(problem.dom.r))
    delta = seed.delta
    s0 = float(np.sum(problem.dom.r * delta))
    h = 1e-3 * s_max
    lo, hi = max(0.0, s0 - h), min(s_max, s0 + h)
    cache: dict[float, tuple[float, np.ndarray | None]] = {}

    def v(s: float) -> float:
        if s not in cache:
            out = problem.node(s, s, seed)
            cache[s] = (problem.evaluate(out.delta), out.delta) if out.delta is not None else (-math.inf, None)
        return cache[s][0]

    ratio = (math.sqrt(5) - 1) / 2
    x1, x2 = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    for _ in range(48):
        if v(x1) >= v(x2):
            hi, x2 = x2, x1
            x1 = hi - ratio * (hi - lo)
        else:
            lo, x1 = x1, x2
            x2 = lo + ratio * (hi - lo)
        if hi - lo <= 1e-13 * max(1.0, s_max):
            break
    for s, (val, x) in cache.items():
        del s
        if x is not None and val > value:
            value, delta = val, x
    return delta, value


def specialist_ideals(problem: Problem, tolerance: float = 1e-12) -> tuple[np.ndarray, float]:
    """max over δ of each U_Di (no entry decisions): the others' shares at 1 maximize S, so it is the
    one-dimensional max over x = δ_i of (1 − x) r_i A(R − r_i (1 − x)) + h_i(x), found for every i at once by
    branch and bound on x with monotone interval bounds.  Returns the ideals and the largest gap left."""
    dom = problem.dom
    n = problem.game.n
    total = float(np.sum(dom.r))

    def at(idx: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """U_Di with own share x and S from share y (U_Di decreases in x, increases in y)."""
        r = dom.r[idx]
        s = total - r * (1.0 - y)
        alpha = (np.maximum(s, 0.0) / (dom.k0 * dom.c0)) ** (1.0 / (dom.k0 - 1.0))
        m = (1.0 - x) * r
        return m * alpha + (1.0 - 1.0 / dom.k[idx]) * dom.K[idx] * m ** (1.0 + dom.p[idx]) - dom.F[idx]

    cells = 64
    idx = np.repeat(np.arange(n), cells)
    lo = np.tile(np.arange(cells) / cells, n)
    hi = lo + 1.0 / cells
    best = np.full(n, -np.inf)
    gap = math.inf
    for _ in range(200):
        for x in (lo, hi, 0.5 * (lo + hi)):
            np.maximum.at(best, idx, at(idx, x, x))
        upper = at(idx, lo, hi)
        keep = upper > best[idx] + tolerance * np.maximum(1.0, np.abs(best[idx]))
        gap = float(np.max(upper - best[idx])) if upper.size else 0.0
        if not keep.any():
            break
        idx, lo, hi = idx[keep], lo[keep], hi[keep]
        mid = 0.5 * (lo + hi)
        idx, lo, hi = np.concatenate([idx, idx]), np.concatenate([lo, mid]), np.concatenate([mid, hi])
    return best, max(gap, 0.0)


def solve(game: FineTuningGame, solution: str, weights: Sequence[float], disagreement: Sequence[float], *,
          tolerance: float = TOLERANCE, max_nodes: int = MAX_NODES) -> SearchResult:
    """The certified bargain (call :func:`why_not` first: the caller decides what to do where it does not apply)."""
    w = np.asarray(weights, dtype=float)
    d = np.asarray(disagreement, dtype=float)
    ideal = None
    if solution == "kalai_smorodinsky":
        g_best = branch_and_bound(Problem(game, "generalist_optimal", w, d), tolerance=tolerance / 10,
                                  max_nodes=max_nodes, polish=False)
        d_best, d_gap = specialist_ideals(Problem(game, "utilitarian", w, d))
        ideal = np.concatenate([[g_best.value], d_best])
        result = branch_and_bound(Problem(game, solution, w, d, ideal), tolerance=tolerance, max_nodes=max_nodes)
        result.ideal = tuple(ideal.tolist())
        if not g_best.certified:
            result.certified = False
            result.reason = f"G's ideal point: {g_best.reason}"
        return result
    result = branch_and_bound(Problem(game, solution, w, d), tolerance=tolerance, max_nodes=max_nodes)
    if solution == "egalitarian" and game.has_entry_decisions and result.delta and result.value <= 0:
        # the regime argument needs a positive optimum: with none, an outcome where a specialist abstains (its gain
        # its outside option minus d_i, at most 0) may beat every outcome where all take part
        result.certified, result.covers_optimum = False, False
        result.reason = ("entry costs: the best bargain where every specialist takes part leaves someone no gain "
                         f"(min gain {result.value:.6g}), so outcomes where a specialist abstains, which the search "
                         "does not cover, may be better")
    return result
