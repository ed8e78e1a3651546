"""``solve_design``: the regulator's problem by both formulations, one report (schema ``ftgames.design/1``)."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..io.gamefile import GameFile
from ..models.outcomes import Certificate, Level
from .exact import SearchResult, solve_exact
from .expression import DesignError
from .games import Evaluator
from .problem import DesignProblem, build_problem

SCHEMA = "ftgames.design/1"
FORMULATIONS = ("exact", "program")
#: The exact search's value must reach the program's proved bound within this (absolute + relative) tolerance for
#: the combined answer to be certified global.
AGREEMENT_TOL = 1e-6


def _finite(x: Any) -> float | None:
    return None if x is None or not math.isfinite(float(x)) else float(x)


def _exact_certificate(problem: DesignProblem, res: SearchResult) -> Certificate:
    checks = {**res.checks, "equilibria_certified": res.certified_equilibria,
              "final_cell_width": {k: float(w) for k, w in res.cell_width.items()}}
    if not problem.continuous and problem.bargaining == "fixed" and res.certified_equilibria:
        checks["exhaustive"] = True  # every rule of a finite set solved exactly: nothing is left unexplored
        return Certificate(Level.GLOBAL, "exact", checks, ())
    reasons = ["the best rule of a coarse grid of exact equilibria, refined by nested grids around the best "
               "cells: the equilibrium map is piecewise and jumps at regime boundaries, and no bound on the "
               "objective between grid points is proved, so a better rule could hide in an unexplored cell"]
    if problem.bargaining != "fixed":
        reasons.append(f"δ is bargained ({problem.bargaining}) on the front end's grid of shares, not proved "
                       "optimal over δ")
    if not res.certified_equilibria:
        reasons.append("the equilibrium at the returned rule is not certified global by the game's solver")
    return Certificate(Level.LOCAL if res.certified_equilibria else Level.NONE, "exact", checks, tuple(reasons))


def solve_design(problem: DesignProblem, *, formulations: tuple[str, ...] | list[str] = FORMULATIONS,
                 grid: int | None = None, solver: str | None = None, time_limit: float | None = None,
                 explored: bool = True) -> dict[str, Any]:
    """Solve ``problem`` and return the JSON-ready design report.

    ``formulations``: ``exact`` (coarse grid of exact equilibria + nested-grid refinement) and/or ``program`` (the
    regulator as leader over G's and D's KKT conditions, one program per follower regime, solved by SCIP; where it
    does not apply its entry says why).  When the program proves an upper bound (lower, when minimizing) that the
    exact search attains, the answer is certified ``global``."""
    start = time.perf_counter()
    unknown = [f for f in formulations if f not in FORMULATIONS]
    if unknown or not formulations:
        raise DesignError(f"--formulation {','.join(formulations)!r}: valid: {', '.join(FORMULATIONS)} "
                          "(comma-separated, default both)")
    evaluator = Evaluator.build(problem.file)
    entries: dict[str, Any] = {}
    res: SearchResult | None = None
    program = None
    if "program" in formulations:
        from .program import solve_program

        t0 = time.perf_counter()
        program = solve_program(problem, evaluator, solver=solver, time_limit=time_limit)
        entries["program"] = {**program.to_dict(), "timing": {"total_s": time.perf_counter() - t0}}
    if "exact" in formulations:
        t0 = time.perf_counter()
        seeds = ([program.rule] if program is not None and program.rule else []) + \
            ([c["rule"] for c in program.cases if c.get("rule")] if program is not None else [])
        # the openness game's equilibria cost a regime comparison each: once a rule attains the program's proved
        # bound (within the certificate's tolerance) nothing better exists, and the refinement stops there
        stop_at = None
        if (problem.game == "openness_regulation" and program is not None and program.proved
                and program.bound is not None and math.isfinite(program.bound)):
            sign = 1.0 if problem.sense == "maximize" else -1.0
            stop_at = sign * program.bound - AGREEMENT_TOL * (1 + abs(program.bound))
        res = solve_exact(problem, evaluator, grid=grid, seeds=seeds, stop_at=stop_at)
        cert = _exact_certificate(problem, res)
        entries["exact"] = {"rule": res.point, "value": _finite(res.value), "certificate": cert.to_dict(),
                            "status": "infeasible" if res.point is None else
                            "optimal" if cert.is_global else "locally_optimal",
                            "evaluations": res.evaluations, "seeds_from_program": len(seeds),
                            "timing": {"total_s": time.perf_counter() - t0}}
    # the answer: the better attained rule of the two; certified global when a proved bound is attained
    candidates = []
    if res is not None and res.point is not None:
        candidates.append(("exact", res.point, res.value))
    if program is not None and program.rule is not None and program.attained is not None:
        candidates.append(("program", program.rule, program.attained))
    sign = 1.0 if problem.sense == "maximize" else -1.0
    report: dict[str, Any] = {
        "schema": SCHEMA, "game": problem.game, "file": problem.file.path, "sense": problem.sense,
        "objective": problem.objective.text, "constraints": [c.text for c in problem.constraints],
        "bargaining": problem.bargaining, "variables": [v.to_dict() for v in problem.variables],
    }
    if not candidates:
        bound = program.bound if program is not None else None
        infeasible_proved = program is not None and program.proved and bound is not None and not math.isfinite(bound)
        infeasible_proved |= (res is not None and not problem.continuous and problem.bargaining == "fixed")
        level = Level.GLOBAL if infeasible_proved else Level.LOCAL if res is not None else Level.NONE
        reasons = () if infeasible_proved else ("no rule satisfying the constraints was found on the explored grid; "
                                                "infeasibility is not proved",)
        if not infeasible_proved and res is not None and np.any(res.explored.feasible):
            reasons = ("the objective is undefined at every explored rule where the constraints hold (a field "
                       "undefined there, such as alpha0 where G abstains, or a division by zero)",)
        cert = Certificate(level, "+".join(formulations), {}, reasons)
        report.update(status="infeasible", rule=None, value=None, outcome=None, certificate=cert.to_dict())
    else:
        best = max(candidates, key=lambda c: sign * c[2])
        fields = evaluator([best[1]])
        outcome = {k: _finite(v[0]) for k, v in fields.items() if not k.startswith("_")}
        outcome["label"] = str(fields["_label"][0])
        level, checks, reasons = Level.LOCAL, {"found_by": best[0]}, []
        if res is not None:
            checks["exact_value"] = _finite(res.value)
            if best[0] == "exact" and _exact_certificate(problem, res).is_global:
                level = Level.GLOBAL
                checks["exhaustive"] = True
        if program is not None:
            checks["program_bound"] = _finite(program.bound) if program.proved else None
            checks["program_proved"] = program.proved
            if level is Level.GLOBAL:
                pass
            elif program.proved and program.bound is not None:
                gap = sign * (program.bound - best[2])
                checks["gap_to_bound"] = _finite(gap)
                if gap <= AGREEMENT_TOL * (1 + abs(best[2])):
                    level = Level.GLOBAL
                else:
                    reasons.append(f"the program's proved bound {program.bound:.9g} exceeds the best attained value "
                                   f"{best[2]:.9g} by {gap:.3g}")
            else:
                reasons.append("program: " + (program.reason or "no proved bound"))
        if level is not Level.GLOBAL and res is not None:
            reasons.extend(_exact_certificate(problem, res).reasons)
        if not fields["_certified"][0]:
            level = Level.NONE
            reasons.append("the equilibrium at the optimal rule is not certified by the game's solver")
        cert = Certificate(level, "+".join(formulations), checks, tuple(reasons))
        report.update(status="optimal" if level is Level.GLOBAL else "locally_optimal", rule=best[1],
                      value=_finite(best[2]), outcome=outcome, certificate=cert.to_dict())
    report["boundary"] = res.boundary if res is not None else None
    report["formulations"] = entries
    if explored and res is not None:
        report["explored"] = {"keys": res.explored.keys, "axes": res.explored.axes,
                              "objective": res.explored.objective.tolist(),
                              "feasible": res.explored.feasible.tolist(), "labels": res.explored.labels.tolist()}
    report["equilibria_solved"] = evaluator.solved
    report["timing"] = {"total_s": time.perf_counter() - start}
    return report


def design(file: str | Path | GameFile, vary: list[str] | str, *, maximize: str | None = None,
           minimize: str | None = None, subject_to: list[str] | tuple[str, ...] = (), bargaining: str | None = None,
           formulations: tuple[str, ...] | list[str] = FORMULATIONS, grid: int | None = None,
           solver: str | None = None, time_limit: float | None = None, explored: bool = True) -> dict[str, Any]:
    """The regulator's design problem of a game file, from Python: the same as ``ftgames design``.

    >>> report = design("examples/safety_backfiring.toml", ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"],
    ...                 maximize="safety")                                                     # doctest: +SKIP
    >>> report["rule"], report["value"], report["certificate"]["level"]                        # doctest: +SKIP
    """
    problem = build_problem(file, [vary] if isinstance(vary, str) else list(vary), maximize=maximize,
                            minimize=minimize, subject_to=list(subject_to), bargaining=bargaining)
    return solve_design(problem, formulations=formulations, grid=grid, solver=solver, time_limit=time_limit,
                        explored=explored)


def explored_arrays(report: dict[str, Any]) -> tuple[list[str], list[np.ndarray], np.ndarray]:
    """(keys, axes, objective grid) of a report's explored box (NaN where infeasible)."""
    ex = report.get("explored")
    if not ex:
        raise DesignError("the report has no explored box (run the exact formulation)")
    obj = np.array(ex["objective"], dtype=float)
    return ex["keys"], [np.array(a, dtype=object) for a in ex["axes"]], obj
