"""The fine-tuning game: one and n specialists, exponents k ∈ {2, 3}, with and without entry costs.

Equilibrium at fixed δ = 1/2 (objective: G's utility U_G; reference: the closed form, computed here independently,
or, with entry costs, the exact enumeration) by every formulation of ``ftgames.formulations.equilibrium``
(closed form, enumeration, KKT with each encoding on each capable backend), and each bargaining solution of
``ftgames.formulations.bargaining`` (its registry ``SOLUTIONS``) with each of its formulations (objective: total
surplus U_G + Σ U_Di at the chosen δ; reference: the utilitarian closed form of the quadratic game, else none).
Size = number of specialists.  Build and solve are timed together (the formulations' public functions do both).
"""

from __future__ import annotations

import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fine_tuning_games import KINDS, closed_form_leader_utility, make_game, utilitarian_surplus  # noqa: E402

from ftgames.bench import BenchOptions, Case, RunOutcome, Skip, Suite, discover  # noqa: E402
from ftgames.bench.helpers import backend_unavailable, guarded  # noqa: E402

DELTA = 0.5
KKT_RUNS = (("sos1", "scip"), ("bigm", "scip"), ("indicator", "scip"), ("product", "ipopt"), ("product", "scip"))
BARGAINING_RUNS = (("auto", None), ("conic", "clarabel"), ("log", "clarabel"), ("geo_mean", "clarabel"),
                   ("single_level", "ipopt"), ("single_level", "scip"), ("frontier", None), ("vertices", None))


def certified_of(certificate) -> str:
    status = str(certificate.status)
    return "global" if status == "global" else ("local" if status == "local" else "no")


def status_of(certified: str) -> str:
    return {"global": "optimal", "local": "locally_optimal"}.get(certified, "uncertified")


def run_equilibrium(kind: str, n: int, formulation: str, encoding: str | None, backend: str | None,
                    time_limit: float) -> RunOutcome:
    from ftgames.formulations.equilibrium import solve_equilibrium
    from ftgames.solvers import SolveConfig

    game = make_game(kind, n)
    start = time.perf_counter()
    if formulation == "kkt":
        eq = solve_equilibrium(game, [DELTA] * n, "kkt", encoding=encoding, solver=backend,
                               config=SolveConfig(time_limit=time_limit))
    else:
        eq = solve_equilibrium(game, [DELTA] * n, formulation)
    elapsed = time.perf_counter() - start
    certified = certified_of(eq.certificate)
    return RunOutcome(status_of(certified), certified, eq.U_G, 0.0, elapsed, eq.certificate.message[:200])


def run_bargaining(kind: str, n: int, solution: str, formulation: str, backend: str | None,
                   time_limit: float) -> RunOutcome:
    from ftgames.formulations.bargaining import bargain
    from ftgames.solvers import SolveConfig

    game = make_game(kind, n)
    start = time.perf_counter()
    outcome = bargain(game, solution, formulation=None if formulation == "auto" else formulation, solver=backend,
                      config=SolveConfig(time_limit=time_limit))
    elapsed = time.perf_counter() - start
    certified = "global" if outcome.certified else ("local" if outcome.status in ("optimal", "locally_optimal")
                                                    else "no")
    status = outcome.status if outcome.status != "optimal" or outcome.certified else "locally_optimal"
    return RunOutcome(status, certified, outcome.equilibrium.total_surplus, 0.0, elapsed,
                      f"{outcome.formulation}/{outcome.solver}")


def enumeration_reference(kind: str, n: int) -> float | None:
    equilibrium, _ = discover("ftgames.formulations.equilibrium", "solve_equilibrium")
    if equilibrium is None:
        return None
    return equilibrium.solve_equilibrium(make_game(kind, n), [DELTA] * n, "enumeration").U_G


def cases(options: BenchOptions):
    sizes = options.sizes(small=[1, 2, 5, 10], full=[1, 2, 5, 10, 50, 200, 1000, 10000])
    equilibrium, why_eq = discover("ftgames.formulations.equilibrium", "solve_equilibrium", "FORMULATIONS")
    bargaining, why_bargain = discover("ftgames.formulations.bargaining", "bargain", "SOLUTIONS", "FORMULATIONS")
    unavailable = {b: backend_unavailable(b) for b in ("scip", "ipopt", "highs")}
    unavailable["clarabel"] = backend_unavailable("clarabel", "cvxpy")
    for backend, why in unavailable.items():
        if why:
            yield Skip("*", "*", backend, why)
    if equilibrium is None:
        yield Skip("*", "equilibrium", "*", why_eq)
    if bargaining is None:
        yield Skip("*", "bargaining", "*", why_bargain)
    kkt_encodings = ()
    if equilibrium is not None and "kkt" in equilibrium.FORMULATIONS:
        kkt, why_kkt = discover("ftgames.formulations.equilibrium.kkt", "ENCODINGS")
        if kkt is None:
            yield Skip("*", "kkt", "*", why_kkt)
        else:
            kkt_encodings = kkt.ENCODINGS
    for kind in KINDS:
        for n in sizes:
            if equilibrium is not None:
                reference = closed_form_leader_utility(kind, n, DELTA)
                if reference is None:
                    reference = enumeration_reference(kind, n)
                for formulation in equilibrium.FORMULATIONS:
                    if formulation == "kkt":
                        for encoding, backend in KKT_RUNS:
                            if encoding in kkt_encodings and not unavailable[backend]:
                                yield Case(f"equilibrium · {kind}", n, f"kkt+{encoding}", backend,
                                           guarded(partial(run_equilibrium, kind, n, "kkt", encoding, backend)),
                                           reference, tolerance=1e-5)
                    else:
                        yield Case(f"equilibrium · {kind}", n, formulation, "exact",
                                   guarded(partial(run_equilibrium, kind, n, formulation, None, None)), reference,
                                   tolerance=1e-6, baseline=formulation == "closed_form")
            if bargaining is not None:
                for solution in bargaining.SOLUTIONS:
                    reference = utilitarian_surplus(n) if (solution == "utilitarian" and kind == "quadratic k=2") \
                        else None
                    for formulation, backend in BARGAINING_RUNS:
                        if formulation != "auto" and formulation not in bargaining.FORMULATIONS:
                            continue
                        if backend is not None and unavailable.get(backend):
                            continue
                        yield Case(f"bargaining {solution} · {kind}", n, formulation, backend or "exact",
                                   guarded(partial(run_bargaining, kind, n, solution, formulation, backend)),
                                   reference, tolerance=1e-5)


SUITE = Suite("fine_tuning", "fine-tuning game: equilibrium formulations and bargaining programs vs n", cases)
