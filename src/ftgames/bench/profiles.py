"""What solver papers report per suite (Dolan and Moré, "Benchmarking optimization software with performance
profiles", Math. Programming 91, 2002; Mittelmann's benchmarks): solved counts, shifted geometric means of time, and
performance profiles.

A *problem* is one (instance, size) of a suite; a *solver* is one formulation / backend.  A run counts as **solved**
when its status is optimal or locally optimal and its objective is not wrong (``correct`` is not False; a run without
a reference value counts); **wrong** when it finished but disagrees with the reference.  Every other attempted run
(time limit, error, infeasible, unbounded, a series cut after an earlier size passed the limit) is unsolved and is
charged the time limit.  Runs that do not apply (``not_applicable``, or skipped for a reason other than the limit)
are not attempted: they are left out of the shifted geometric mean and count as unsolved in the profile.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

SHIFT_SECONDS = 1.0
TAUS = (1.0, 1.5, 2.0, 4.0, 10.0, 100.0)
OK = ("optimal", "locally_optimal")


def level(row: dict[str, Any]) -> str:
    """The row's certificate level (global / local / none); rows written before the one certificate vocabulary
    (a ``certified`` column with global / local / no) still read."""
    value = row.get("certificate", row.get("certified"))
    return "none" if value in (None, "no") else str(value)


def solver_of(row: dict[str, Any]) -> str:
    return f"{row['formulation']} / {row['backend']}"


def problem_of(row: dict[str, Any]) -> tuple[str, Any]:
    return (row["instance"], row["size"])


def solved(row: dict[str, Any]) -> bool:
    return row["status"] in OK and row["correct"] is not False


def attempted(row: dict[str, Any]) -> bool:
    """Ran, or would have run but for a series cut at the time limit."""
    if row["status"] == "not_applicable":
        return False
    return row["status"] != "skipped" or "exceeded" in (row.get("message") or "")


def charged_time(row: dict[str, Any]) -> float:
    """The run's total time when solved, else its time limit (the largest time seen when no limit is recorded)."""
    if solved(row) and row["total_time"] is not None:
        return float(row["total_time"])
    limit = row.get("time_limit")
    return float(limit) if limit else float(row.get("total_time") or 0.0)


def shifted_geometric_mean(times: list[float], shift: float = SHIFT_SECONDS) -> float:
    """exp(mean(log(t + shift))) − shift: geometric mean that a few tiny times do not dominate."""
    if not times:
        return math.nan
    return math.exp(sum(math.log(t + shift) for t in times) / len(times)) - shift


def suite_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per solver: problems attempted, solved, wrong, certified global (among solved), and the shifted geometric mean
    of the charged times over its attempted problems."""
    by_solver: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["size"] is not None or row["status"] != "skipped":
            by_solver[solver_of(row)].append(row)
    out = []
    for solver, runs in sorted(by_solver.items()):
        tried = [r for r in runs if attempted(r)]
        if not tried:
            continue
        good = [r for r in tried if solved(r)]
        out.append({"solver": solver, "attempted": len(tried), "solved": len(good),
                    "wrong": sum(1 for r in tried if r["status"] in OK and r["correct"] is False),
                    "global": sum(1 for r in good if level(r) == "global"),
                    "sgm": shifted_geometric_mean([charged_time(r) for r in tried])})
    return out


def performance_profile(rows: list[dict[str, Any]],
                        taus: tuple[float, ...] = TAUS) -> tuple[list[str], int, dict[str, list[float]]]:
    """(solvers, number of problems, ρ_s(τ) for each τ): the share of problems solver s solves within τ times the
    fastest solver on that problem.  Problems: every (instance, size) of the suite that some solver solved."""
    times: dict[tuple[str, Any], dict[str, float]] = defaultdict(dict)
    solvers = sorted({solver_of(r) for r in rows if attempted(r)})
    for row in rows:
        if solved(row) and row["total_time"] is not None:
            times[problem_of(row)][solver_of(row)] = max(float(row["total_time"]), 1e-9)
    problems = [p for p, t in times.items() if t]
    ratios = {s: [times[p][s] / min(times[p].values()) if s in times[p] else math.inf for p in problems]
              for s in solvers}
    rho = {s: [sum(r <= tau for r in ratios[s]) / len(problems) if problems else 0.0 for tau in taus]
           for s in solvers}
    return solvers, len(problems), rho


def profile_curve(rows: list[dict[str, Any]]) -> dict[str, tuple[list[float], list[float]]]:
    """For plotting: per solver the sorted ratios r and ρ(r) as a step function."""
    solvers, count, _ = performance_profile(rows, ())
    times: dict[tuple[str, Any], dict[str, float]] = defaultdict(dict)
    for row in rows:
        if solved(row) and row["total_time"] is not None:
            times[problem_of(row)][solver_of(row)] = max(float(row["total_time"]), 1e-9)
    curves = {}
    for s in solvers:
        ratios = sorted(t[s] / min(t.values()) for t in times.values() if s in t)
        curves[s] = (ratios, [(i + 1) / count for i in range(len(ratios))])
    return curves


def summary_markdown(rows: list[dict[str, Any]]) -> list[str]:
    """The compact summary and the profile table of one suite, as Markdown lines."""
    summary = suite_summary(rows)
    if not summary:
        return []
    lines = [f"Summary (solved: finished with a correct objective; unsolved runs charged the time limit; shifted "
             f"geometric mean with shift {SHIFT_SECONDS:g} s over the attempted problems):", "",
             "| formulation / backend | attempted | solved | wrong | certified global | shifted geomean |",
             "|---|---:|---:|---:|---:|---:|"]
    for s in summary:
        lines.append(f"| {s['solver']} | {s['attempted']} | {s['solved']} | {s['wrong']} | {s['global']} | "
                     f"{_seconds(s['sgm'])} |")
    solvers, count, rho = performance_profile(rows)
    if len(solvers) > 1 and count:
        lines += ["", f"Performance profile ρ(τ): share of the {count} problems solved within τ × the fastest "
                  "(not applicable counts as not solved):", "",
                  "| formulation / backend | " + " | ".join(f"τ = {t:g}" for t in TAUS) + " |",
                  "|---|" + "---:|" * len(TAUS)]
        for s in solvers:
            lines.append(f"| {s} | " + " | ".join(f"{v:.2f}" for v in rho[s]) + " |")
    return [*lines, ""]


def _seconds(t: float) -> str:
    if not math.isfinite(t):
        return "n/a"
    return f"{t * 1e3:.3g} ms" if t < 0.1 else f"{t:.3g} s"
