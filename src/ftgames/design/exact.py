"""Formulation (a), exact equilibria: locate the best rule on a coarse grid of the regulation box with the game's
batched exact solver, then refine around the best cells by nested grids (zooming into a cell, including cells that
straddle a regime boundary, where the objective jumps), a direction poll (which follows ridges and thin feasible
bands that the grids' few directions cannot) and a bisection towards regime boundaries.

Every evaluated rule is an exact equilibrium (the batched enumeration of the safety game, the exact regime
comparison of the openness game), so the returned rule is *attained*: its reported objective is the objective of
the true equilibrium at that rule.  What is not proved by this search alone is that no better rule hides between
grid points: the equilibrium map is piecewise (regimes) and jumps at regime boundaries, and no bound on the
objective between grid points is derived here.  The certificate is therefore ``local`` with that reason, unless a
second formulation (:mod:`ftgames.design.program`) proves an upper bound that the search attains.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .expression import DesignError
from .games import Evaluator
from .problem import DesignProblem

#: Coarse grid values per continuous variable, by number of continuous variables (fixed shares / bargained δ, whose
#: every rule costs 98 equilibria / openness, one exact regime comparison per rule).
COARSE = {"fast": {1: 2001, 2: 201, 3: 41, 4: 15}, "medium": {1: 1001, 2: 81, 3: 21, 4: 9},
          "slow": {1: 401, 2: 41, 3: 13, 4: 7}}
#: Refinement: values per axis of each nested grid, candidate cells refined, relative cell width at which to stop.
ZOOM_POINTS = {"fast": 9, "medium": 7, "slow": 5}
CANDIDATES = {"fast": 4, "medium": 3, "slow": 2}
XTOL = 1e-9
MAX_LEVELS = 40
#: Direction poll after the nested grids: random unit directions per poll, and rules tried per candidate cell (by
#: speed; with three or more specialists, 6^|S| cases per rule, and a bargained openness game, a search over δ per
#: rule, get the last two).
POLL_DIRECTIONS = 32
POLL_BUDGET = {"fast": 30_000, "medium": 6_000, "slow": 6_000, "three or more specialists": 3_000,
               "bargained openness": 300}
#: Largest coarse grid (rules), by speed: a bigger one is refused before anything is solved.
MAX_COARSE = {"fast": 2_000_000, "medium": 200_000, "slow": 50_000}


@dataclass
class Explored:
    """The objective on the coarse grid (``objective``: NaN where the rule is infeasible or undefined)."""

    keys: list[str]
    axes: list[list[Any]]
    objective: np.ndarray
    feasible: np.ndarray
    labels: np.ndarray


@dataclass
class SearchResult:
    point: dict[str, Any] | None
    value: float
    fields: dict[str, float]
    label: str
    certified_equilibria: bool
    explored: Explored
    evaluations: int
    levels: int
    cell_width: dict[str, float]
    boundary: dict[str, Any]
    checks: dict[str, Any] = field(default_factory=dict)


def speed(problem: DesignProblem) -> str:
    """``fast``: the batched enumeration of a one-specialist safety game at fixed δ (~20,000 rules per second);
    ``medium``: the openness game at fixed δ (~1,000 rules per second); ``slow``: bargaining (98 equilibria per
    rule for the safety game, a search over δ for the openness game) and several specialists (6^|S| cases)."""
    if problem.bargaining == "fixed" and problem.game == "safety_regulation" and problem.n == 1:
        return "fast"
    if problem.bargaining == "fixed" and problem.game == "openness_regulation":
        return "medium"
    return "slow"


def poll_budget(problem: DesignProblem) -> int:
    """Rules the direction poll may try per candidate cell (about 1-10 s of equilibria, by game)."""
    if problem.game == "openness_regulation" and problem.bargaining != "fixed":
        return POLL_BUDGET["bargained openness"]
    if problem.n >= 3:
        return POLL_BUDGET["three or more specialists"]
    return POLL_BUDGET[speed(problem)]


def score(problem: DesignProblem, names: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(objective, feasible, score): score is the objective to maximize (−objective when minimizing), −inf where a
    constraint fails or the objective is undefined."""
    value = np.asarray(problem.objective.evaluate(names), float)
    size = max(len(next(iter(names.values()))), 1)
    value = np.broadcast_to(value, (size,)).astype(float)
    feasible = np.ones(size, dtype=bool)
    for c in problem.constraints:
        feasible &= np.broadcast_to(np.asarray(c.evaluate(names), bool), (size,))
    signed = value if problem.sense == "maximize" else -value
    good = feasible & np.isfinite(value)
    return value, feasible, np.where(good, signed, -np.inf)


class Search:
    """Evaluate points (dicts of variable values) through the evaluator, keeping every result."""

    def __init__(self, problem: DesignProblem, evaluator: Evaluator) -> None:
        self.problem = problem
        self.evaluator = evaluator

    def run(self, points: list[dict[str, Any]]) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
        fields = self.evaluator(points)
        cols = {v.key: np.array([p[v.key] for p in points], dtype=float) for v in self.problem.variables}
        names = self.problem.names(cols, fields)
        value, feasible, s = score(self.problem, names)
        return fields, value, feasible, s


def _points(keys: list[str], grids: list[np.ndarray]) -> list[dict[str, Any]]:
    out = []
    for combo in itertools.product(*grids):
        out.append({k: (bool(v) if isinstance(v, bool | np.bool_) else float(v)) for k, v in zip(keys, combo,
                                                                                                   strict=True)})
    return out


def edge_polish(search: Search, problem: DesignProblem, point: dict[str, Any], best: float,
                targets: list[dict[str, Any]], iterations: int = 60) -> tuple[dict[str, Any], float, int]:
    """Bisection from ``point`` towards each target along the segment between them, moving to the midpoint while it
    is at least as good (an objective that rises up to a regime boundary and then jumps down is pushed to the
    boundary).  All segments advance together, one batched evaluation per step.  Returns (point, score, evaluations).
    """
    cont = [v.key for v in problem.continuous]
    if not targets or not cont:
        return point, best, 0
    goods = [dict(point) for _ in targets]
    bads = [dict(t) for t in targets]
    scores = [best] * len(targets)
    evaluations = 0
    for _ in range(iterations):
        mids = [{**g, **{k: 0.5 * (g[k] + b[k]) for k in cont}} for g, b in zip(goods, bads, strict=True)]
        _, _, _, sc = search.run(mids)
        evaluations += len(mids)
        for j, m in enumerate(mids):
            if sc[j] >= scores[j]:
                goods[j], scores[j] = m, float(sc[j])
            else:
                bads[j] = m
    j = int(np.argmax(scores))
    if scores[j] > best:
        return goods[j], scores[j], evaluations
    return point, best, evaluations


def direction_poll(search: Search, problem: DesignProblem, point: dict[str, Any], best: float, step: float,
                   budget: int, seed: int = 0, stop_at: float | None = None) -> tuple[dict[str, Any], float, int]:
    """A mesh-adaptive direct search from ``point`` (scores, higher is better): poll the axes, random directions
    and the directions of the last moves (with small perturbations, also at 4 × the step) at ``step`` (a fraction
    of each range); move to the best improving rule and double the step (up to ``step``), else halve it.

    The nested grids move along a few fixed directions only, so they stall on a ridge (a kink such as
    min(U_G, U_D)) or in a thin feasible band along a constraint; the directions of the last moves follow such a
    ridge, and the random directions find the narrow cone of improving directions there.  Returns (point, score,
    evaluations)."""
    cont = problem.continuous
    d = len(cont)
    if not cont or not np.isfinite(best):
        return point, best, 0
    rng = np.random.default_rng(seed)
    lower = np.array([v.lower for v in cont])
    span = np.array([v.upper - v.lower for v in cont])
    u = (np.array([point[v.key] for v in cont]) - lower) / span
    history = [u]
    axes = np.vstack([np.eye(d), -np.eye(d)])
    evaluations = 0
    size = step
    while size > XTOL and evaluations < budget and (stop_at is None or best < stop_at):
        directions = [axes]
        if d > 1:
            random = rng.normal(size=(POLL_DIRECTIONS, d))
            directions.append(random / np.linalg.norm(random, axis=1, keepdims=True))
        secants = []
        for back in (1, 2, 4, 8):
            if len(history) > back and np.any(history[-1] != history[-1 - back]):
                s = history[-1] - history[-1 - back]
                s = s / np.linalg.norm(s)
                secants.append(s[None, :])
                if d > 1:
                    spread = np.repeat([0.003, 0.01, 0.03, 0.1], 2)[:, None]
                    bent = s + rng.normal(size=(len(spread), d)) * spread
                    secants.append(bent / np.linalg.norm(bent, axis=1, keepdims=True))
        near = np.vstack(directions + secants) * size
        far = 4 * size * np.vstack(secants) if secants else np.empty((0, d))
        candidates = np.clip(u + np.vstack([near, far]), 0.0, 1.0)
        points = [{**point, **{v.key: float(lower[k] + span[k] * c[k]) for k, v in enumerate(cont)}}
                  for c in candidates]
        _, _, _, scores = search.run(points)
        evaluations += len(points)
        j = int(np.argmax(scores))
        if scores[j] > best:
            point, best, u = points[j], float(scores[j]), candidates[j]
            history.append(u)
            size = min(2 * size, step)
        else:
            size /= 2
    return point, best, evaluations


def snap_to_bounds(search: Search, problem: DesignProblem, point: dict[str, Any], best: float,
                   near: float = 1e-6) -> tuple[dict[str, Any], float, int]:
    """Each variable within ``near`` × its range of a bound moved onto the bound when that is not worse (up to
    rounding): a rule reads θG = 0, not 1.8e-9.  Returns (point, score, evaluations)."""
    snapped = dict(point)
    for v in problem.continuous:
        width = v.upper - v.lower
        for bound in (v.lower, v.upper):
            if 0 < abs(snapped[v.key] - bound) <= near * width:
                snapped[v.key] = bound
    if snapped == point:
        return point, best, 0
    _, _, _, scores = search.run([snapped])
    if scores[0] >= best - 1e-12 * (1 + abs(best)):
        return snapped, float(scores[0]), 1
    return point, best, 1


def solve_exact(problem: DesignProblem, evaluator: Evaluator, *, grid: int | None = None,
                refine: bool = True, seeds: list[dict[str, Any]] | None = None,
                stop_at: float | None = None) -> SearchResult:
    """``stop_at``: a score (the objective, negated when minimizing) at which the refinement stops — a proved bound
    less the certificate's tolerance, so that once a rule attains it nothing better exists.  The seeds are then
    refined first (the program's rule before the grid's best cells)."""
    mode = speed(problem)
    cont = problem.continuous
    search = Search(problem, evaluator)
    keys = [v.key for v in problem.variables]
    axes: list[np.ndarray] = []
    for v in problem.variables:
        if v.continuous:
            count = v.grid or grid or COARSE[mode][max(len(cont), 1)]
            axes.append(np.linspace(v.lower, v.upper, int(count)))
        else:
            axes.append(np.array(v.choices, dtype=object))
    size = int(np.prod([len(a) for a in axes], dtype=float))
    if size > MAX_COARSE[mode]:
        sizes = " × ".join(str(len(a)) for a in axes)
        raise DesignError(f"--grid / --vary: the coarse grid has {sizes} = {size:,} rules, at most "
                          f"{MAX_COARSE[mode]:,} for this problem; use fewer values per variable")
    points = _points(keys, axes)
    fields, value, feasible, s = search.run(points)
    shape = tuple(len(a) for a in axes)
    explored = Explored(keys, [a.tolist() for a in axes],
                        np.where(feasible & np.isfinite(value), value, np.nan).reshape(shape),
                        feasible.reshape(shape), fields["_label"].reshape(shape))
    evaluations = len(points)
    if not np.any(np.isfinite(s)):
        return SearchResult(None, math.nan, {}, "", False, explored, evaluations, 0, {}, {},
                            {"coarse_points": len(points), "feasible_points": 0})
    # candidate cells: the best grid points, at least two cells apart from each other
    order = np.argsort(-s, kind="stable")
    chosen: list[tuple[int, ...]] = []
    for flat in order:
        if not np.isfinite(s[flat]) or len(chosen) >= CANDIDATES[mode]:
            break
        idx = np.unravel_index(flat, shape)
        if all(max(abs(a - b) for a, b in zip(idx, c, strict=True)) > 2 for c in chosen):
            chosen.append(tuple(int(i) for i in idx))
    spacing = {v.key: (v.upper - v.lower) / (len(a) - 1) for v, a in zip(problem.variables, axes, strict=True)
               if v.continuous}
    best_point = points[int(order[0])]
    best_score = float(s[order[0]])
    levels_done = 0
    final_width = dict(spacing)
    m = ZOOM_POINTS[mode]
    # centres: the best grid cells (polished towards the first seed, the program's best rule), then each seed
    first = [dict(seeds[0])] if seeds else []
    centres: list[tuple[dict[str, Any], float, list[dict[str, Any]]]] = []
    for idx in chosen:
        centre = {k: axes[j][idx[j]] for j, k in enumerate(keys)}
        centre = {k: (bool(x) if isinstance(x, bool | np.bool_) else float(x)) for k, x in centre.items()}
        centres.append((centre, float(s[np.ravel_multi_index(idx, shape)]), first))
    unique_seeds = {tuple(round(float(p.get(v.key, 0.0)), 10) for v in cont): p for p in seeds or []}
    if unique_seeds:
        seed_points = [{**best_point, **{k: float(np.clip(p[k], v.lower, v.upper)) for v in cont
                                         for k in [v.key] if k in p}} for p in unique_seeds.values()]
        _, _, _, sc_seed = search.run(seed_points)
        evaluations += len(seed_points)
        seeded = [(q, float(x), [dict(q)]) for q, x in zip(seed_points, sc_seed, strict=True)]
        centres = seeded + centres if stop_at is not None else centres + seeded
    stopped = False
    polled: list[int] = []
    if refine and cont:
        coarse_step = max(spacing[v.key] / (v.upper - v.lower) for v in cont)  # the poll's largest step
        for centre, centre_score, polish_targets in centres:
            if stop_at is not None and best_score >= stop_at:
                stopped = True
                break
            half = dict(spacing)
            local_best = centre_score
            local_point = dict(centre)
            level = 0
            while level < MAX_LEVELS and max(half[v.key] / (v.upper - v.lower) for v in cont) > XTOL:
                level += 1
                grids = []
                for v in problem.variables:
                    if v.continuous:
                        c, h = local_point[v.key], half[v.key]
                        grids.append(np.unique(np.clip(np.linspace(c - h, c + h, m), v.lower, v.upper)))
                    else:
                        grids.append(np.array([local_point[v.key]], dtype=object))
                pts = _points(keys, grids)
                f, val, feas, sc = search.run(pts)
                evaluations += len(pts)
                j = int(np.argmax(sc))
                if sc[j] > local_best:
                    local_best, local_point = float(sc[j]), pts[j]
                half = {k: 2 * h / (m - 1) for k, h in half.items()}
            levels_done = max(levels_done, level)
            local_point, local_best, count = direction_poll(search, problem, local_point, local_best, coarse_step,
                                                            poll_budget(problem), seed=len(polled), stop_at=stop_at)
            polled.append(count)
            evaluations += count
            # an edge: the neighbours one final cell away in each direction, then the program's rules
            targets = []
            for v in cont:
                for sign in (-1, 1):
                    q = dict(local_point)
                    q[v.key] = float(np.clip(q[v.key] + sign * 4 * half[v.key], v.lower, v.upper))
                    targets.append(q)
            targets += [{**local_point, **{k: float(np.clip(t[k], v.lower, v.upper)) for v in cont
                                           for k in [v.key] if k in t}} for t in polish_targets]
            polished, polished_score, count = edge_polish(search, problem, local_point, local_best, targets)
            evaluations += count
            if polished_score > local_best:
                local_point, local_best = polished, polished_score
            if np.isfinite(local_best) and local_best > best_score:
                best_score, best_point = local_best, local_point
                final_width = dict(half)
    if cont and np.isfinite(best_score):
        best_point, best_score, count = snap_to_bounds(search, problem, best_point, best_score)
        evaluations += count
    # re-evaluate the returned rule on its own (the reported outcome is that of the exact equilibrium there), and
    # its neighbours at ±1e-7 of each range: different labels or a jump mean the optimum sits on a regime boundary
    near = [best_point]
    for v in cont:
        for sign in (-1, 1):
            q = dict(best_point)
            q[v.key] = float(np.clip(q[v.key] + sign * 1e-7 * (v.upper - v.lower), v.lower, v.upper))
            near.append(q)
    f, val, feas, sc = search.run(near)
    evaluations += len(near)
    value = float(val[0])
    labels = sorted(set(f["_label"].tolist()))
    finite = val[np.isfinite(val)]
    jump = float(np.max(np.abs(finite - value))) if finite.size else math.nan
    boundary = {"on_regime_boundary": bool(len(labels) > 1 or jump > 1e-4 * (1 + abs(value))),
                "on_constraint_boundary": bool(not np.all(feas)),
                "labels_nearby": labels, "largest_change_nearby": jump, "offset": 1e-7}
    check = {"coarse_points": len(points), "feasible_points": int(np.isfinite(s).sum()),
             "candidate_cells": len(chosen), "refinement_levels": levels_done, "poll_evaluations": sum(polled),
             "evaluations": evaluations,
             "stopped_at_bound": stopped,
             "reevaluated": bool(np.isfinite(sc[0]) and abs(float(sc[0]) - best_score) <= 1e-12 * (1 + abs(value)))}
    return SearchResult(best_point, value, {k: float(x[0]) for k, x in f.items() if not k.startswith("_")},
                        str(f["_label"][0]), bool(f["_certified"][0]), explored, evaluations, levels_done,
                        final_width, boundary, check)
