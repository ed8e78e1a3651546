"""Every bilevel instance of the catalogue × KKT encoding × backend, checked against the literature optimum.

As a suite: ``ftgames bench bilevel_catalogue --out DIR``.  As a script, one line (or JSON object) per run, each run
in its own process killed after ``--timeout`` seconds (SCIP can overrun its own limit on some nonconvex models)::

    .venv/bin/python benchmarks/bilevel_catalogue.py [--instances 1,2] [--encodings sos1,bigm] [--solvers scip]
                                                     [--timeout 60] [--json]

Formulations are ``kkt:<encoding>`` (the grammar's names; ``kkt:bigm[bigm=50]`` is the big-M trap with its bound).
Size is the number of variables of the bilevel model (leader and followers).  Objective: the leader's objective
after the solve (in the instance's own sense); reference: the catalogue's optimum.  Certificate: the level of the
bilevel layer's certificate (global, local or none).  A backend that cannot take an encoding's program
(capabilities checked before anything is built) is reported n/a with the reason.
"""

from __future__ import annotations

import argparse
import json
from functools import partial

from ftgames.bench import BenchOptions, Case, RunOutcome, Skip, Suite, discover
from ftgames.bench.helpers import backend_unavailable, guarded

BACKENDS = ("scip", "highs", "ipopt", "gurobi")


def leader_objective(bm) -> float:
    import pyomo.environ as pyo

    objectives = [o for o in bm.model.component_data_objects(pyo.Objective, active=True, descend_into=False)]
    return float(pyo.value(objectives[0]))


def run(key: str, encoding: str, backend: str, options: dict, time_limit: float) -> RunOutcome:
    from ftgames.catalogue import bilevel_instance
    from ftgames.formulations.bilevel import solve_bilevel
    from ftgames.solvers import SolveConfig

    bm = bilevel_instance(key).build()
    result = solve_bilevel(bm, encoding=encoding, solver=backend, config=SolveConfig(time_limit=time_limit),
                           **options)
    certificate = result.certificate
    level = str(certificate.level) if certificate is not None else "none"
    objective = leader_objective(bm) if result.ok else None
    return RunOutcome(str(result.status), level, objective, result.build_time, result.solve_time,
                      "" if level == "global" else "; ".join(certificate.reasons)[:300]
                      if certificate is not None else result.message, stats=result.stats)


def size_of(instance) -> int:
    import pyomo.environ as pyo

    bm = instance.build()
    return sum(1 for _ in bm.model.component_data_objects(pyo.Var, descend_into=True))


def cases(options: BenchOptions):
    catalogue, reason = discover("ftgames.catalogue", "BILEVEL_INSTANCES")
    layer, reason2 = discover("ftgames.formulations.bilevel", "ENCODINGS", "solve_bilevel")
    if catalogue is None or layer is None:
        yield Skip("*", "kkt:*", "*", reason or reason2)
        return
    unavailable = {b: backend_unavailable(b) for b in BACKENDS}
    for backend, why in unavailable.items():
        if why:
            yield Skip("*", "*", backend, why)
    for instance in catalogue.BILEVEL_INSTANCES:
        if instance.refused:
            yield Skip(instance.key, "*", "*", f"refused by design: {instance.notes}")
            continue
        size = size_of(instance)
        reference = instance.optimum if instance.status == "global" else None
        variants = [(encoding, {}) for encoding in layer.ENCODINGS]
        if instance.trap_options:
            label = ",".join(f"{k}={v}" for k, v in instance.trap_options.items())
            variants.append((f"bigm[{label}]", dict(instance.trap_options)))
        for encoding, extra in variants:
            name = encoding.split("[")[0]
            for backend in BACKENDS:
                if unavailable[backend]:
                    continue
                yield Case(instance.key, size, f"kkt:{encoding}", backend,
                           guarded(partial(run, instance.key, name, backend, extra)), reference, tolerance=1e-5)


SUITE = Suite("bilevel_catalogue", "catalogue instances × KKT encodings × backends", cases)


def main() -> None:
    """The matrix as a script: instance number, encoding, backend, status, objective, hit/miss, certificate, time."""
    from ftgames.bench.isolation import run_isolated
    from ftgames.catalogue import BILEVEL_INSTANCES
    from ftgames.formulations.bilevel import ENCODINGS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default=",".join(str(i.number) for i in BILEVEL_INSTANCES if not i.refused))
    parser.add_argument("--encodings", default=",".join(ENCODINGS))
    parser.add_argument("--solvers", default="scip,highs,ipopt")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    by_number = {i.number: i for i in BILEVEL_INSTANCES}
    for number in (int(n) for n in args.instances.split(",")):
        instance = by_number[number]
        for encoding in args.encodings.split(","):
            for solver in args.solvers.split(","):
                case = Case(instance.key, 0, f"kkt:{encoding}", solver,
                            guarded(partial(run, instance.key, encoding, solver, {})), instance.optimum, 1e-5)
                outcome = run_isolated(case, args.timeout)
                if outcome.status == "not_applicable":
                    continue
                hit = (outcome.objective is not None and instance.optimum is not None
                       and abs(outcome.objective - instance.optimum) <= 1e-5 * max(1.0, abs(instance.optimum)))
                row = {"instance": number, "key": instance.key, "encoding": encoding, "solver": solver,
                       "status": outcome.status, "objective": outcome.objective, "hit": hit,
                       "certificate": outcome.certificate, "wall": outcome.total_time, "message": outcome.message}
                if args.json:
                    print(json.dumps(row), flush=True)
                else:
                    obj = "" if outcome.objective is None else f"{outcome.objective:14.6f}"
                    print(f"{number:3d} {encoding:15s} {solver:6s} {outcome.status:16s} {obj:14s} "
                          f"{'HIT ' if hit else 'miss'} {outcome.certificate:7s} {outcome.total_time:7.2f}s "
                          f"{outcome.message[:120]}", flush=True)


if __name__ == "__main__":
    main()
