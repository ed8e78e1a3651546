"""Catalogue instances reach their literature optimum, certified, with two (encoding, backend) pairs; negative tests.

The full catalogue × encoding × backend matrix is in ``test_matrix.py`` (slow)."""

import math

import pyomo.environ as pyo
import pytest

from ftgames.catalogue import BARGAINING_INSTANCES, BILEVEL_INSTANCES, bilevel_instance
from ftgames.formulations.bilevel import (
    CERTIFIED_GLOBAL,
    UNCERTIFIED,
    BilevelError,
    BilevelModel,
    NotCertified,
    solve_bilevel,
)

SOLVABLE = [i for i in BILEVEL_INSTANCES if not i.refused]

# A second global pair per instance, different from sos1 + SCIP (linear leaders: enumeration on HiGHS).
SECOND_PAIR = {1: ("enumeration", "highs"), 2: ("enumeration", "highs"), 3: ("indicator", "scip"),
               4: ("enumeration", "highs"), 5: ("enumeration", "highs"), 6: ("product", "scip"),
               7: ("indicator", "scip"), 8: ("product", "scip"), 9: ("product", "scip"),
               10: ("indicator", "scip"), 11: ("indicator", "scip"), 12: ("enumeration", "highs"),
               13: ("enumeration", "highs"), 14: ("enumeration", "highs"), 16: ("indicator", "scip")}


def _close(a: float, b: float, tol: float = 1e-5) -> bool:
    return abs(a - b) <= tol * (1 + abs(b))


@pytest.mark.parametrize("inst", SOLVABLE, ids=lambda i: f"{i.number}-{i.key}")
def test_sos1_scip_reaches_the_known_optimum_certified_global(inst):
    bm = inst.build()
    res = solve_bilevel(bm, encoding="sos1", solver="scip")
    assert res.label == CERTIFIED_GLOBAL, res.certificate.reasons
    assert _close(res.objective, inst.optimum)
    for name, value in inst.solution.items():
        assert res.values[name] == pytest.approx(value, abs=1e-4), name
    for follower, value in inst.follower_values.items():
        check = next(c for c in res.certificate.followers if c.follower == follower)
        assert check.best_response_value == pytest.approx(value, abs=1e-4)


@pytest.mark.parametrize("inst", SOLVABLE, ids=lambda i: f"{i.number}-{i.key}")
def test_a_second_global_pair_reaches_the_known_optimum(inst):
    encoding, solver = SECOND_PAIR[inst.number]
    res = solve_bilevel(inst.build(), encoding=encoding, solver=solver)
    assert res.label == CERTIFIED_GLOBAL, res.certificate.reasons
    assert _close(res.objective, inst.optimum)


def test_bigm_trap_with_small_m_is_not_certified():
    inst = bilevel_instance(14)
    res = solve_bilevel(inst.build(), encoding="bigm", solver="highs", **inst.trap_options)
    assert res.objective == pytest.approx(51.5, abs=1e-6)  # the wrong answer a naive big-M model returns
    assert res.label == UNCERTIFIED
    assert any("lower.y:lb" in a for a in res.certificate.bigm_active)
    with pytest.raises(NotCertified, match="big-M"):
        res.require_certified()


def test_bigm_trap_with_proven_or_unhit_m_finds_the_optimum():
    inst = bilevel_instance(14)
    res = solve_bilevel(inst.build(), encoding="bigm", solver="highs")  # default M 1e4 is not active at y = 100
    assert res.objective == pytest.approx(102, abs=1e-6)
    assert res.certificate.level != "none" and res.label != CERTIFIED_GLOBAL  # the default M is not a proven bound


def test_integer_follower_is_refused():
    with pytest.raises(BilevelError, match="integer"):
        solve_bilevel(bilevel_instance(15).build(), encoding="sos1", solver="scip")


def test_follower_duals_have_the_shadow_price_sign():
    res10 = solve_bilevel(bilevel_instance(10).build(), encoding="sos1", solver="scip")
    assert res10.values["market_duals.dual_balance"] == pytest.approx(1000, abs=1e-5)
    res11 = solve_bilevel(bilevel_instance(11).build(), encoding="sos1", solver="scip")
    assert res11.values["market_duals.dual_balance"] == pytest.approx(15, abs=1e-5)


def test_maximizing_follower_via_the_cournot_potential():
    """#9 with one follower maximizing the potential (P-1)q1 + (P-1)q2 + q1 q2: same answer as the Nash pair."""
    bm = BilevelModel("cournot_potential")
    m = bm.model
    m.Q = pyo.Var(within=pyo.NonNegativeReals)
    f = bm.add_follower("firms", sense="max")
    f.block.q = pyo.Var([1, 2], within=pyo.NonNegativeReals)
    q = f.block.q
    margin = 12 - m.Q - q[1] - q[2]
    f.set_objective(margin * q[1] + margin * q[2] + q[1] * q[2])
    m.obj = pyo.Objective(expr=margin * m.Q, sense=pyo.maximize)
    res = solve_bilevel(bm, encoding="sos1", solver="scip")
    assert res.label == CERTIFIED_GLOBAL
    assert res.objective == pytest.approx(12, abs=1e-6)
    assert [res.values["Q"], res.values["firms.q[1]"], res.values["firms.q[2]"]] == pytest.approx([6, 2, 2], abs=1e-5)


def test_a_max_follower_written_as_min_would_be_refused_as_nonconvex():
    bm = bilevel_instance(9).build()
    bm.followers[0].sense = "min"  # minimizing the concave profit: not convex, must be refused
    with pytest.raises(BilevelError, match="concave"):
        solve_bilevel(bm, encoding="sos1", solver="scip")


def test_nonlinear_follower_needs_assume_convex():
    def build(assume_convex: bool) -> BilevelModel:
        bm = BilevelModel("exp_follower")
        m = bm.model
        m.x = pyo.Var(bounds=(1, 3))
        f = bm.add_follower("lower", assume_convex=assume_convex)
        f.block.y = pyo.Var(bounds=(0, 5))
        f.set_objective(pyo.exp(f.block.y) - m.x * f.block.y)  # best response y = log(x)
        m.obj = pyo.Objective(expr=(m.x - 2) ** 2 + (f.block.y - 1) ** 2)
        return bm

    with pytest.raises(BilevelError, match="assume_convex"):
        solve_bilevel(build(False), encoding="sos1", solver="scip")
    res = solve_bilevel(build(True), encoding="sos1", solver="scip")
    assert res.certificate.level != "none"
    assert res.values["lower.y"] == pytest.approx(math.log(res.values["x"]), abs=1e-5)


def test_incapable_backend_fails_before_building():
    from ftgames.solvers import CapabilityError

    with pytest.raises(CapabilityError, match="sos1"):
        solve_bilevel(bilevel_instance(2).build(), encoding="sos1", solver="highs")


def test_bargaining_instances_are_consistent():
    for inst in BARGAINING_INSTANCES:
        for utilities in inst.solutions.values():
            assert len(utilities) == inst.players
            assert sum(utilities) <= 1 + 1e-12 if inst.frontier == "linear" else \
                utilities[1] <= 1 - utilities[0] ** 2 + 1e-12


@pytest.mark.parametrize("inst", BARGAINING_INSTANCES, ids=lambda i: i.key)
def test_bargaining_programs_reproduce_the_closed_forms(inst):
    bargaining = pytest.importorskip("ftgames.formulations.bargaining")
    for solution, expected in inst.solutions.items():
        point = bargaining.bargaining_point(solution, inst.players, inst.feasible, weights=inst.weights,
                                           disagreement=inst.disagreement)
        assert point.utilities == pytest.approx(expected, abs=1e-4), solution  # conic solver accuracy


@pytest.mark.parametrize(("encoding", "solver"), [("sos1", "scip"), ("bigm", "highs")])
def test_leader_row_duals_come_from_the_active_set_lp_and_match_a_finite_difference(encoding, solver):
    """Bard 5.1.1 with a leader row x <= cap: a MIP encoding has no duals of its own; the polish's LP on the answer's
    active set gives d(F)/d(cap) = -5 (F = 8 - 5x on that piece), checked against re-solving at cap + 0.01."""
    from ftgames.catalogue.linear_bilevel import LINEAR_BILEVEL_INSTANCES

    def solve_with(cap: float):
        bm = LINEAR_BILEVEL_INSTANCES[0]().build()
        bm.model.cap = pyo.Constraint(expr=bm.model.x[0] <= cap)
        return solve_bilevel(bm, encoding=encoding, solver=solver)

    res, moved = solve_with(3.5), solve_with(3.51)
    assert res.certified and res.objective == pytest.approx(-9.5, abs=1e-9)
    assert set(res.duals) == {"cap"} and "active-set LP" in res.message
    assert res.duals["cap"] == pytest.approx((moved.objective - res.objective) / 0.01, abs=1e-6)
