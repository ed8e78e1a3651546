"""Bargaining over δ as one single-level program that embeds the subgame-perfect equilibrium conditions.

Variables δ ∈ [0, 1]^n, α0 ≥ 0, Δ_i = α_i − α0 ≥ 0 (and μ_i ≥ 0 when b_i > 0).  For polynomial costs and linear
revenue, D_i's increment does not depend on α0, so the equilibrium is exactly

    k0 c0 α0^(k0−1) = Σ_i δ_i r_i                                   (G's first-order condition; U_G concave in α0)
    (1 − δ_i) r_i − b_i − k_i c_i Δ_i^(k_i−1) + μ_i = 0,  μ_i Δ_i = 0  (D_i's KKT conditions; μ_i omitted if b_i = 0)

and the objective is the bargaining criterion written on U_G = Σ δ_i r_i (α0 + Δ_i) − c0 α0^k0 and
U_Di = (1 − δ_i) r_i (α0 + Δ_i) − c_i Δ_i^k_i − b_i Δ_i.  Ipopt solves it from several starts (local); SCIP solves
it by spatial branch and bound (global, practical for small n).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ...solvers import Capability, SolveConfig, SolveResult, Status, solve
from ..equilibrium.closed_form import solve_closed_form

#: Largest game the single-level program is built for: Ipopt takes seconds at 200 specialists, minutes at 2,000.
MAX_SPECIALISTS = 200


def check_size(game: FineTuningGame) -> None:
    """Refuse, before building anything, a game too large for the single-level program."""
    if game.n > MAX_SPECIALISTS:
        raise ModelError(f"formulation 'single_level' handles at most {MAX_SPECIALISTS} specialists, got {game.n}; "
                         "fix the shares instead (bargaining.delta), or solve 'utilitarian' for quadratic costs "
                         "(conic)")


def check_applicable(game: FineTuningGame) -> None:
    check_size(game)
    if not game.linear_revenue or game.has_entry_decisions:
        raise ModelError("formulation 'single_level' needs linear revenue and no entry decisions (entry_cost = 0, "
                         "outside_option = 0); use 'frontier' for entry costs or power revenue")


def _power(x: Any, p: float) -> Any:
    return x if p == 1.0 else x ** p


def build_equilibrium_model(game: FineTuningGame, *, complementarity: str = "equality") -> pyo.ConcreteModel:
    """A Pyomo model with δ, α0, Δ, the equilibrium conditions and expressions ``U_G`` and ``U_D[i]``."""
    check_applicable(game)
    m = pyo.ConcreteModel(name="fine_tuning_single_level")
    n = game.n
    m.I = pyo.Set(initialize=range(n), ordered=True)
    upper = game.scale_hint()
    m.delta = pyo.Var(m.I, bounds=(0.0, 1.0))
    m.alpha0 = pyo.Var(bounds=(0.0, upper))
    reach = [1.01 * game.follower_response(i, 0.0, upper).increment + 1e-9 for i in range(n)]  # Δ_i at δ_i = 0
    m.increment = pyo.Var(m.I, bounds=lambda mm, i: (0.0, reach[i]))
    g = game.generalist_cost
    r = [rev.rate for rev in game.revenues]
    costs = game.specialist_costs
    m.leader_stationarity = pyo.Constraint(
        expr=g.exponent * g.coefficient * _power(m.alpha0, g.exponent - 1) == sum(m.delta[i] * r[i] for i in m.I))
    with_multiplier = [i for i in range(n) if costs[i].linear > 0]
    m.J = pyo.Set(initialize=with_multiplier, ordered=True)
    m.mu = pyo.Var(m.J, bounds=(0.0, None))

    def follower_rule(mm: Any, i: int) -> Any:
        c = costs[i]
        grad = (1 - mm.delta[i]) * r[i] - c.linear - c.exponent * c.coefficient * _power(mm.increment[i],
                                                                                         c.exponent - 1)
        return grad + (mm.mu[i] if i in with_multiplier else 0) == 0

    m.follower_stationarity = pyo.Constraint(m.I, rule=follower_rule)
    if complementarity == "equality":
        m.complementarity = pyo.Constraint(m.J, rule=lambda mm, i: mm.mu[i] * mm.increment[i] == 0)
    elif complementarity == "inequality":  # μΔ ≤ 0 with μ, Δ ≥ 0: the same set, friendlier to interior points
        m.complementarity = pyo.Constraint(m.J, rule=lambda mm, i: mm.mu[i] * mm.increment[i] <= 0)
    else:
        raise ValueError(f"complementarity must be 'equality' or 'inequality', got {complementarity!r}")
    m.U_G = pyo.Expression(expr=sum(m.delta[i] * r[i] * (m.alpha0 + m.increment[i]) for i in m.I)
                           - g.coefficient * _power(m.alpha0, g.exponent))
    m.U_D = pyo.Expression(m.I, rule=lambda mm, i: (1 - mm.delta[i]) * r[i] * (mm.alpha0 + mm.increment[i])
                           - costs[i].coefficient * _power(mm.increment[i], costs[i].exponent)
                           - costs[i].linear * mm.increment[i])
    return m


@dataclass(frozen=True)
class Criterion:
    """A bargaining criterion: ``attach(model)`` adds its objective (and rows) to an equilibrium model."""

    name: str
    attach: Callable[[pyo.ConcreteModel], None]
    requires: frozenset[Capability] = frozenset({Capability.NLP})


def criterion(game: FineTuningGame, solution: str, *, weights: Sequence[float], disagreement: Sequence[float],
              ideal: Sequence[float] | None = None, aggregate: str = "mean") -> Criterion:
    """The objective of ``solution`` on players (G, D_1, .., D_n) with weights w, disagreement point d."""
    n = game.n

    def players(m: Any) -> list[Any]:
        return [m.U_G, *[m.U_D[i] for i in m.I]]

    def attach(m: Any) -> None:
        us = players(m)
        if solution == "utilitarian":
            m.objective = pyo.Objective(expr=sum(us), sense=pyo.maximize)
        elif solution == "generalist_optimal":
            m.objective = pyo.Objective(expr=m.U_G, sense=pyo.maximize)
        elif solution == "specialist_optimal":
            m.objective = pyo.Objective(expr=sum(us[1:]), sense=pyo.maximize)
        elif solution == "max_performance":
            alphas = [m.alpha0 + m.increment[i] for i in m.I]
            if aggregate == "mean":
                m.objective = pyo.Objective(expr=sum(alphas) / n, sense=pyo.maximize)
            else:  # "min": max t s.t. t ≤ α_i
                m.t = pyo.Var()
                m.floor = pyo.Constraint(m.I, rule=lambda mm, i: mm.t <= alphas[i])
                m.objective = pyo.Objective(expr=m.t, sense=pyo.maximize)
        elif solution == "nash":
            m.P = pyo.Set(initialize=range(n + 1))
            m.positive_gain = pyo.Constraint(m.P, rule=lambda mm, j: us[j] - disagreement[j] >= 1e-12)
            m.objective = pyo.Objective(expr=sum(weights[j] * pyo.log(us[j] - disagreement[j]) for j in range(n + 1)),
                                        sense=pyo.maximize)
        elif solution in ("egalitarian", "kalai_smorodinsky"):
            scale = [1.0] * (n + 1) if solution == "egalitarian" else [ideal[j] - disagreement[j]
                                                                        for j in range(n + 1)]
            m.P = pyo.Set(initialize=range(n + 1))
            m.t = pyo.Var(bounds=(None, None))
            m.floor = pyo.Constraint(m.P, rule=lambda mm, j: us[j] - disagreement[j] >= mm.t * scale[j])
            m.objective = pyo.Objective(expr=m.t, sense=pyo.maximize)
        else:
            raise ModelError(f"no single-level criterion for solution {solution!r}")

    return Criterion(solution, attach)


@dataclass(frozen=True)
class SingleLevelSolution:
    delta: tuple[float, ...]
    result: SolveResult
    starts: int
    converged: int


def _initialize(m: Any, game: FineTuningGame, delta: Sequence[float]) -> None:
    delta = [min(max(float(d), 0.0), 1.0) for d in delta]  # a solver's answer may sit a rounding error outside
    eq = solve_closed_form(game, delta)
    for i in m.I:
        m.delta[i].value = float(delta[i])
        m.increment[i].value = eq.alpha[i] - eq.alpha0
        if i in m.J:
            m.mu[i].value = 0.0
    m.alpha0.value = eq.alpha0
    if hasattr(m, "t"):
        us = [pyo.value(m.U_G), *[pyo.value(m.U_D[i]) for i in m.I]]
        m.t.value = min(us) * 0.5


def variable_count(game: FineTuningGame) -> int:
    """Scalar variables of the single-level program (δ_i, α_i − α0, μ_i, α0, an epigraph t): its size for the
    default solver policy."""
    return 3 * game.n + 2


def solve_single_level(game: FineTuningGame, crit: Criterion, *, solver: str = "ipopt",
                       config: SolveConfig | None = None, seed: int = 0, polish: bool = True) -> SingleLevelSolution:
    """Solve the single-level program; Ipopt runs ``config.starts`` starts (the first at δ = 1/2) and keeps the best
    locally optimal one; a global solver (SCIP) runs once, its answer then polished by Ipopt (``polish``).  The
    program is built once and re-solved from each start."""
    config = config or SolveConfig()
    multistart = solver == "ipopt"
    starts = config.starts if multistart else 1
    rng = np.random.default_rng(seed)
    best: SolveResult | None = None
    best_delta: tuple[float, ...] = ()
    converged = 0
    # one program for every start: each start restores the values the program was built with, then sets its own
    m = build_equilibrium_model(game, complementarity="inequality" if multistart else "equality")
    crit.attach(m)
    built = [(v, v.value) for v in m.component_data_objects(pyo.Var, descend_into=True)]
    for s in range(starts):
        start = np.full(game.n, 0.5) if s == 0 else rng.uniform(0.02, 0.98, game.n)
        for v, value in built:
            v.set_value(value, skip_validation=True)
        _initialize(m, game, start)
        result = solve(m, requires=crit.requires, solver=solver, config=config,
                       formulation=f"single_level:{crit.name}")
        if not result.ok:
            if best is None or (not best.ok and result.status is Status.TIME_LIMIT):
                best = result
            continue
        converged += 1
        if best is None or not best.ok or result.objective > best.objective + 1e-12:
            best = result
            best_delta = tuple(float(m.delta[i].value) for i in m.I)
    assert best is not None
    if not multistart and best.ok and polish:
        best_delta = _polish(game, crit, best_delta, best, config)
    return SingleLevelSolution(best_delta, best, starts, converged)


def _polish(game: FineTuningGame, crit: Criterion, delta: tuple[float, ...], found: SolveResult,
            config: SolveConfig) -> tuple[float, ...]:
    """A global solver stops within its gap, which on a flat optimum leaves δ accurate to about √gap: re-solve
    locally (Ipopt) from the global solution and keep the polished point if its objective is at least as good."""
    from ...solvers import BackendUnavailable, CapabilityError

    m = build_equilibrium_model(game, complementarity="inequality")
    crit.attach(m)
    _initialize(m, game, delta)
    try:
        local = solve(m, requires=crit.requires, solver="ipopt", config=config.with_(solver="ipopt"),
                      formulation=f"single_level:{crit.name}:polish")
    except (BackendUnavailable, CapabilityError):
        return delta
    if local.ok and found.objective is not None and local.objective >= found.objective - 1e-7 * max(
            1.0, abs(found.objective)):
        return tuple(float(m.delta[i].value) for i in m.I)
    return delta
