"""Enumeration of the followers' active sets: each piece fixes, per complementarity pair, ``mu = 0`` or
``slack = 0`` and is a smooth program (an LP/QP when the leader is).  Pieces are explored depth first, branching on
the most violated pair of a relaxation (undecided pairs dropped) and pruning a node whose relaxation is infeasible
or, when pieces are solved to global optimality, no better than the incumbent: an exact branch and bound over active
sets.  ``max_pieces`` (default 4096) caps the number of programs solved; hitting it gives status ``time_limit``.

``SolveConfig.time_limit`` bounds the whole search (not each piece).  A relaxation (a node with undecided pairs) gets
at most ``relaxation_time_limit`` seconds (default 2): with pairs dropped it can be unbounded in a way a global
nonconvex solver cannot detect (a free follower dual times a leader quantity), and a timed-out node is simply
branched on, which loses nothing.  A complete piece gets the remaining time.
"""

from __future__ import annotations

import math
import time
from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import Capability, SolveConfig, SolveResult, Status, get_backend, solve

from ..analysis import program_requirements
from ._common import load_values

NAME = "enumeration"
EXACT = True
OPTIONS: tuple[str, ...] = ("max_pieces", "relaxation_time_limit")  # keyword options this encoding reads
TOL = 1e-7
DEFAULT_MAX_PIECES = 4096
DEFAULT_RELAXATION_TIME_LIMIT = 2.0


def requires(options: dict[str, Any]) -> set[Capability]:
    return set()


def add_complementarity(block: Any, pairs: list[Any], options: dict[str, Any]) -> Any:
    from ..interface import BilevelError

    raise BilevelError("enumeration has no single model: use solve_bilevel(bm, encoding='enumeration')")


def solve_pieces(reform: Any, solver: str, config: SolveConfig, options: dict[str, Any]) -> SolveResult:
    model = reform.model
    pairs = reform.kkt.pairs
    keys = [p.key for p in pairs]
    model.pieces = pyo.Block()
    model.pieces.mu_zero = pyo.Constraint(keys, rule=lambda b, k: pairs[keys.index(k)].multiplier == 0)
    model.pieces.slack_zero = pyo.Constraint(keys, rule=lambda b, k: pairs[keys.index(k)].slack == 0)
    model.pieces.mu_zero.deactivate()
    model.pieces.slack_zero.deactivate()
    objective = next(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    sign = 1 if objective.sense == pyo.minimize else -1
    requires_ = program_requirements(model)
    convex = requires_ <= {Capability.LP, Capability.CONVEX_QP}
    exact_pieces = convex or get_backend(solver).global_optimality
    max_pieces = int(options.get("max_pieces", DEFAULT_MAX_PIECES))
    relaxation_limit = float(options.get("relaxation_time_limit", DEFAULT_RELAXATION_TIME_LIMIT))
    if not relaxation_limit > 0:
        from ..interface import BilevelError

        raise BilevelError(f"enumeration: relaxation_time_limit must be > 0 seconds, got {relaxation_limit}")
    deadline = None if config.time_limit is None else time.perf_counter() + config.time_limit
    best, incumbent, solved, failures, out_of_time = math.inf, None, 0, [], False
    stack: list[dict[str, str]] = [{}]
    while stack:
        if solved >= max_pieces:
            break
        remaining = None if deadline is None else deadline - time.perf_counter()
        if remaining is not None and remaining <= 0:
            out_of_time = True
            break
        fixing = stack.pop()
        for k in keys:
            model.pieces.mu_zero[k].activate() if fixing.get(k) == "mu" else model.pieces.mu_zero[k].deactivate()
            (model.pieces.slack_zero[k].activate() if fixing.get(k) == "slack"
             else model.pieces.slack_zero[k].deactivate())
        limit = remaining
        if len(fixing) < len(keys) and not convex:  # a relaxation: branching past a timeout is free
            limit = relaxation_limit if limit is None else min(limit, relaxation_limit)
        res = solve(model, requires=requires_, solver=solver, config=config.with_(time_limit=limit), convex=convex,
                    formulation=f"{model.name}:piece")
        solved += 1
        maybe_unbounded = res.status is Status.UNBOUNDED or "OrUnbounded" in res.message
        if res.status is Status.INFEASIBLE and not maybe_unbounded:
            continue
        if not res.ok:  # unbounded or failed relaxation: no point to branch on, split the first undecided pair
            undecided = [k for k in keys if k not in fixing]
            if undecided:
                stack.append({**fixing, undecided[0]: "slack"})
                stack.append({**fixing, undecided[0]: "mu"})
            elif not maybe_unbounded:
                failures.append(f"piece {fixing}: {res.status}")
            elif _feasible(model, solver, config):
                failures.append(f"piece {fixing}: unbounded (the bilevel problem is unbounded)")
            continue
        value = sign * res.objective
        if exact_pieces and value >= best - TOL * (1 + abs(best)):
            continue
        violation = [(min(abs(pyo.value(p.multiplier)), abs(pyo.value(p.slack))), p.key) for p in pairs
                     if p.key not in fixing]
        worst = max(violation, default=(0.0, None))
        if worst[0] <= TOL:
            best, incumbent = value, res
            continue
        key = worst[1]
        stack.append({**fixing, key: "slack"})
        stack.append({**fixing, key: "mu"})
    model.pieces.deactivate()
    complete = not stack
    stopped = "the time limit" if out_of_time else "max_pieces"
    message = f"{solved} pieces solved; search {'complete' if complete else 'stopped at ' + stopped}"
    if failures:
        message += f"\n{len(failures)} pieces failed: " + "; ".join(failures[:5])
    if incumbent is None:
        status = Status.INFEASIBLE if complete and not failures else Status.ERROR if complete else Status.TIME_LIMIT
        return SolveResult(status, solver, f"{model.name}:enumeration", message=message)
    load_values(model, incumbent.values)
    proved = complete and exact_pieces and not failures
    status = Status.OPTIMAL if proved else (Status.TIME_LIMIT if not complete else Status.LOCALLY_OPTIMAL)
    return SolveResult(status, solver, f"{model.name}:enumeration", is_global=proved,
                       objective=incumbent.objective, values=incumbent.values, message=message)


def _feasible(model: Any, solver: str, config: SolveConfig) -> bool:
    """Is the current piece feasible?  (Solved with a zero objective.)"""
    objective = next(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    objective.deactivate()
    model._feasibility = pyo.Objective(expr=0)
    try:
        res = solve(model, requires=program_requirements(model), solver=solver, config=config, convex=True,
                    formulation=f"{model.name}:piece feasibility")
    finally:
        model.del_component("_feasibility")
        objective.activate()
    return res.ok
