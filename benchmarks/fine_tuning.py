"""The fine-tuning game: one and n specialists, exponents k ∈ {2, 3}, with and without entry costs.

Equilibrium at fixed δ = 1/2 (objective: G's utility U_G; reference: the closed form, computed here independently,
or, with entry costs, the exact enumeration) by every formulation of ``ftgames.formulations.equilibrium``
(``closed_form``, ``enumeration``, ``kkt:<encoding>`` on each capable backend), and each bargaining solution of
``ftgames.formulations.bargaining`` (its registry ``SOLUTIONS``) with each of its formulations (objective: total
surplus U_G + Σ U_Di at the chosen δ; reference: the utilitarian closed form of the quadratic game, else none;
certificate: the weaker of the bargaining program's and the induced equilibrium's).  Size = number of specialists.
Times are wall clock around the public function's call; of it, ``build_time`` is what the formulation reports as
model construction (the KKT programs), the rest is ``solve_time``.
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
#: KKT encodings (formulation ``kkt:<encoding>``) and the backend each runs on.
KKT_RUNS = (("sos1", "scip"), ("bigm", "scip"), ("indicator", "scip"), ("product", "ipopt"), ("product", "scip"))
#: Bargaining formulations (``auto``: the library's choice) and backends (None: the formulation runs no solver).
BARGAINING_RUNS = (("auto", None), ("conic", "clarabel"), ("conic:log", "clarabel"), ("conic:geo_mean", "clarabel"),
                   ("single_level", "ipopt"), ("single_level", "scip"), ("frontier", None), ("vertices", None))


def outcome_of(status: str, certificate, value: float, build_time: float, elapsed: float,
               message: str) -> RunOutcome:
    """A run's outcome in the one vocabulary: the status as reported, the certificate's level; an "optimal" answer
    that is not proved global counts as locally optimal.  ``elapsed`` is the wall clock around the call, of which
    ``build_time`` (as the formulation reports it) is the build."""
    level = str(certificate.level)
    if status == "optimal" and level != "global":
        status = "locally_optimal"
    build = min(max(build_time, 0.0), elapsed)
    return RunOutcome(status, level, value, build, elapsed - build, message[:200])


def run_equilibrium(kind: str, n: int, formulation: str, backend: str | None, time_limit: float) -> RunOutcome:
    from ftgames.formulations.equilibrium import solve_equilibrium
    from ftgames.solvers import SolveConfig

    game = make_game(kind, n)
    options = {"solver": backend, "config": SolveConfig(time_limit=time_limit)} if backend else {}
    start = time.perf_counter()
    eq = solve_equilibrium(game, [DELTA] * n, formulation, **options)
    elapsed = time.perf_counter() - start
    message = "; ".join(eq.certificate.reasons) or f"{eq.formulation}: {eq.solver}"
    return outcome_of(eq.status, eq.certificate, eq.U_G, eq.build_time, elapsed, message)


def run_bargaining(kind: str, n: int, solution: str, formulation: str, backend: str | None,
                   time_limit: float) -> RunOutcome:
    from ftgames.formulations.bargaining import bargain
    from ftgames.solvers import SolveConfig

    game = make_game(kind, n)
    start = time.perf_counter()
    outcome = bargain(game, solution, formulation=None if formulation == "auto" else formulation, solver=backend,
                      config=SolveConfig(time_limit=time_limit))
    elapsed = time.perf_counter() - start
    # the bargaining program and the equilibrium it induces together (the weaker of the two certificates)
    return outcome_of(outcome.status, outcome.overall, outcome.equilibrium.total_surplus, 0.0, elapsed,
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
    for kind in KINDS:
        for n in sizes:
            if equilibrium is not None:
                reference = closed_form_leader_utility(kind, n, DELTA)
                if reference is None:
                    reference = enumeration_reference(kind, n)
                for formulation in equilibrium.FORMULATIONS:  # canonical kind[:encoding] names
                    if formulation.startswith("kkt:"):
                        encoding = formulation.partition(":")[2]
                        for backend in (b for e, b in KKT_RUNS if e == encoding and not unavailable[b]):
                            yield Case(f"equilibrium · {kind}", n, formulation, backend,
                                       guarded(partial(run_equilibrium, kind, n, formulation, backend)),
                                       reference, tolerance=1e-5)
                    else:
                        yield Case(f"equilibrium · {kind}", n, formulation, "exact",
                                   guarded(partial(run_equilibrium, kind, n, formulation, None)), reference,
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
