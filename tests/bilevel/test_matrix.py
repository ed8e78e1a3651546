"""The full catalogue × encoding × backend matrix (slow; ``pytest -m slow tests/bilevel``).

Rules checked on every run the capabilities allow:
* an exact encoding on a global backend reaches the known optimum and is ``certified_global``;
* big-M on a global backend reaches the known optimum and is certified (``certified_local`` when M is unproven);
* any certified result is bilevel feasible, so it is never better than the known optimum;
* ``certified_global`` always means the known optimum.
"""

import pytest

from ftgames.catalogue import BILEVEL_INSTANCES
from ftgames.formulations.bilevel import CERTIFIED_GLOBAL, BilevelError, solve_bilevel
from ftgames.solvers import CapabilityError, SolveConfig

ENCODINGS = ("sos1", "bigm", "indicator", "product", "strong_duality", "enumeration")
BACKENDS = ("scip", "highs", "ipopt")
GLOBAL_BACKENDS = ("scip", "highs")
EXACT = ("sos1", "indicator", "product", "strong_duality", "enumeration")
# SCIP 9 loops without honouring its time limit on the strong-duality model of #3 (bilinear nu * x terms with
# unbounded multipliers): run it through benchmarks/bilevel_catalogue.py, which kills it.
KNOWN_HANGS = {(3, "strong_duality", "scip")}
# Runs that end honestly without the optimum (uncertified, or certified_local at a worse point): the soundness rules
# still apply to them, the "must reach the optimum" rules do not.
KNOWN_SHORTFALLS = {
    (10, "product", "scip"): "unbounded multipliers: SCIP reaches the time limit with an incumbent",
    (13, "product", "scip"): "SCIP reports 'error in LP solver' on this model",
    (13, "bigm", "scip"): "the follower's optimal set is unbounded; SCIP parks y at the default M, which is flagged",
}

CASES = [pytest.param(inst, enc, be, id=f"{inst.number}-{enc}-{be}",
                      marks=[pytest.mark.slow] + ([pytest.mark.skip(reason="SCIP hang, see KNOWN_HANGS")]
                                                  if (inst.number, enc, be) in KNOWN_HANGS else []))
         for inst in BILEVEL_INSTANCES if not inst.refused for enc in ENCODINGS for be in BACKENDS]


@pytest.mark.parametrize(("inst", "encoding", "backend"), CASES)
def test_matrix(inst, encoding, backend):
    try:
        res = solve_bilevel(inst.build(), encoding=encoding, solver=backend, config=SolveConfig(time_limit=20))
    except CapabilityError as exc:
        pytest.skip(f"capabilities: {exc}"[:200])
    except BilevelError as exc:
        if "not linear" in str(exc):
            pytest.skip("strong duality needs a linear follower")
        raise
    hit = res.objective is not None and abs(res.objective - inst.optimum) <= 1e-5 * (1 + abs(inst.optimum))
    expected_to_reach = (inst.number, encoding, backend) not in KNOWN_SHORTFALLS
    if backend in GLOBAL_BACKENDS and encoding in EXACT and expected_to_reach:
        assert res.label == CERTIFIED_GLOBAL and hit, (res.status, res.objective, res.certificate.reasons)
    if backend in GLOBAL_BACKENDS and encoding == "bigm" and expected_to_reach:
        assert res.certificate.level != "none" and hit, (res.status, res.objective, res.certificate.reasons)
    if res.label == CERTIFIED_GLOBAL:
        assert hit
    if res.certificate.level != "none":
        better = res.objective < inst.optimum if inst.leader_sense == "min" else res.objective > inst.optimum
        assert not better or hit, "a certified bilevel-feasible point cannot beat the global optimum"


@pytest.mark.slow
def test_product_multistart_on_ipopt_finds_bard_optimum():
    from ftgames.catalogue import bilevel_instance

    res = solve_bilevel(bilevel_instance(2).build(), encoding="product", solver="ipopt", starts=5, seed=0)
    assert res.label == "certified_local"  # local method: never certified_global
    assert res.objective == pytest.approx(-12, abs=1e-5)
