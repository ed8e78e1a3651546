"""Core behaviour of the bilevel layer on Bard 5.1.1 (optimum x = 4, y = 4, F = -12 from the literature)."""

import pyomo.environ as pyo
import pytest

from ftgames.formulations.bilevel import CERTIFIED_GLOBAL, BilevelError, BilevelModel, solve_bilevel


def bard_511() -> BilevelModel:
    bm = BilevelModel("bard_511")
    m = bm.model
    m.x = pyo.Var(bounds=(0, None))
    f = bm.add_follower("lower")
    b = f.block
    b.y = pyo.Var(bounds=(0, None))
    b.c1 = pyo.Constraint(expr=-m.x - b.y <= -3)
    b.c2 = pyo.Constraint(expr=-2 * m.x + b.y <= 0)
    b.c3 = pyo.Constraint(expr=2 * m.x + b.y <= 12)
    b.c4 = pyo.Constraint(expr=3 * m.x - 2 * b.y <= 4)
    f.set_objective(b.y)
    m.obj = pyo.Objective(expr=m.x - 4 * b.y)
    return bm


def test_sos1_scip_is_certified_global():
    bm = bard_511()
    res = solve_bilevel(bm, encoding="sos1", solver="scip")
    assert res.label == CERTIFIED_GLOBAL
    assert res.objective == pytest.approx(-12, abs=1e-6)
    assert pyo.value(bm.model.x) == pytest.approx(4, abs=1e-6)
    assert res.certificate.followers[0].gap == pytest.approx(0, abs=1e-7)


def test_reformulation_is_inspectable_and_leaves_the_model_alone():
    bm = bard_511()
    single = bm.reformulate(encoding="bigm", bigm=100)
    names = {c.name for c in single.model.component_objects(pyo.Constraint, descend_into=True)}
    assert "lower_kkt.stationarity" in names and "complementarity.bigm.slack_off" in names
    assert bm.model.component("lower_kkt") is None
    assert all(v.proven or v.multiplier_source == "hint" for v in single.report.bigm)


def test_unknown_sense_and_encoding_are_refused():
    bm = BilevelModel("bad")
    with pytest.raises(BilevelError, match="sense"):
        bm.add_follower("f", sense="maximize")
    with pytest.raises(BilevelError, match="encoding"):
        solve_bilevel(bard_511(), encoding="nope")


def test_mixed_encoding_uses_each_choice():
    bm = bard_511()
    res = solve_bilevel(bm, encoding="mixed", solver="scip", choices={"lower.c1": "bigm", "lower.y": "product"},
                        default="sos1")
    assert res.objective == pytest.approx(-12, abs=1e-6) and res.certificate.level != "none"
    chosen = res.report.extras["choices"]
    assert chosen["lower.c1:ub"] == "bigm" and chosen["lower.y:lb"] == "product" and chosen["lower.c2:ub"] == "sos1"


def test_local_product_homotopy_is_never_certified_global():
    res = solve_bilevel(bard_511(), encoding="product", solver="ipopt", starts=1)  # from 0: the local F = -7
    assert res.label != CERTIFIED_GLOBAL
    if res.certificate.level != "none":  # a verified equilibrium is bilevel feasible: it cannot beat -12
        assert res.objective >= -12 - 1e-6
        assert res.certificate.complementarity_residual < 1e-6


def test_enumeration_has_no_single_model_and_strong_duality_needs_linear_followers():
    with pytest.raises(BilevelError, match="enumeration"):
        bard_511().reformulate(encoding="enumeration")
    bm = BilevelModel("quadratic_follower")
    bm.model.x = pyo.Var(bounds=(0, 1))
    f = bm.add_follower("lower")
    f.block.y = pyo.Var(bounds=(0, 2))
    f.set_objective((f.block.y - bm.model.x) ** 2)
    bm.model.obj = pyo.Objective(expr=bm.model.x + f.block.y)
    with pytest.raises(BilevelError, match="not linear"):
        bm.reformulate(encoding="strong_duality")


def test_bigm_values_are_reported_with_their_source():
    single = bard_511().reformulate(encoding="bigm", bigm={"lower.c1": (7, 9)}, bigm_default=500, dual_bounds=False)
    by_pair = {v.pair: v for v in single.report.bigm}
    assert by_pair["lower.c1:ub"].multiplier_m == 7 and by_pair["lower.c1:ub"].multiplier_source == "hint"
    assert by_pair["lower.c2:ub"].multiplier_source == "default" and by_pair["lower.c2:ub"].multiplier_m == 500
    # the slack 2x - y of c2 is at most 4 on the follower's rows (a proven bound from the tightening LP)
    c2 = by_pair["lower.c2:ub"]
    assert c2.slack_source == "tightened" and c2.slack_m == pytest.approx(4, rel=1e-4)
    assert not single.report.exact


def test_bigm_multipliers_proven_from_the_dual_vertices():
    # Bard 5.1.1's follower (min y): stationarity 1 - mu1 + mu2 + mu3 - 2 mu4 - sigma = 0, mu >= 0.  Its vertices
    # (one basic multiplier, worked out by hand) are mu1 = 1, mu4 = 1/2, sigma = 1; mu2 and mu3 are 0 at every one.
    single = bard_511().reformulate(encoding="bigm", bigm={"lower.c1": (7, 9)}, bigm_default=500)
    by_pair = {v.pair: v for v in single.report.bigm}
    expected = {"lower.c1:ub": 1.0, "lower.c2:ub": 0.0, "lower.c3:ub": 0.0, "lower.c4:ub": 0.5, "lower.y:lb": 1.0}
    for key, value in expected.items():
        assert by_pair[key].multiplier_source == "dual_vertex"  # a hint above a proof is not used
        assert by_pair[key].multiplier_m == pytest.approx(value, rel=1e-5, abs=1e-5)
    # c1's slack x + y - 3 is at most 6 over the follower's rows (at x = 3, y = 6): below the hint 9, so proven
    assert by_pair["lower.c1:ub"].slack_source == "tightened"
    assert by_pair["lower.c1:ub"].slack_m == pytest.approx(6, rel=1e-5)
    assert single.report.exact
    tightening = single.report.extras["tightening"]
    assert tightening.dual_bases == 5 and tightening.sources["dual_vertex"] == 5
    # c3's slack 12 - 2x - y needs no LP: x, y >= 0 bound it by intervals; the others' slacks do
    assert by_pair["lower.c3:ub"].slack_source == "bound" and tightening.lps_skipped == 6
