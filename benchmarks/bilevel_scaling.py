"""Scalable bilevel families × KKT encodings × backends: how each encoding's cost grows with the problem.

As a suite: ``ftgames bench bilevel_scaling --out DIR [--time-limit 20]``.  Families
(:mod:`ftgames.catalogue.bilevel_families`, all seeded; the instance name carries the seed, the size is the family's
own parameter, so one (instance, formulation, backend) series is one curve and the runner stops it after the first
size that passes the time limit):

* ``random_lp_lp_s<seed>``: random LP–LP problems (BilevelJuMP's RAND style), size ``n`` = leader variables =
  follower variables = follower rows, 5 … 100.  Reference: ``kkt:sos1`` and ``kkt:indicator`` on SCIP (two exact
  encodings, both certified global and agreeing to 1e-6) for ``n <= 70``; none above (SCIP does not prove ``n = 100``
  within a minute), so those rows are marked † and only their certificates speak for them;
* ``toll_grid_s<seed>``, ``toll_complete_s<seed>``: toll setting on a grid (6 … 30 nodes) or a complete digraph
  (5 … 30 nodes), size: nodes.  Reference: the single-level MILP of Labbé, Marcotte and Savard on HiGHS
  (``toll_reference``: no KKT layer involved);
* ``strategic_bidding_s<seed>``: the strategic-bidding market of catalogue #10 with 2 … 200 generators, size:
  generators.  Reference: the merit-order optimum (``BiddingMarket.optimum``, a closed form).

Formulations are ``kkt:<encoding>`` for every encoding of ``ftgames.formulations.bilevel.ENCODINGS``; backends SCIP,
HiGHS and Ipopt (a backend lacking a capability the encoded program needs, e.g. HiGHS for a bilinear leader
objective, is reported n/a with the reason).  Objective: the leader's objective after the solve (toll revenue,
bidding revenue: maximized; LP–LP: minimized).  The ``dual_bound``/``gap``/``nodes``/``iterations`` columns are the
backend's report of the last single-level solve (``SolveResult.stats``), where it gives them.  References are
computed when the cases are enumerated, only for the instances and sizes the selection keeps.
"""

from __future__ import annotations

import fnmatch
from functools import partial

from ftgames.bench import BenchOptions, Case, RunOutcome, Skip, Suite, discover
from ftgames.bench.helpers import backend_unavailable, guarded

BACKENDS = ("scip", "highs", "ipopt")
SEEDS = {"small": (1,), "full": (1, 2, 3)}
#: family -> (sizes at the small scale, at the full scale)
SIZES = {
    "random_lp_lp": ([5, 10, 20, 40, 70, 100], [5, 10, 20, 40, 70, 100]),
    "toll_grid": ([6, 9, 12, 16, 20, 25, 30], [6, 9, 12, 16, 20, 25, 30, 42, 56]),
    "toll_complete": ([5, 10, 15, 20, 25, 30], [5, 10, 15, 20, 25, 30, 40]),
    "strategic_bidding": ([2, 5, 10, 20, 50, 100, 200], [2, 5, 10, 20, 50, 100, 200, 500]),
}
#: Largest LP–LP size with an exact reference (two exact encodings on SCIP, each given REFERENCE_SECONDS).
RAND_REFERENCE_MAX_N = 70
REFERENCE_SECONDS = 120.0
EXPECTED_MINUTES = 8.0  # measured: 7 min at --time-limit 10 on the 2-core machine


def leader_objective(bm) -> float:
    import pyomo.environ as pyo

    objectives = [o for o in bm.model.component_data_objects(pyo.Objective, active=True, descend_into=False)]
    return float(pyo.value(objectives[0]))


_REFERENCES: dict[tuple[str, int, int], float | None] = {}


def references(keys: list[tuple[str, int, int]]) -> dict[tuple[str, int, int], float | None]:
    """Exact references by ``family_reference``, computed in a spawned process: a solver started in this process
    would be inherited half-alive by the forked runs (HiGHS's thread pool does not survive a fork: MIPs hang)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ftgames.catalogue.bilevel_families import family_reference

    missing = [k for k in dict.fromkeys(keys) if k not in _REFERENCES]
    if missing:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            families, sizes, seeds = zip(*missing, strict=True)
            values = pool.map(family_reference, families, sizes, seeds, [REFERENCE_SECONDS] * len(missing),
                              [RAND_REFERENCE_MAX_N] * len(missing))
            _REFERENCES.update(zip(missing, values, strict=True))
    return {k: _REFERENCES[k] for k in keys}


def run(family: str, size: int, seed: int, encoding: str, backend: str, time_limit: float) -> RunOutcome:
    from ftgames.catalogue.bilevel_families import family_instance
    from ftgames.formulations.bilevel import solve_bilevel
    from ftgames.solvers import SolveConfig

    bm = family_instance(family, size, seed).build()
    result = solve_bilevel(bm, encoding=encoding, solver=backend, config=SolveConfig(time_limit=time_limit))
    certificate = result.certificate
    level = str(certificate.level) if certificate is not None else "none"
    objective = leader_objective(bm) if result.ok else None
    message = "" if level == "global" else ("; ".join(certificate.reasons)[:300] if certificate is not None
                                            else result.message)
    return RunOutcome(str(result.status), level, objective, result.build_time, result.solve_time, message,
                      stats=dict(result.stats))


def _kept(value: str, patterns: tuple[str, ...] | None) -> bool:
    return patterns is None or any(fnmatch.fnmatchcase(value, p) for p in patterns)


def cases(options: BenchOptions):
    layer, reason = discover("ftgames.formulations.bilevel", "ENCODINGS", "solve_bilevel")
    families, reason2 = discover("ftgames.catalogue.bilevel_families", "toll_grid", "strategic_bidding_market")
    if layer is None or families is None:
        yield Skip("*", "kkt:*", "*", reason or reason2)
        return
    unavailable = {b: backend_unavailable(b) for b in BACKENDS}
    for backend, why in unavailable.items():
        if why:
            yield Skip("*", "*", backend, why)
    backends = [b for b in BACKENDS if not unavailable[b]]
    formulations = [f"kkt:{encoding}" for encoding in layer.ENCODINGS]
    wanted_runs = any(_kept(f, options.formulations) for f in formulations) and \
        any(_kept(b, options.backends) for b in backends)
    plan = []
    for family, (small, full) in SIZES.items():
        for seed in SEEDS[options.scale]:
            plan += [(family, size, seed) for size in options.sizes(small=small, full=full)]
    # a reference costs solves: only for what the runner's selection will run
    refs = references([(f, n, s) for f, n, s in plan if wanted_runs and _kept(f"{f}_s{s}", options.instances)
                       and (options.max_size is None or n <= options.max_size)])
    for family, size, seed in plan:
        for formulation in formulations:
            encoding = formulation.partition(":")[2]
            for backend in backends:
                yield Case(f"{family}_s{seed}", size, formulation, backend,
                           guarded(partial(run, family, size, seed, encoding, backend)),
                           refs.get((family, size, seed)), tolerance=1e-5)


SUITE = Suite("bilevel_scaling", "scalable seeded bilevel families (LP-LP, toll setting, strategic bidding) × "
              "KKT encodings × backends, up to the size each passes the time limit", cases,
              warm_imports=("numpy", "pyomo.environ", "ftgames.formulations.bilevel",
                            "ftgames.catalogue.bilevel_families"), expected_minutes=EXPECTED_MINUTES)


def summary(rows: list[dict]) -> str:
    """Markdown, one table per instance: rows formulation / backend, columns sizes; a cell is the total time if the
    answer is right (``(local)`` when its certificate is local, † when there is no reference), ``✗`` with the status
    or the error otherwise, ``–`` not run after the series passed the limit; the last column is the size at which
    the series passed the time limit (``–``: never, within the sizes run)."""
    ran = [r for r in rows if r["status"] not in ("not_applicable",) and r["instance"] != "*"]
    out = []
    for instance in dict.fromkeys(r["instance"] for r in ran):
        mine = [r for r in ran if r["instance"] == instance]
        sizes = sorted({r["size"] for r in mine if r["size"] is not None})
        out += [f"**{instance}**", "", "| formulation / backend | " + " | ".join(str(s) for s in sizes)
                + " | passes the limit at |", "|---|" + "---:|" * len(sizes) + "---|"]
        for series in dict.fromkeys((r["formulation"], r["backend"]) for r in mine):
            cells, passed = [], "–"
            by_size = {r["size"]: r for r in mine if (r["formulation"], r["backend"]) == series}
            for size in sizes:
                r = by_size.get(size)
                if r is None or r["status"] == "skipped":
                    cells.append("–")
                    continue
                limit = r.get("time_limit") or 0
                if r["status"] == "time_limit" or (r["total_time"] or 0) > limit:
                    passed = passed if passed != "–" else str(size)
                    cells.append("✗ limit")
                elif r["correct"] is False or r["status"] not in ("optimal", "locally_optimal"):
                    error = r.get("error")
                    cells.append(f"✗ {r['status']}" if error is None or r["status"] not in (
                        "optimal", "locally_optimal") else f"✗ err {error:.1e}")
                else:
                    mark = "" if r["certificate"] == "global" else f" ({r['certificate']})"
                    cells.append(f"{r['total_time']:.2f}{mark}{' †' if r['reference'] is None else ''}")
            out.append(f"| {series[0]} / {series[1]} | " + " | ".join(cells) + f" | {passed} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Summarise a bilevel_scaling run: time against size per series.")
    parser.add_argument("results", help="results.json written by ftgames bench bilevel_scaling --out DIR")
    args = parser.parse_args()
    with open(args.results) as handle:
        data = json.load(handle)
    print(summary(data["rows"] if isinstance(data, dict) else data))
