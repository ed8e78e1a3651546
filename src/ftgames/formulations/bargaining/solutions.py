"""Bargaining over δ: one entry point, ``bargain(game, solution, formulation=...)``, several formulations.

=====================  ====================================================================  =====================
formulation            what it solves                                                        optimality
=====================  ====================================================================  =====================
``conic`` (Nash:       CVXPY programs in δ (one quadratic specialist; the utilitarian QP     global (convex)
``conic:log`` or       for n quadratic specialists; max_performance with every k ≥ 2)
``conic:geo_mean``)
``vertices``           max_performance when every k ≤ 2 (convex objective: a vertex)        exact
``single_level``       Pyomo program embedding the equilibrium conditions (linear revenue)   SCIP: global (the
                                                                                             default while small);
                                                                                             Ipopt: local
``frontier``           sampled exact equilibria, best sample refined (entry costs, power     local
                       revenue, anything)
``decomposition``      branch and bound over S = Σ δ_j r_j with per-domain subproblems        global to 1e-9 when
                       (linear revenue, k_i ≥ 2, b_i = 0; :mod:`.decomposition`)             the gap closes
=====================  ====================================================================  =====================

The default for n ≥ 2 is ``decomposition`` wherever it applies (:func:`.decomposition.why_not` says where not):
its bounds are second order in the interval width near the optimum, so the search closes in about a hundred
nodes of O(n) work each (Nash, egalitarian, Kalai–Smorodinsky at n = 1,000 in seconds; ``benchmarks/
many_specialists.py``).  Elsewhere SCIP's single-level program while small, then Ipopt (local) or the sampled
frontier, with the reason no certificate is given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import BargainingOutcome
from ...solvers import Capability, Layer, SolveConfig, Status, resolve_solver, solve
from ..grammar import parse_formulation
from ..parametric import program_scope
from . import decomposition, frontier, performance, single_level
from .evaluate import exact_equilibrium, labels_of, objective_value
from .parametric import ConicBargainingProgram

SOLUTIONS = ("utilitarian", "nash", "egalitarian", "kalai_smorodinsky", "max_performance", "generalist_optimal",
             "specialist_optimal")
ALIASES = {"vertical_monopoly": "utilitarian"}
FORMULATIONS = ("conic", "conic:log", "conic:geo_mean", "vertices", "single_level", "frontier", "decomposition")
#: Solutions for which the decomposition is the default for n ≥ 2 (where it applies).
DECOMPOSITION_DEFAULT = ("utilitarian", "generalist_optimal", "nash", "egalitarian", "kalai_smorodinsky")


def canonical(solution: str) -> str:
    name = ALIASES.get(solution, solution)
    if name not in SOLUTIONS:
        raise ModelError(f"bargaining solution must be one of {', '.join(SOLUTIONS + tuple(ALIASES))}, "
                         f"got {solution!r}")
    return name


def choose_formulation(game: FineTuningGame, solution: str, disagreement: Sequence[float],
                       weights: Sequence[float] | None = None) -> str:
    zero_d = not any(disagreement)
    if solution == "utilitarian" and game.is_quadratic:
        return "conic"
    if (solution in DECOMPOSITION_DEFAULT and game.n >= 2
            and decomposition.why_not(game, solution, weights or [1.0] * (game.n + 1), disagreement) is None):
        return "decomposition"
    if solution == "max_performance" and _performance_conic(game):
        return "conic" if min(performance.exponents(game)) >= 2 else "vertices"
    if game.n == 1 and game.is_quadratic and (zero_d or solution == "nash"):
        return "conic:log" if solution == "nash" else "conic"
    if game.linear_revenue and not game.has_entry_decisions:
        return "single_level"
    return "frontier"


def _performance_conic(game: FineTuningGame) -> bool:
    try:
        performance.check_power_structure(game)
    except ModelError:
        return False
    ks = performance.exponents(game)
    return min(ks) >= 2 or max(ks) <= 2


def bargain(game: FineTuningGame, solution: str, *, formulation: str | None = None, solver: str | None = None,
            config: SolveConfig | None = None, weights: Sequence[float] | None = None,
            disagreement: Sequence[float] | None = None, aggregate: str = "mean",
            points_per_axis: int | None = None) -> BargainingOutcome:
    """Solve bargaining ``solution`` over δ.  Players are (G, D_1, .., D_n): ``weights`` and ``disagreement`` (the
    disagreement point, default 0) have n + 1 entries.  The outcome carries the exact equilibrium at the chosen δ."""
    name = canonical(solution)
    config = config or SolveConfig()
    players = game.n + 1
    weights = _vector("weights", weights, players, 1.0, positive=True)
    disagreement = _vector("disagreement", disagreement, players, 0.0)
    form = str(parse_formulation(formulation, FORMULATIONS, source="bargain(formulation=...)")
               if formulation is not None else choose_formulation(game, name, disagreement, weights))
    backend = None
    details: dict[str, Any] = {"weights": list(weights), "disagreement": list(disagreement)}
    found = None
    if form == "decomposition":
        reason = decomposition.why_not(game, name, weights, disagreement)
        if reason is not None:
            raise ModelError(f"formulation 'decomposition' does not apply: {reason}")
        found = decomposition.solve(game, name, weights, disagreement)
        if not found.delta:
            why = ("no δ gives every player more than its disagreement point (proved on every interval of the "
                   "search over S)" if found.bound == -math.inf else
                   f"the search over S found no feasible bargain within {found.nodes} nodes (bound {found.bound:.6g})")
            if formulation is not None:
                raise ModelError(f"formulation 'decomposition': {why}; use formulation 'frontier'")
            form, details["why_not_global"] = "frontier", f"the certified decomposition: {why}"
        elif not found.covers_optimum and formulation is None:  # the sampled frontier sees every regime
            form, details["why_not_global"] = "frontier", f"the certified decomposition: {found.reason}"
    if form.startswith("conic") and name != "max_performance":
        # the parametric program built for one solve: the fresh build and the re-solves are one code path; inside
        # reuse_programs() the scope keeps it and later calls only write the new game's data into its parameters
        variant = form.partition(":")[2] or "conic"

        def build() -> ConicBargainingProgram:
            return ConicBargainingProgram(game, name, form=variant, solver=solver, config=config, weights=weights,
                                          disagreement=disagreement)

        scope = program_scope()
        if scope is None:
            return build().solve()
        key = ("bargaining", name, variant, game.n, solver, repr(config), weights, disagreement)
        return scope.get(key, build).use_game(game).solve()
    if form.startswith("conic"):
        variant = form.partition(":")[2] or "conic"
        if variant != "conic":
            raise ModelError(f"formulation 'conic:{variant}' is a form of the Nash program; {name!r} uses 'conic'")
        backend = resolve_solver(Layer.CVXPY, {Capability.SOC}, solver=solver, config=config).name
        delta, status, is_global, objective, used = _max_performance_conic(game, backend, config, aggregate)
    elif form == "vertices":
        if name != "max_performance":
            raise ModelError("formulation 'vertices' applies to max_performance only")
        delta, objective = performance.best_vertex(game, aggregate)
        status, is_global, used = Status.OPTIMAL, True, "exact"
    elif form == "single_level":
        single_level.check_size(game)
        backend = resolve_solver(Layer.PYOMO, {Capability.NLP}, solver=solver, config=config,
                                 size=single_level.variable_count(game)).name
        delta, status, is_global, objective, used = _single_level(game, name, backend, config, weights,
                                                                  disagreement, aggregate)
    elif form == "decomposition" and found is not None:
        delta, is_global = found.delta, found.certified
        objective = objective_value(game, name, delta, weights, disagreement)  # the same criterion as elsewhere
        status = Status.OPTIMAL if found.certified else Status.LOCALLY_OPTIMAL
        used = f"branch and bound over S ({found.nodes} nodes, gap {found.gap:.2g})"
        details.update({"nodes": found.nodes, "gap": found.gap, "bound": found.bound,
                        "tolerance": decomposition.TOLERANCE})
        if found.ideal is not None:  # Kalai–Smorodinsky: the search maximizes min_j (U_j − d_j)/(ideal_j − d_j)
            details["ideal"] = list(found.ideal)
            details["normalized_gain"] = found.value
        if found.reason:
            details["why_not_global"] = found.reason
    else:
        delta, objective = _frontier(game, name, weights, disagreement, aggregate, points_per_axis)
        if name != "max_performance":  # the same criterion as elsewhere (KS: the least gain, not normalized)
            objective = objective_value(game, name, delta, weights, disagreement)
        status, is_global, used = Status.LOCALLY_OPTIMAL, False, "sampled+nelder-mead"
        if game.n >= 2 and "why_not_global" not in details:
            why = decomposition.why_not(game, name, weights, disagreement)
            if why:
                details["why_not_global"] = f"no certified formulation applies: {why}"
    if form == "single_level" and not is_global and game.n >= 2:
        why = decomposition.why_not(game, name, weights, disagreement)
        details["why_not_global"] = (f"the certified decomposition does not apply: {why}" if why else
                                     "a local solver was asked for; formulation 'decomposition' (the default "
                                     "here) certifies this bargain")
    eq = exact_equilibrium(game, delta)
    return BargainingOutcome(name, eq, form, used, str(status), is_global, objective, labels_of(eq.delta),
                             details, backend)


def _vector(name: str, values: Sequence[float] | None, size: int, default: float, positive: bool = False):
    if values is None:
        return tuple([default] * size)
    vals = [float(v) for v in values]
    if len(vals) != size:
        raise ModelError(f"{name} must have {size} entries (G, then each specialist), got {len(vals)}")
    for i, v in enumerate(vals):
        if not math.isfinite(v) or (positive and v <= 0):
            raise ModelError(f"{name}[{i}] must be {'> 0' if positive else 'finite'}, got {v}")
    return tuple(vals)


# ------------------------------------------------------------------------------------------------ conic
#: A max_performance share within this of 0 or 1 is put on the bound when the objective is no worse there.
SNAP_TOL = 1e-7


def _max_performance_conic(game: FineTuningGame, solver: str, config: SolveConfig, aggregate: str):
    """max_performance as a conic program (:mod:`.performance`); the other conic programs are
    :class:`.parametric.ConicBargainingProgram`."""
    problem, delta = performance.performance_problem(game, aggregate)
    result = solve(problem, requires={Capability.SOC}, solver=solver, config=config, convex=True,
                   formulation="bargaining max_performance: conic")
    result.raise_for_status()
    value = tuple(np.clip(np.atleast_1d(delta.value).astype(float), 0.0, 1.0).tolist())
    objective = objective_value(game, "max_performance", value, (), ())
    # an interior-point answer stops a solver's tolerance short of a bound (δ = 0.999999998 where the optimum is
    # the vertex δ = 1, leaving D a numerical 1e-9): shares that close to 0 or 1 go onto it when that is no worse
    snapped = tuple(float(round(d)) if min(d, 1 - d) <= SNAP_TOL else d for d in value)
    if snapped != value:
        at_bound = objective_value(game, "max_performance", snapped, (), ())
        if at_bound >= objective - 1e-12 * (1 + abs(objective)):
            value, objective = snapped, at_bound
    return value, result.status, result.is_global, objective, solver


# ------------------------------------------------------------------------------------------------ single level
def _single_level(game: FineTuningGame, name: str, solver: str, config: SolveConfig, weights, disagreement,
                  aggregate: str):
    single_level.check_applicable(game)
    ideal = None
    if name == "kalai_smorodinsky":
        ideal = []
        for j in range(game.n + 1):
            crit = _player_criterion(game, j)
            sol = single_level.solve_single_level(game, crit, solver=solver, config=config)
            sol.result.raise_for_status()
            ideal.append(sol.result.objective)
    crit = single_level.criterion(game, name, weights=weights, disagreement=disagreement, ideal=ideal,
                                  aggregate=aggregate)
    sol = single_level.solve_single_level(game, crit, solver=solver, config=config)
    sol.result.raise_for_status()
    objective = objective_value(game, name, sol.delta, weights, disagreement)
    return sol.delta, sol.result.status, sol.result.is_global, objective, solver


def _player_criterion(game: FineTuningGame, j: int) -> single_level.Criterion:
    import pyomo.environ as pyo

    def attach(m: Any) -> None:
        target = m.U_G if j == 0 else m.U_D[j - 1]
        m.objective = pyo.Objective(expr=target, sense=pyo.maximize)

    return single_level.Criterion(f"ideal[{j}]", attach)


# ------------------------------------------------------------------------------------------------ frontier
def criterion_values(name: str, table: frontier.EquilibriumTable, weights, disagreement, aggregate: str,
                     ideal: np.ndarray | None = None) -> np.ndarray:
    """The bargaining criterion at every sampled δ (−∞ where undefined)."""
    us = table.utilities
    d = np.asarray(disagreement)
    if name == "utilitarian":
        return us.sum(axis=1)
    if name == "generalist_optimal":
        return us[:, 0]
    if name == "specialist_optimal":
        return us[:, 1:].sum(axis=1)
    if name == "max_performance":
        return table.alpha.mean(axis=1) if aggregate == "mean" else table.alpha.min(axis=1)
    gains = us - d
    if name == "nash":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(np.all(gains > 0, axis=1), np.sum(np.asarray(weights) * np.log(
                np.maximum(gains, 1e-300)), axis=1), -np.inf)
    if name == "egalitarian":
        return gains.min(axis=1)
    assert ideal is not None
    return (gains / np.maximum(ideal - d, 1e-300)).min(axis=1)


#: Above this many specialists the sampled frontier draws random δ (and skips Nelder–Mead, hopeless in that many
#: dimensions) instead of a grid of at least 3^n points.
GRID_SPECIALISTS = 12
#: Random samples of the frontier above GRID_SPECIALISTS: at most this many specialist-evaluations (samples × n).
RANDOM_SAMPLE_BUDGET = 2_000_000


def _frontier(game: FineTuningGame, name: str, weights, disagreement, aggregate: str, points_per_axis: int | None):
    from scipy.optimize import minimize

    budget = frontier.MAX_SAMPLE_POINTS if game.linear_revenue else frontier.MAX_PARETO_POINTS_NUMERIC
    if game.n > GRID_SPECIALISTS and points_per_axis is None:
        samples = _random_samples(game, name, weights, disagreement, budget)
        k = None
    else:
        k = frontier.grid_points_per_axis(game.n, points_per_axis, budget,
                                          default={1: 2001, 2: 121, 3: 31}.get(game.n, 11))
        samples = frontier.sample_deltas(game.n, k)
    table = frontier.equilibrium_table(game, samples)
    ideal = None
    if name == "kalai_smorodinsky":
        feasible = np.all(table.utilities >= np.asarray(disagreement), axis=1)
        # no sample gives everyone its disagreement point: the ideal over every sample (the answer is local anyway)
        ideal = table.utilities[feasible if feasible.any() else slice(None)].max(axis=0)
    values = criterion_values(name, table, weights, disagreement, aggregate, ideal)
    start = samples[int(np.argmax(values))]
    best_value = float(values.max())
    if k is None:
        return tuple(start.tolist()), best_value

    def negative(x: np.ndarray) -> float:
        t = frontier.equilibrium_table(game, np.clip(x, 0.0, 1.0)[None, :])
        v = criterion_values(name, t, weights, disagreement, aggregate, ideal)[0]
        return -v if np.isfinite(v) else 1e300

    res = minimize(negative, start, method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-14, "initial_simplex": _simplex(start, 1.0 / (k - 1))})
    x = np.clip(res.x, 0.0, 1.0)
    if -res.fun > best_value and res.fun < 1e299:  # 1e300: where the criterion is undefined
        return tuple(x.tolist()), -float(res.fun)
    return tuple(start.tolist()), best_value


def _random_samples(game: FineTuningGame, name: str, weights, disagreement, budget: int) -> np.ndarray:
    """Seeded uniform δ, the constant shares 0, 0.05, .., 1 and, where the S-decomposition's arithmetic applies
    (linear revenue, k_i ≥ 2, no marginal costs), its optimum of the same criterion in the regime where every
    specialist takes part at α0 = A(S) — a candidate only, evaluated like every sample by the exact equilibrium."""
    count = max(100, min(budget, RANDOM_SAMPLE_BUDGET // game.n))
    rows = [np.random.default_rng(20261126).uniform(0.0, 1.0, (count, game.n)),
            np.repeat(np.linspace(0.0, 1.0, 21)[:, None], game.n, axis=1)]
    a = game.arrays() if game.linear_revenue else None
    if (a is not None and name in decomposition.COVERED and np.all(a.exponent >= 2.0) and not np.any(a.marginal_cost)
            and game.n <= decomposition.MAX_SPECIALISTS):
        try:
            found = decomposition.solve(game, name, weights, disagreement, max_nodes=200)
        except (ArithmeticError, ValueError):  # a candidate, not an answer: a failure just leaves it out
            found = None
        if found is not None and found.delta:
            rows.append(np.array([found.delta]))
    return np.vstack(rows)


def _simplex(x: np.ndarray, h: float) -> np.ndarray:
    rows = [x.copy()]
    for i in range(len(x)):
        y = x.copy()
        y[i] = y[i] + h if y[i] + h <= 1 else y[i] - h
        rows.append(y)
    return np.array(rows)
