"""Every bilevel instance of the catalogue × KKT encoding × backend, checked against the literature optimum.

Size is the number of variables of the bilevel model (leader and followers).  Objective: the leader's objective
after the solve (in the instance's own sense); reference: the catalogue's optimum.  Certified: the bilevel
layer's certificate (``certified_global`` → global, ``certified_local`` → local, else no).  A backend that cannot
take an encoding's program (capabilities checked before anything is built) is reported n/a with the reason.
"""

from __future__ import annotations

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
    label = result.label
    certified = "global" if label == "certified_global" else ("local" if label == "certified_local" else "no")
    objective = leader_objective(bm) if result.ok else None
    return RunOutcome(str(result.status), certified, objective, result.build_time, result.solve_time,
                      "" if result.certified else "; ".join(result.certificate.reasons)[:300]
                      if result.certificate else result.message)


def size_of(instance) -> int:
    import pyomo.environ as pyo

    bm = instance.build()
    return sum(1 for _ in bm.model.component_data_objects(pyo.Var, descend_into=True))


def cases(options: BenchOptions):
    catalogue, reason = discover("ftgames.catalogue", "BILEVEL_INSTANCES")
    layer, reason2 = discover("ftgames.formulations.bilevel", "ENCODINGS", "solve_bilevel")
    if catalogue is None or layer is None:
        yield Skip("*", "kkt", "*", reason or reason2)
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
                yield Case(instance.key, size, f"kkt+{encoding}", backend,
                           guarded(partial(run, instance.key, name, backend, extra)), reference, tolerance=1e-5)


SUITE = Suite("bilevel_catalogue", "catalogue instances × KKT encodings × backends", cases)
