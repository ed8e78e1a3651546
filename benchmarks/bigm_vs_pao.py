"""Big-M against PAO: linear bilevel problems solved by PAO's FA solver and by ftgames' KKT encodings, same HiGHS.

Instances (:mod:`ftgames.catalogue.linear_bilevel`): Bard 5.1.1, Anandalingam–White, Liu–Hart, Bard–Falk ex. 2 and
the seeded random LP–LP family (``n`` leader and ``n`` follower variables, ``n`` follower rows).  Methods:

* ``pao:fa`` / highs: PAO's ``pao.mpr.FA`` (KKT + big-M 1e5 on every pair, unproven) with Pyomo's ``highs``;
* ``kkt:bigm`` / highs: ``solve_bilevel(encoding="bigm", solver="highs")`` (proven M where a proof exists, the
  certificate, the active-set polish);
* ``kkt:sos1`` / scip: the exact SOS1 encoding.

The HiGHS build is the same for both; ftgames hands its linear programs to ``highspy`` directly
(:mod:`ftgames.solvers.highs_direct`), PAO goes through Pyomo's ``highs`` interface as it ships.

Every method gets the same relative MIP gap (``SolveConfig().mip_gap``) and time limit.  A method's time is the wall
clock of the whole call from the instance's arrays: building its model and solving it (for ftgames also the polish
and the certificate, which PAO does not do).  As a script, everything runs side by side in one process: each method
once as a warm-up, then ``--repeats`` rounds with the methods interleaved; the median is reported::

    .venv/bin/python benchmarks/bigm_vs_pao.py [--sizes 5,10,20,40] [--seeds 1] [--repeats 5] [--time-limit 120]
                                               [--json FILE]

As a suite (``ftgames bench bigm_vs_pao``) each case runs in its own process (cold imports included), like every
suite.  PAO is optional (``pip install -e '.[pao]'``); PAO 1.0.2 predates NumPy 2 and uses ``np.NINF``/``np.PINF``,
so the adapter below defines those two aliases before importing it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from functools import partial
from typing import Any

from ftgames.bench import BenchOptions, Case, RunOutcome, Skip, Suite
from ftgames.bench.helpers import backend_unavailable, guarded

METHODS = (("pao:fa", "highs"), ("kkt:bigm", "highs"), ("kkt:sos1", "scip"))
SMALL_SIZES = (5, 10)
FULL_SIZES = (5, 10, 20, 40)


def pao_unavailable() -> str | None:
    try:
        _import_pao()
    except ImportError as exc:
        return f"PAO not importable ({exc}): pip install -e '.[pao]'"
    return None


def _import_pao() -> Any:
    import logging

    import numpy as np

    for name, value in (("NINF", -np.inf), ("PINF", np.inf)):  # removed in NumPy 2, still used by PAO 1.0.2
        if not hasattr(np, name):
            setattr(np, name, value)
    pyomo_log = logging.getLogger("pyomo")
    level = pyomo_log.level
    pyomo_log.setLevel(logging.ERROR)  # PAO's import logs a Pyomo deprecation warning into `ftgames bench --list`
    try:
        import pao
    finally:
        pyomo_log.setLevel(level)
    return pao


def instances(sizes: tuple[int, ...], seeds: tuple[int, ...]) -> list[Any]:
    from ftgames.catalogue.linear_bilevel import LINEAR_BILEVEL_INSTANCES, random_lp_lp

    return [make() for make in LINEAR_BILEVEL_INSTANCES] + [random_lp_lp(n, s) for n in sizes for s in seeds]


def _bounds(values: tuple[float | None, ...], missing: float) -> list[float]:
    return [missing if v is None else float(v) for v in values]


def run_pao(inst: Any, time_limit: float) -> dict[str, Any]:
    """PAO's FA on ``inst`` with Pyomo's HiGHS: leader objective (computed from the loaded point) and wall clock."""
    import math

    import numpy as np
    import pyomo.environ as pyo

    from ftgames.solvers import SolveConfig

    pao = _import_pao()
    start = time.perf_counter()
    problem = pao.mpr.LinearMultilevelProblem()
    upper = problem.add_upper(nxR=inst.n_x)
    lower = upper.add_lower(nxR=inst.n_y)
    upper.x.lower_bounds = _bounds(inst.x_lb, -math.inf)
    upper.x.upper_bounds = _bounds(inst.x_ub, math.inf)
    lower.x.lower_bounds = _bounds(inst.y_lb, -math.inf)
    lower.x.upper_bounds = _bounds(inst.y_ub, math.inf)
    upper.c[upper] = inst.cx.tolist()
    upper.c[lower] = inst.cy.tolist()
    lower.c[lower] = inst.d.tolist()
    lower.A[upper] = inst.A.tolist()
    lower.A[lower] = inst.B.tolist()
    lower.b = inst.b.tolist()
    mip = pyo.SolverFactory("highs")
    mip.options["mip_rel_gap"] = SolveConfig().mip_gap
    mip.options["time_limit"] = float(time_limit)
    solver = pao.Solver("pao.mpr.FA", mip_solver=mip)
    try:
        results = solver.solve(problem)
        status = str(results.solver.termination_condition).rsplit(".", 1)[-1]
    except Exception as exc:  # noqa: BLE001 - PAO raises on a non-optimal MIP; that is a result here
        return {"status": "error", "objective": None, "wall": time.perf_counter() - start, "label": "none",
                "message": f"{type(exc).__name__}: {exc}"[:200]}
    wall = time.perf_counter() - start
    x = np.array(upper.x.values, dtype=float)
    y = np.array(lower.x.values, dtype=float)
    return {"status": status, "objective": float(inst.cx @ x + inst.cy @ y), "wall": wall,
            "label": "none (unproven M 1e5, no check)", "message": ""}


def run_ftgames(inst: Any, encoding: str, solver: str, time_limit: float) -> dict[str, Any]:
    from ftgames.formulations.bilevel import solve_bilevel
    from ftgames.solvers import SolveConfig

    start = time.perf_counter()
    bm = inst.build()
    res = solve_bilevel(bm, encoding=encoding, solver=solver, config=SolveConfig(time_limit=time_limit))
    wall = time.perf_counter() - start
    tightening = res.report.extras.get("tightening") if res.report is not None else None
    return {"status": str(res.status), "objective": res.objective if res.ok else None, "wall": wall,
            "label": res.label, "build": res.build_time, "solve": res.solve_time, "certificate": res.certificate_time,
            "tightening": tightening.to_dict() if tightening is not None else None,
            "message": "" if res.certified else "; ".join(res.certificate.reasons)[:200] if res.certificate else ""}


def run_method(inst: Any, method: str, backend: str, time_limit: float) -> dict[str, Any]:
    if method == "pao:fa":
        return run_pao(inst, time_limit)
    return run_ftgames(inst, method.split(":", 1)[1], backend, time_limit)


# ------------------------------------------------------------------------------------------------ as a suite
def _case_run(key: str, method: str, backend: str, time_limit: float) -> RunOutcome:
    inst = next(i for i in instances(FULL_SIZES, (1,)) if i.key == key)
    out = run_method(inst, method, backend, time_limit)
    level = "global" if out["label"] == "certified_global" else "local" if out["label"] == "certified_local" \
        else "none"
    return RunOutcome(out["status"], level, out["objective"], out.get("build", 0.0),
                      out.get("solve", out["wall"]), out["message"])


def cases(options: BenchOptions):
    why_pao = pao_unavailable()
    if why_pao:
        yield Skip("*", "pao:fa", "highs", why_pao)
    unavailable = {b: backend_unavailable(b) for b in ("highs", "scip")}
    for backend, why in unavailable.items():
        if why:
            yield Skip("*", "*", backend, why)
    sizes = tuple(options.sizes(SMALL_SIZES, FULL_SIZES))
    for inst in instances(sizes, (1,)):
        for method, backend in METHODS:
            if unavailable[backend] or (method == "pao:fa" and why_pao):
                continue
            yield Case(inst.key, inst.size, method, backend, guarded(partial(_case_run, inst.key, method, backend)),
                       inst.optimum, tolerance=1e-6)


SUITE = Suite("bigm_vs_pao", "linear bilevel problems: PAO's FA vs ftgames' big-M (HiGHS) and SOS1 (SCIP)", cases,
              expected_minutes=2.0)


# ------------------------------------------------------------------------------------------------ as a script
def side_by_side(insts: list[Any], repeats: int, time_limit: float, methods: tuple = METHODS) -> list[dict]:
    """Per instance: every method once (warm-up), then ``repeats`` interleaved rounds; medians and agreement."""
    rows = []
    for inst in insts:
        runs: dict[str, list[dict[str, Any]]] = {m: [] for m, _ in methods}
        for method, backend in methods:
            run_method(inst, method, backend, time_limit)  # warm-up
        for _ in range(repeats):
            for method, backend in methods:
                runs[method].append(run_method(inst, method, backend, time_limit))
        row: dict[str, Any] = {"instance": inst.key, "size": inst.size, "published": inst.optimum}
        for method, _ in methods:
            last = runs[method][-1]
            row[method] = {**last, "median_s": statistics.median(r["wall"] for r in runs[method]),
                           "walls": [r["wall"] for r in runs[method]]}
            if method != "pao:fa":  # model building and solving only: what PAO does (no polish, no certificate)
                row[method]["core_s"] = statistics.median(r["build"] + r["solve"] for r in runs[method])
        objectives = [row[m]["objective"] for m, _ in methods]
        reference = inst.optimum if inst.optimum is not None else objectives[0]
        row["agree"] = all(o is not None and reference is not None and abs(o - reference) <= 1e-6 * (1 + abs(reference))
                           for o in objectives)
        rows.append(row)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = ["| instance | size | PAO FA (ms) | big-M/HiGHS (ms) | ratio | build+solve (ms) | tightening (ms) "
             "| proven M | big-M label | SOS1/SCIP (ms) | SOS1 label | objective | agree |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        pao, bigm, sos1 = r["pao:fa"], r["kkt:bigm"], r["kkt:sos1"]
        t = bigm.get("tightening") or {}
        ratio = bigm["median_s"] / pao["median_s"] if pao["median_s"] else float("nan")
        objective = bigm["objective"] if bigm["objective"] is not None else float("nan")
        lines.append(f"| {r['instance']} | {r['size']} | {1000 * pao['median_s']:.1f} | "
                     f"{1000 * bigm['median_s']:.1f} | {ratio:.2f} | {1000 * bigm['core_s']:.1f} | "
                     f"{1000 * t.get('time_s', 0.0):.1f} | "
                     f"{t.get('proven', 0)}/{t.get('proven', 0) + t.get('unproven', 0)} | {bigm['label']} | "
                     f"{1000 * sos1['median_s']:.1f} | {sos1['label']} | {objective:.6g} | "
                     f"{'yes' if r['agree'] else 'NO'} |")
    ratios = [r["kkt:bigm"]["median_s"] / r["pao:fa"]["median_s"] for r in rows if r["pao:fa"]["median_s"]]
    core = [r["kkt:bigm"]["core_s"] / r["pao:fa"]["median_s"] for r in rows if r["pao:fa"]["median_s"]]
    if ratios:
        lines.append("")
        lines.append(f"big-M/HiGHS time over PAO's, whole call: median {statistics.median(ratios):.2f}, "
                     f"range {min(ratios):.2f} to {max(ratios):.2f}; build+solve only: median "
                     f"{statistics.median(core):.2f}, range {min(core):.2f} to {max(core):.2f} "
                     f"({len(ratios)} instances)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in FULL_SIZES))
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--json", default=None, help="write every run to this file")
    args = parser.parse_args()
    why = pao_unavailable()
    if why:
        parser.error(why)
    sizes = tuple(int(n) for n in args.sizes.split(",") if n)
    seeds = tuple(int(s) for s in args.seeds.split(",") if s)
    rows = side_by_side(instances(sizes, seeds), args.repeats, args.time_limit)
    print(markdown(rows))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1, default=str)


if __name__ == "__main__":
    main()
