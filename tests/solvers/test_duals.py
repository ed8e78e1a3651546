"""Duals follow one contract on every backend and layer (docs/solvers.md, "Duals"; contracts section 6).

Convention: ``dual = d(optimal objective value) / d(rhs)`` of the row ``body <= rhs``, ``body >= rhs`` or
``body == rhs``, in the objective's own sense.  Every expected value below is worked out by hand.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import pyomo.environ as pyo
import pytest

from ftgames.formulations.bilevel import BilevelModel, solve_bilevel
from ftgames.solvers import Capability as C, Layer, Status, get_backend, solve
from ftgames.solvers.base import cvxpy_dual_labels, dual_of

TOL = 1e-6

# ---------------------------------------------------------------------------------------------------- the programs
# LP (min):  min 2x + 3y + z,  x, y, z >= 0,  ge: x + y >= 4,  le: x <= 3,  eq: z - y == 1.
#   With z = 1 + y the cost is 2x + 4y + 1, so x (cheaper) goes to its cap: x = 3, y = 1, z = 2, value 11.
#   ge: rhs 4 -> 4 + d gives y = 1 + d, z = 2 + d: value + 3d + d              -> dual +4
#   le: rhs 3 -> 3 + d gives x = 3 + d, y = 1 - d, z = 2 - d: + 2d - 3d - d    -> dual -2
#   eq: rhs 1 -> 1 + d gives z = 2 + d                                         -> dual +1
LP_VALUE = 11.0
LP_DUALS = {"ge": 4.0, "le": -2.0, "eq": 1.0}
# LP (max):  max 3x + 2y,  x, y >= 0,  cap: x + y <= 4,  floor: y >= 2.
#   x is worth more than y, so y sits at its floor: x = 2, y = 2, value 10.
#   cap:   rhs 4 -> 4 + d gives x = 2 + d: + 3d                                -> dual +3
#   floor: rhs 2 -> 2 + d gives y = 2 + d, x = 2 - d: + 2d - 3d                -> dual -1
LPMAX_VALUE = 10.0
LPMAX_DUALS = {"cap": 3.0, "floor": -1.0}
# Convex QP (min):  min (x - 1)^2 + (y - 2.4)^2,  c: x + y <= 2,  ge: x >= 0.5.
#   KKT with c and ge active: x = 0.5, y = 1.5 (value 0.25 + 0.81 = 1.06); the gradient (2(x-1), 2(y-2.4)) =
#   (-1, -1.8) = -l (1, 1) + m (1, 0) gives l = 1.8, m = 0.8.  Directly:
#   c:  rhs 2 -> 2 + d gives y = 1.5 + d: d/dd (-0.9 + d)^2 = -1.8            -> dual -1.8
#   ge: rhs 0.5 -> 0.5 + d gives x = 0.5 + d, y = 1.5 - d: -1 + 1.8 = 0.8       -> dual +0.8
QP_VALUE = 1.06
QP_DUALS = {"c": -1.8, "ge": 0.8}


def pyomo_lp() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None))
    m.y = pyo.Var(bounds=(0, None))
    m.z = pyo.Var(bounds=(0, None))
    m.ge = pyo.Constraint(expr=m.x + m.y >= 4)
    m.b = pyo.Block()  # a row on a block: key "b.le"
    m.b.le = pyo.Constraint(expr=m.x <= 3)
    m.eq = pyo.Constraint([1], rule=lambda m, i: m.z - m.y == 1)  # an indexed row: key "eq[1]"
    m.obj = pyo.Objective(expr=2 * m.x + 3 * m.y + m.z)
    return m


PYOMO_LP_KEYS = {"ge": "ge", "le": "b.le", "eq": "eq[1]"}


def pyomo_lpmax() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, None))
    m.y = pyo.Var(bounds=(0, None))
    m.cap = pyo.Constraint(expr=m.x + m.y <= 4)
    m.floor = pyo.Constraint(expr=m.y >= 2)
    m.obj = pyo.Objective(expr=3 * m.x + 2 * m.y, sense=pyo.maximize)
    return m


def pyomo_qp() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=0.0)
    m.y = pyo.Var(initialize=0.0)
    m.c = pyo.Constraint(expr=m.x + m.y <= 2)
    m.ge = pyo.Constraint(expr=m.x >= 0.5)
    m.obj = pyo.Objective(expr=(m.x - 1) ** 2 + (m.y - 2.4) ** 2)
    return m


def cvxpy_lp() -> tuple[cp.Problem, dict[str, str]]:
    x, y, z = (cp.Variable(name=n, nonneg=True) for n in "xyz")
    cons = [(x + y >= 4).set_label("ge"), (x <= 3).set_label("le"), z - y == 1]  # the last one unlabelled
    return cp.Problem(cp.Minimize(2 * x + 3 * y + z), cons), {"ge": "ge", "le": "le", "eq": "constraint[2]"}


def cvxpy_lpmax() -> tuple[cp.Problem, dict[str, str]]:
    x, y = cp.Variable(name="x", nonneg=True), cp.Variable(name="y", nonneg=True)
    cons = [(x + y <= 4).set_label("cap"), (y >= 2).set_label("floor")]
    return cp.Problem(cp.Maximize(3 * x + 2 * y), cons), {"cap": "cap", "floor": "floor"}


def cvxpy_qp() -> tuple[cp.Problem, dict[str, str]]:
    x, y = cp.Variable(name="x"), cp.Variable(name="y")
    cons = [x + y <= 2, 0.5 <= x]  # unlabelled; "0.5 <= x" is the same row as "x >= 0.5"
    return (cp.Problem(cp.Minimize(cp.square(x - 1) + cp.square(y - 2.4)), cons),
            {"c": "constraint[0]", "ge": "constraint[1]"})


PYOMO_CASES = {
    "lp": (pyomo_lp, {C.LP}, LP_VALUE, {PYOMO_LP_KEYS[k]: v for k, v in LP_DUALS.items()}),
    "lpmax": (pyomo_lpmax, {C.LP}, LPMAX_VALUE, LPMAX_DUALS),
    "qp": (pyomo_qp, {C.CONVEX_QP}, QP_VALUE, QP_DUALS),
}
CVXPY_CASES = {
    "lp": (cvxpy_lp, {C.LP}, LP_VALUE, LP_DUALS),
    "lpmax": (cvxpy_lpmax, {C.LP}, LPMAX_VALUE, LPMAX_DUALS),
    "qp": (cvxpy_qp, {C.CONVEX_QP}, QP_VALUE, QP_DUALS),
}


def _need(backend: str, layer: Layer) -> None:
    avail = get_backend(backend).availability(layer)
    if not avail.available:
        pytest.skip(f"{backend} on {layer} unavailable: {avail.reason}")


# ------------------------------------------------------------------------------------------------------- Pyomo
@pytest.mark.parametrize("case", list(PYOMO_CASES))
@pytest.mark.parametrize("backend", ["highs", "ipopt"])
def test_pyomo_duals_have_one_sign_and_full_names(backend: str, case: str) -> None:
    _need(backend, Layer.PYOMO)
    build, requires, value, expected = PYOMO_CASES[case]
    m = build()
    res = solve(m, requires=requires, solver=backend, convex=True, formulation=f"duals {case}")
    assert res.ok and res.objective == pytest.approx(value, abs=TOL)
    assert set(res.duals) == set(expected)  # full Pyomo names (b.le, eq[1]), no user-added suffix needed
    for name, dual in expected.items():
        assert res.duals[name] == pytest.approx(dual, abs=TOL), (backend, name)
    assert m.component("dual") is None  # the suffix the backend attached is gone again
    assert res.to_dict()["duals"] == res.duals
    if case == "lp":
        assert dual_of(res, m.b.le) == res.duals["b.le"] and dual_of(res, m.eq[1]) == res.duals["eq[1]"]


def test_pyomo_user_suffix_is_kept_and_discrete_programs_say_why_no_duals() -> None:
    m = pyomo_lp()
    m.dual = pyo.Suffix(direction=pyo.Suffix.IMPORT)
    res = solve(m, requires={C.LP}, solver="highs", convex=True)
    assert res.duals["ge"] == pytest.approx(4, abs=TOL) and m.component("dual") is m.dual and len(m.dual) == 3
    m.x.domain = pyo.NonNegativeIntegers  # a MILP: no duals, but the solve still succeeds
    mip = solve(m, requires={C.MILP}, solver="highs")
    assert mip.ok and mip.duals == {} and "duals: none (a discrete program" in mip.message
    assert m.component("dual") is m.dual


def test_scip_says_it_has_no_duals_instead_of_returning_wrong_ones() -> None:
    _need("scip", Layer.PYOMO)
    res = solve(pyomo_lp(), requires={C.LP}, solver="scip")
    assert res.ok and res.duals == {}
    assert "duals: not available" in res.message and "scip_direct" in res.message
    prob, _ = cvxpy_lp()
    res = solve(prob, requires={C.LP}, solver="scip")
    assert res.ok and res.duals == {} and "duals: not available" in res.message


# ------------------------------------------------------------------------------------------------------- CVXPY
@pytest.mark.parametrize("case", list(CVXPY_CASES))
@pytest.mark.parametrize(("backend", "tol"), [("highs", TOL), ("clarabel", TOL), ("scs", 1e-4)])
def test_cvxpy_duals_have_one_sign_and_readable_unique_keys(backend: str, tol: float, case: str) -> None:
    _need(backend, Layer.CVXPY)
    build, requires, value, expected = CVXPY_CASES[case]
    prob, keys = build()
    res = solve(prob, requires=requires, solver=backend, convex=True, formulation=f"duals {case}")
    assert res.ok and res.objective == pytest.approx(value, abs=tol)
    assert set(res.duals) == {keys[k] for k in expected}
    assert set(cvxpy_dual_labels(prob)) == {c.id for c in prob.constraints}
    for name, dual in expected.items():
        assert res.duals[keys[name]] == pytest.approx(dual, abs=tol), (backend, name)
        assert dual_of(res, prob.constraints[list(keys).index(name)], prob) == res.duals[keys[name]]


def test_cvxpy_ipopt_says_it_has_no_duals() -> None:
    _need("ipopt", Layer.CVXPY)
    prob, _ = cvxpy_qp()
    res = solve(prob, requires={C.CONVEX_QP}, solver="ipopt", convex=True)
    assert res.ok and res.duals == {} and "duals: not available" in res.message


def test_cvxpy_vector_duals_stay_arrays_and_duplicate_labels_stay_unique() -> None:
    # min v1 + v2 s.t. v >= (1, 2) (each entry binding: dual +1 each), sum(v) <= 10 (slack: 0), both labelled "floor"
    v = cp.Variable(2, name="v")
    cons = [(v >= np.array([1.0, 2.0])).set_label("floor"), (cp.sum(v) <= 10).set_label("floor")]
    res = solve(cp.Problem(cp.Minimize(cp.sum(v)), cons), requires={C.LP}, solver="clarabel", convex=True)
    assert set(res.duals) == {"floor (constraint[0])", "floor (constraint[1])"}
    assert isinstance(res.duals["floor (constraint[0])"], np.ndarray)
    assert np.allclose(res.duals["floor (constraint[0])"], [1.0, 1.0], atol=TOL)
    assert res.to_dict()["duals"]["floor (constraint[0])"] == pytest.approx([1.0, 1.0], abs=TOL)


# ----------------------------------------------------------------------------------------------------- bilevel
def capped() -> BilevelModel:
    """Leader min -x + 3y s.t. cap: x <= 0.5, 0 <= x <= 10; follower min y s.t. c: y + x >= 1, y >= 0.

    The follower answers y(x) = 1 - x, so the leader's value is 3 - 4x: x = 0.5 (cap binding), y = 0.5, value 1.
    Leader dual of cap: rhs 0.5 -> 0.5 + d gives value 1 - 4d                         -> dual -4.
    Follower multiplier of c (Follower.dual sign): rhs 1 -> 1 + d gives y = 0.5 + d     -> multiplier +1.
    """
    bm = BilevelModel("capped")
    m = bm.model
    m.x = pyo.Var(bounds=(0, 10))
    f = bm.add_follower("lower")
    f.block.y = pyo.Var(bounds=(0, None))
    f.block.c = pyo.Constraint(expr=f.block.y + m.x >= 1)
    f.set_objective(f.block.y)
    m.cap = pyo.Constraint(expr=m.x <= 0.5)
    m.obj = pyo.Objective(expr=-m.x + 3 * f.block.y)
    return bm


def test_bilevel_result_on_a_mip_encoding_takes_leader_duals_from_the_active_set_lp() -> None:
    """SCIP gives no duals and SOS1 makes the program discrete: the leader row's dual comes from the polish's LP on
    the answer's active set, and equals the one of the continuous strong-duality program on Ipopt (next test)."""
    _need("scip", Layer.PYOMO)
    res = solve_bilevel(capped(), encoding="sos1", solver="scip")
    out = res.to_dict()
    assert res.status is Status.OPTIMAL and res.objective == pytest.approx(1, abs=TOL)
    assert out["multipliers"] == pytest.approx({"lower.c": 1.0}, abs=TOL)
    assert out["duals"] == pytest.approx({"cap": -4.0}, abs=TOL) and "active-set LP" in res.message


def test_bilevel_result_carries_leader_row_duals() -> None:
    _need("ipopt", Layer.PYOMO)
    res = solve_bilevel(capped(), encoding="strong_duality", solver="ipopt")
    out = res.to_dict()
    assert res.ok and res.objective == pytest.approx(1, abs=1e-5)
    assert out["duals"] == pytest.approx({"cap": -4.0}, abs=1e-5)  # leader rows only, no KKT rows
    assert out["multipliers"] == pytest.approx({"lower.c": 1.0}, abs=1e-5)
