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
