"""The subgame-perfect equilibrium at many shares δ at once for power revenue r_i(α) = r_i·α^ρ_i (ρ_i ≤ 1).

The same method as :func:`ftgames.formulations.equilibrium.leader.exact_leader` (which loops in Python, one δ and one
α0 at a time), evaluated for a whole batch of δ with numpy:

* **Followers.**  D_i's increment Δ_i(α0) solves (1 − δ_i) r_i'(α0 + Δ) = φ_i'(Δ) (Δ = 0 when
  (1 − δ_i) r_i'(α0) ≤ φ_i'(0) = b_i).  In u = ln Δ the condition
  h(u) = ln((1 − δ_i) ρ_i r_i) + (ρ_i − 1) ln(α0 + e^u) − ln(k_i c_i e^{(k_i − 1)u} + b_i) = 0 is concave and
  decreasing, so Newton's method started at an upper bound of the root (or clipped to it) converges monotonically;
  it stops at the root to about 1e-15 relative (the scalar bisection stops at 1e-15 absolute).  Linear columns
  (ρ_i = 1) take the closed form.
* **Participation thresholds.**  D_i's surplus U_i(α0) − o_i is concave and increasing in α0 with slope
  (1 − δ_i) r_i'(α0 + Δ_i) (the envelope theorem), so Newton's method from α0 = 0 converges from below to the α0
  where D_i starts taking part (utility ≥ outside option − 1e-12, as in ``follower_response``).
* **G's investment.**  The thresholds split [0, ᾱ] into pieces with a fixed participation set; on each piece G's
  value is evaluated on the same 201-point grid as ``exact_leader`` and the best grid point's bracket
  [grid[j − 1], grid[j + 1]] is refined: where ``exact_leader`` runs Brent's method on G's value (which locates a
  flat maximum to about √ε relative), this finds the root of G's marginal value
  Σ_{i takes part} δ_i r_i'(α_i)(1 + Δ_i'(α0)) − φ0'(α0), with 1 + Δ_i' = φ_i''/(φ_i'' − (1 − δ_i) r_i''), by the
  Illinois method.  The candidates (best grid point, refined point, the piece's left end) are compared by G's value
  in the same order as ``exact_leader``.

So the answer at each δ is the one ``exact_leader`` gives, with G's investment located more precisely (the tests
compare the two on random games).  Like ``exact_leader`` it is a local method on each grid bracket: G's value
need not be concave, and a second maximum within 1/200 of a piece of the best grid point could be missed by both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...models.fine_tuning import FineTuningGame, SpecialistArrays

#: Participation ties: D_i takes part when its surplus is at least −PARTICIPATION_TOL (as in follower_response).
PARTICIPATION_TOL = 1e-12
#: Grid points per piece of G's investment (as exact_leader).
GRID = 201
_MAX_NEWTON = 200
_MAX_ITERATIONS = 200


@dataclass(frozen=True)
class LeaderBatch:
    """G's optimum at each row of δ (shape (N, n)) with every follower's best response at it."""

    delta: np.ndarray
    alpha0: np.ndarray  # (N,) G's investment (the optimum, also where G does not take part)
    value: np.ndarray  # (N,) G's value at alpha0
    increment: np.ndarray  # (N, n) Δ_i at alpha0
    participates: np.ndarray  # (N, n) D_i takes part at alpha0
    generalist_participates: np.ndarray  # (N,) value ≥ G's outside option − 1e-12
    pieces: np.ndarray  # (N,) participation sets examined


# ---------------------------------------------------------------------------------------------------- followers
def increments(a: SpecialistArrays, share: np.ndarray, alpha0: np.ndarray,
               start: np.ndarray | None = None) -> np.ndarray:
    """Δ_i at shares kept ``share`` = 1 − δ (shape (..., n)) and G's investment ``alpha0`` (broadcast to it).
    ``start``: earlier increments to warm-start Newton's method from (any value: it is clipped to the bound)."""
    share, alpha0 = np.broadcast_arrays(np.asarray(share, dtype=float), np.asarray(alpha0, dtype=float))
    k, c, b = a.exponent, a.cost, a.marginal_cost
    r, rho = a.revenue, a.revenue_power
    k, c, b, r, rho = (np.broadcast_to(v, share.shape) for v in (k, c, b, r, rho))
    out = np.zeros(share.shape)
    linear = rho == 1.0
    if linear.any():
        m = np.maximum(share * r - b, 0.0)
        out = np.where(linear, (m / (k * c)) ** (1.0 / (k - 1.0)), out)
    slope0 = np.where(alpha0 > 0, r * rho * np.maximum(alpha0, 1e-300) ** (rho - 1.0), np.inf)
    with np.errstate(invalid="ignore"):  # 0 · ∞ where nothing is kept: not active either way
        active = ~linear & (share > 0) & (share * slope0 > b)
    if not active.any():
        return out
    s, x0, k, c, b, r, rho = (v[active] for v in (share, alpha0, k, c, b, r, rho))
    coef = s * rho * r
    kc = k * c
    with np.errstate(divide="ignore", over="ignore"):
        # ignoring b and bounding (α0 + Δ)^(ρ − 1) by Δ^(ρ − 1) and by α0^(ρ − 1): two upper bounds on the root
        upper = np.minimum((coef / kc) ** (1.0 / (k - rho)),
                           np.where(x0 > 0, (coef * np.maximum(x0, 1e-300) ** (rho - 1.0) / kc) ** (1.0 / (k - 1.0)),
                                    np.inf))
    u_hi = np.log(upper)
    u = u_hi.copy()
    if start is not None:
        guess = np.broadcast_to(np.asarray(start, dtype=float), share.shape)[active]
        with np.errstate(divide="ignore"):
            u = np.minimum(np.where(guess > 0, np.log(np.maximum(guess, 1e-300)), u_hi), u_hi)
    log_coef = np.log(coef)
    for _ in range(_MAX_NEWTON):
        e = np.exp(u)
        ek = kc * np.exp((k - 1.0) * u)
        h = log_coef + (rho - 1.0) * np.log(x0 + e) - np.log(ek + b)
        dh = (rho - 1.0) * e / (x0 + e) - (k - 1.0) * ek / (ek + b)
        new = np.minimum(u - h / dh, u_hi)
        # converged, or the residual (a log-ratio: the first-order condition's relative error) is rounding noise
        done = (np.abs(new - u) <= 1e-15 * np.maximum(1.0, np.abs(u))) | (np.abs(h) <= 1e-15)
        u = new
        if done.all():
            break
    out[active] = np.exp(u)
    return out


def _surplus(a: SpecialistArrays, share: np.ndarray, alpha0: np.ndarray, inc: np.ndarray) -> np.ndarray:
    """U_i − o_i at α0 with increment Δ_i (participation: surplus ≥ −PARTICIPATION_TOL)."""
    alpha = np.maximum(alpha0 + inc, 0.0)
    return (share * a.revenue * alpha ** a.revenue_power - a.cost * inc ** a.exponent - a.marginal_cost * inc
            - a.entry_cost - a.outside_option)


def _revenue_slope(a: SpecialistArrays, alpha: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(alpha > 0, a.revenue * a.revenue_power * np.maximum(alpha, 1e-300) ** (a.revenue_power - 1.0),
                        np.where(a.revenue_power == 1.0, a.revenue, np.inf))


def thresholds(game: FineTuningGame, delta: np.ndarray, upper: float) -> np.ndarray:
    """(N, n): the least α0 at which D_i takes part (0 if it does at α0 = 0, ∞ if not even at ``upper``)."""
    a = game.arrays()
    share = 1.0 - delta
    zero = np.zeros_like(delta)
    inc0 = increments(a, share, zero)
    s0 = _surplus(a, share, zero, inc0) + PARTICIPATION_TOL
    top = np.full_like(delta, upper)
    s_top = _surplus(a, share, top, increments(a, share, top)) + PARTICIPATION_TOL
    out = np.where(s0 >= 0, 0.0, np.where(s_top >= 0, np.nan, np.inf))
    todo = np.isnan(out)
    if not todo.any():
        return out
    rows, cols = np.nonzero(todo)
    sub = _columns(a, cols)
    s = share[rows, cols]
    x = np.zeros(len(rows))
    inc = inc0[rows, cols]
    for _ in range(_MAX_NEWTON):  # concave increasing surplus, from below: monotone
        value = _surplus(sub, s, x, inc) + PARTICIPATION_TOL
        slope = s * _revenue_slope(sub, x + inc)
        step = np.where(value < 0, -value / slope, 0.0)
        new = np.minimum(x + step, upper)
        done = (value >= 0) | (new - x <= 1e-15 * np.maximum(new, 1e-300))
        x = new
        inc = increments(sub, s, x, start=inc)
        if done.all():
            break
    # the scalar bisection returns the participating side of the crossing: step up to it
    gap = np.spacing(np.maximum(x, 1e-300))
    for _ in range(64):
        bad = _surplus(sub, s, x, inc) + PARTICIPATION_TOL < 0
        if not bad.any():
            break
        x = np.where(bad, np.minimum(x + gap, upper), x)
        inc = increments(sub, s, x, start=inc)
        gap *= 2.0
    out[rows, cols] = x
    return out


def _columns(a: SpecialistArrays, cols: np.ndarray) -> SpecialistArrays:
    """The specialists' parameters picked per element (``cols``: the specialist of each element)."""
    return SpecialistArrays(a.cost[cols], a.exponent[cols], a.marginal_cost[cols], a.revenue[cols],
                            a.revenue_power[cols], a.entry_cost[cols], a.outside_option[cols], a.c0, a.k0,
                            a.outside_option_generalist)


# ---------------------------------------------------------------------------------------------------- the leader
def _value(a: SpecialistArrays, delta: np.ndarray, threshold: np.ndarray, alpha0: np.ndarray,
           start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """G's value at α0 (shape (...)) with every follower's best response; δ and the participation thresholds
    broadcast as (..., n).  D_i takes part iff α0 ≥ its threshold (its surplus is increasing in α0), so that the
    participation of a point at a threshold does not depend on the last digit of a re-solved increment."""
    share = 1.0 - delta
    x = alpha0[..., None]
    inc = increments(a, share, x, start)
    part = x >= threshold
    income = np.where(part, delta * a.revenue * np.maximum(x + inc, 0.0) ** a.revenue_power, 0.0).sum(axis=-1)
    return income - a.c0 * alpha0 ** a.k0, inc, part


def _marginal(a: SpecialistArrays, delta: np.ndarray, members: np.ndarray, alpha0: np.ndarray,
              inc: np.ndarray) -> np.ndarray:
    """dV/dα0 on a piece whose participation set is ``members``: Σ δ_i r_i'(α_i)(1 + Δ_i') − φ0'(α0)."""
    share = 1.0 - delta
    x = alpha0[..., None]
    alpha = x + inc
    slope = _revenue_slope(a, alpha)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        bend = a.revenue * a.revenue_power * (1.0 - a.revenue_power) * np.maximum(alpha, 1e-300) ** (
            a.revenue_power - 2.0)  # −r''(α) ≥ 0
        curve = a.cost * a.exponent * (a.exponent - 1.0) * np.maximum(inc, 1e-300) ** (a.exponent - 2.0)  # φ''(Δ)
        carry = np.where(inc > 0, 1.0 / (1.0 + share * bend / curve), 1.0)  # 1 + Δ_i'
        terms = np.where(members & (delta > 0), delta * slope * carry, 0.0)
    return terms.sum(axis=-1) - a.c0 * a.k0 * alpha0 ** (a.k0 - 1.0)


def _refine(a: SpecialistArrays, delta: np.ndarray, threshold: np.ndarray, members: np.ndarray, lo: np.ndarray,
            mid: np.ndarray, hi: np.ndarray, start: np.ndarray) -> np.ndarray:
    """A local maximum of G's value on each bracket [lo, hi] around the best grid point ``mid`` (rows of δ, the
    thresholds and the piece's members): where G's marginal value changes sign from + to − between ``mid`` and the
    side it increases towards, its root by the Illinois method; where it does not (a follower's corner, Δ_i
    reaching 0, bends the marginal value upwards), golden-section search on G's value over that side, as Brent's
    method would; ``mid`` itself where the value decreases on both sides (or jumps up at ``mid``, the piece's right
    end, where a new participant joins)."""
    share = 1.0 - delta
    f = [_marginal(a, delta, members, x, increments(a, share, x[:, None], start)) for x in (lo, mid, hi)]
    f_lo, f_mid, f_hi = f
    out = mid.copy()
    go_left = (f_mid < 0) & (mid > lo)
    go_right = (f_mid > 0) & (hi > mid)
    left = np.where(go_left, lo, mid)
    right = np.where(go_left, mid, hi)
    sign_change = (go_left & (f_lo > 0)) | (go_right & (f_hi < 0))
    if sign_change.any():
        g_lo = np.where(go_left, f_lo, f_mid)[sign_change]
        g_hi = np.where(go_left, f_mid, f_hi)[sign_change]
        out[sign_change] = _illinois(a, delta[sign_change], members[sign_change], left[sign_change],
                                     right[sign_change], g_lo, g_hi, start[sign_change])
    # at a piece's right end a new participant joins: G's value jumps up there, so it cannot rise to the left
    jump = np.any((threshold <= mid[:, None]) & ~members, axis=1)
    fallback = ((go_left & ~jump) | go_right) & ~sign_change
    if fallback.any():
        out[fallback] = _golden(a, delta[fallback], threshold[fallback], left[fallback], right[fallback],
                                start[fallback])
    return out


def _illinois(a: SpecialistArrays, delta: np.ndarray, members: np.ndarray, x_lo: np.ndarray, x_hi: np.ndarray,
              g_lo: np.ndarray, g_hi: np.ndarray, inc: np.ndarray) -> np.ndarray:
    """The root of G's marginal value in [x_lo, x_hi] (g_lo > 0 > g_hi there), bracketed."""
    side = np.zeros(len(delta))  # +1: the last update moved x_lo, −1: x_hi (Illinois halves the stale end's value)
    x = 0.5 * (x_lo + x_hi)
    for _ in range(_MAX_ITERATIONS):
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            guess = (x_lo * g_hi - x_hi * g_lo) / (g_hi - g_lo)
        ok = np.isfinite(guess) & (guess > x_lo) & (guess < x_hi)
        x = np.where(ok, guess, 0.5 * (x_lo + x_hi))
        inc = increments(a, 1.0 - delta, x[:, None], inc)
        f = _marginal(a, delta, members, x, inc)
        up = f > 0
        g_hi = np.where(up & (side > 0), 0.5 * g_hi, g_hi)
        g_lo = np.where(~up & (side < 0), 0.5 * g_lo, g_lo)
        x_lo, g_lo = np.where(up, x, x_lo), np.where(up, f, g_lo)
        x_hi, g_hi = np.where(up, x_hi, x), np.where(up, g_hi, f)
        side = np.where(up, 1.0, -1.0)
        if np.all((x_hi - x_lo <= 4e-16 * np.maximum(1.0, x_hi)) | (f == 0)):
            break
    return x


def _golden(a: SpecialistArrays, delta: np.ndarray, threshold: np.ndarray, x_lo: np.ndarray, x_hi: np.ndarray,
            inc: np.ndarray) -> np.ndarray:
    """A local maximum of G's value on [x_lo, x_hi] by golden-section search (to √ε relative, like Brent's)."""
    ratio = 0.5 * (np.sqrt(5.0) - 1.0)

    def value(x: np.ndarray) -> np.ndarray:
        return _value(a, delta, threshold, x, inc)[0]

    c = x_hi - ratio * (x_hi - x_lo)
    d = x_lo + ratio * (x_hi - x_lo)
    fc, fd = value(c), value(d)
    for _ in range(_MAX_ITERATIONS):
        keep_left = fc >= fd  # the maximum is in [x_lo, d]
        x_hi = np.where(keep_left, d, x_hi)
        x_lo = np.where(keep_left, x_lo, c)
        new = np.where(keep_left, x_hi - ratio * (x_hi - x_lo), x_lo + ratio * (x_hi - x_lo))
        f_new = value(new)
        c, d, fc, fd = (np.where(keep_left, new, d), np.where(keep_left, c, new),
                        np.where(keep_left, f_new, fd), np.where(keep_left, fc, f_new))
        if np.all(x_hi - x_lo <= 1e-9 * np.maximum(1.0, x_hi)):
            break
    return np.where(fc >= fd, c, d)


def leader_batch(game: FineTuningGame, delta: np.ndarray) -> LeaderBatch:
    """G's optimum at every row of δ (shape (N, n)), as :func:`~.leader.exact_leader` computes it one row at a
    time (see the module's docstring)."""
    delta = np.atleast_2d(np.asarray(delta, dtype=float))
    a = game.arrays()
    n_rows, n = delta.shape
    if n_rows == 0:
        empty = np.zeros(0)
        return LeaderBatch(delta, empty, empty, np.zeros((0, n)), np.zeros((0, n), dtype=bool),
                           np.zeros(0, dtype=bool), np.zeros(0, dtype=int))
    upper = game.scale_hint()
    t = thresholds(game, delta, upper)
    # the pieces of [0, upper] between distinct thresholds, each with the specialists whose threshold is ≤ its left end
    piece_row, piece_lo, piece_hi = [], [], []
    counts = np.zeros(n_rows, dtype=int)
    for row in range(n_rows):
        breaks = sorted({0.0, *[float(v) for v in t[row] if np.isfinite(v) and v < upper]})
        bounds = [*breaks, upper]
        counts[row] = len(bounds) - 1
        piece_row += [row] * counts[row]
        piece_lo += bounds[:-1]
        piece_hi += bounds[1:]
    rows = np.array(piece_row, dtype=int)
    lo, hi = np.array(piece_lo), np.array(piece_hi)
    members = t[rows] <= lo[:, None]
    d = delta[rows]
    grid = lo[:, None] + (hi - lo)[:, None] * np.linspace(0.0, 1.0, GRID)[None, :]
    grid[:, -1] = hi  # as np.linspace(lo, hi, 201)
    values, grid_inc, _ = _value(a, d[:, None, :], t[rows][:, None, :], grid)
    j = np.argmax(values, axis=1)
    pick = np.arange(len(rows))
    best_grid = grid[pick, j]
    a_lo = grid[pick, np.maximum(j - 1, 0)]
    a_hi = grid[pick, np.minimum(j + 1, GRID - 1)]
    refined = _refine(a, d, t[rows], members, a_lo, best_grid, a_hi, grid_inc[pick, j])
    refined = np.where(a_hi - a_lo > 0, refined, best_grid)
    # candidates in exact_leader's order (piece by piece: best grid point, refined point, left end); first best wins
    cand = np.stack([best_grid, refined, lo], axis=1)
    cand_values, _, _ = _value(a, d[:, None, :], t[rows][:, None, :], cand, grid_inc[pick, j][:, None, :])
    cand_values[:, 0] = values[pick, j]
    # one row per δ, the candidates of its pieces side by side (−∞ where a row has fewer pieces)
    slot = pick - np.searchsorted(rows, rows)  # the piece's index within its row (rows are in order)
    width = 3 * int(counts.max())
    table = np.full((n_rows, width), -np.inf)
    points = np.zeros((n_rows, width))
    for c in range(3):
        table[rows, 3 * slot + c] = cand_values[:, c]
        points[rows, 3 * slot + c] = cand[:, c]
    alpha0 = points[np.arange(n_rows), np.argmax(table, axis=1)]
    value, inc, part = _value(a, delta, t, alpha0)
    return LeaderBatch(delta, alpha0, value, inc, part, value >= a.outside_option_generalist - PARTICIPATION_TOL,
                       counts)
