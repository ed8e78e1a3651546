"""Big-M that pays for itself (issue 18): proven M values on linear bilevel problems, the tightening report,
``bigm="auto"``, and the literature instances of the PAO comparison in matrix form."""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo
import pytest
from scipy.optimize import linprog

from ftgames.catalogue import bilevel_instance
from ftgames.catalogue.linear_bilevel import LINEAR_BILEVEL_INSTANCES, LinearBilevel, random_lp_lp
from ftgames.formulations.bilevel import CERTIFIED_GLOBAL, BilevelError, solve_bilevel
from ftgames.solvers import SolveConfig

CONFIG = SolveConfig(time_limit=60)


def close(a: float, b: float, tol: float = 1e-6) -> bool:
    return abs(a - b) <= tol * (1 + abs(b))


@pytest.mark.parametrize("make", LINEAR_BILEVEL_INSTANCES, ids=lambda f: f.__name__)
def test_literature_instances_reach_the_published_optimum_with_proven_m(make):
    inst = make()
    bigm = solve_bilevel(inst.build(), encoding="bigm", solver="highs", config=CONFIG)
    assert bigm.label == CERTIFIED_GLOBAL and close(bigm.objective, inst.optimum)
    assert all(v.proven for v in bigm.report.bigm)  # every M proven: the encoding is exact, HiGHS is global
    sos1 = solve_bilevel(inst.build(), encoding="sos1", solver="scip", config=CONFIG)
    assert sos1.label == CERTIFIED_GLOBAL and close(sos1.objective, inst.optimum)
    for name, value in inst.solution.items():
        assert pyo.value(bigm.reformulation.model.find_component(name)) == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize(("make", "number"), [(LINEAR_BILEVEL_INSTANCES[0], 2), (LINEAR_BILEVEL_INSTANCES[1], 4)])
def test_matrix_form_agrees_with_the_catalogue(make, number):
    matrix = solve_bilevel(make().build(), encoding="bigm", solver="highs")
    written = solve_bilevel(bilevel_instance(number).build(), encoding="bigm", solver="highs")
    assert close(matrix.objective, written.objective, 1e-9)


def small_random(seed: int) -> LinearBilevel:
    """Tiny LP-LP instances (1-2 leader, 2-3 follower variables): few enough bases for the dual-vertex proof."""
    rng = np.random.default_rng(seed)
    n_x, n_y, m = int(rng.integers(1, 3)), int(rng.integers(2, 4)), int(rng.integers(2, 5))
    A = rng.integers(-4, 5, size=(m, n_x)).astype(float)
    B = rng.integers(0, 6, size=(m, n_y)).astype(float)
    B[0] = np.maximum(B[0], 1)  # the first row caps every follower variable: the follower is bounded
    b = np.maximum(A, 0).sum(axis=1) * 5 + rng.integers(1, 20, size=m)
    return LinearBilevel(f"small_{seed}", "test", rng.integers(-5, 6, size=n_x).astype(float),
                         rng.integers(-5, 6, size=n_y).astype(float), rng.integers(-6, 3, size=n_y).astype(float),
                         A, B, b.astype(float), (0.0,) * n_x, (5.0,) * n_x, (0.0,) * n_y, (None,) * n_y)


def vertex_multipliers(inst: LinearBilevel, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers of the follower at ``(x, y)`` by scipy alone: a vertex of {mu_rows, mu_lb >= 0 : d + B'mu_rows -
    mu_lb = 0} with every multiplier of a row or bound that is slack at ``(x, y)`` zero (min of their sum)."""
    m, n_y = inst.B.shape
    slack_rows = inst.b - inst.A @ x - inst.B @ y
    free = np.concatenate([slack_rows <= 1e-7, y <= 1e-7])  # which multipliers may be positive
    a_eq = np.hstack([inst.B.T, -np.eye(n_y)])
    res = linprog(np.ones(m + n_y), A_eq=a_eq, b_eq=-inst.d,
                  bounds=[(0, None) if ok else (0, 0) for ok in free], method="highs-ds")
    assert res.status == 0, f"{inst.key}: no multiplier complementary to the optimum ({res.message})"
    return res.x[:m], res.x[m:]


@pytest.mark.parametrize("seed", range(12))
def test_proven_m_values_keep_the_true_optimum_feasible(seed):
    inst = small_random(seed)
    exact = solve_bilevel(inst.build(), encoding="enumeration", solver="highs", config=CONFIG)
    assert exact.label == CERTIFIED_GLOBAL
    x = np.array([exact.values[f"x[{i}]"] for i in range(inst.n_x)])
    y = np.array([exact.values[f"lower.y[{j}]"] for j in range(inst.n_y)])
    mu_rows, mu_lb = vertex_multipliers(inst, x, y)
    bigm = solve_bilevel(inst.build(), encoding="bigm", solver="highs", config=CONFIG)
    by_pair = {v.pair: v for v in bigm.report.bigm}
    slack_rows = inst.b - inst.A @ x - inst.B @ y
    for r in range(len(inst.b)):
        v = by_pair.get(f"lower.row[{r}]:ub")
        if v is None:  # a row without follower variables has no pair
            continue
        if v.multiplier_source == "dual_vertex":
            assert mu_rows[r] <= v.multiplier_m + 1e-9, (inst.key, r, mu_rows[r], v)
        if v.proven:
            assert slack_rows[r] <= v.slack_m + 1e-9
    for j in range(inst.n_y):
        v = by_pair[f"lower.y[{j}]:lb"]
        if v.multiplier_source == "dual_vertex":
            assert mu_lb[j] <= v.multiplier_m + 1e-9, (inst.key, j, mu_lb[j], v)
        if v.proven:
            assert y[j] <= v.slack_m + 1e-9
    assert sum(v.multiplier_source == "dual_vertex" for v in bigm.report.bigm) == len(bigm.report.bigm)
    # with every M proven the big-M program is exact: same optimum as the enumeration, certified global
    assert bigm.label == CERTIFIED_GLOBAL and close(bigm.objective, exact.objective)


def test_tightening_report_counts_skipped_and_unbounded_lps():
    inst = random_lp_lp(10, 1)
    needed = solve_bilevel(inst.build(), encoding="bigm", solver="highs", config=CONFIG)
    t = needed.report.extras["tightening"]
    pairs = len(needed.report.bigm)
    assert t.lps_solved + t.lps_skipped == 2 * pairs and t.time > 0
    assert t.lps_unbounded > 0 and "bases to enumerate" in " ".join(t.notes)
    # the LPs skipped as unbounded really prove nothing: solved anyway, they leave those multipliers unbounded
    everything = solve_bilevel(inst.build(), encoding="bigm", solver="highs", config=CONFIG, tighten="all",
                               dual_bounds=False)
    a = everything.report.extras["tightening"]
    assert a.lps_solved == 2 * pairs and a.sources.get("default", 0) >= t.lps_unbounded
    assert close(everything.objective, needed.objective)
    as_dict = needed.to_dict()["tightening"]
    assert as_dict["proven"] + as_dict["unproven"] == 2 * pairs


def test_tightening_all_gives_m_values_no_larger():
    inst = LINEAR_BILEVEL_INSTANCES[1]()  # Anandalingam–White: every slack bounded by intervals already
    needed = inst.build().reformulate(encoding="bigm")
    every = inst.build().reformulate(encoding="bigm", tighten="all")
    assert needed.report.extras["tightening"].lps_solved == 0
    assert every.report.extras["tightening"].lps_solved == 2 * len(every.report.bigm)
    for a, b in zip(needed.report.bigm, every.report.bigm, strict=True):
        assert b.multiplier_m <= a.multiplier_m + 1e-9 and b.slack_m <= a.slack_m + 1e-9


def test_the_bigm_trap_is_still_caught():
    inst = bilevel_instance(14)
    res = solve_bilevel(inst.build(), encoding="bigm", solver="highs", **inst.trap_options)
    assert res.label != CERTIFIED_GLOBAL and close(res.objective, 51.5)
    assert any("lower.y:lb" in a and "hint" in a for a in res.certificate.bigm_active)


def test_auto_grows_an_active_unproven_m():
    inst = bilevel_instance(14)
    res = solve_bilevel(inst.build(), encoding="bigm", solver="highs", bigm="auto", bigm_default=50)
    assert res.encoding == "bigm" and close(res.objective, inst.optimum)
    assert res.report.extras["auto_rounds"] == 1
    assert {v.slack_source for v in res.report.bigm if v.pair == "lower.y:lb"} == {"enlarged"}
    assert res.label != CERTIFIED_GLOBAL  # an enlarged M is still unproven


def test_auto_hands_over_to_the_exact_encoding():
    inst = bilevel_instance(14)
    res = solve_bilevel(inst.build(), encoding="bigm", solver="highs", bigm="auto", bigm_default=1e-3)
    assert res.encoding == "sos1" and res.backend == "scip" and res.label == CERTIFIED_GLOBAL
    assert close(res.objective, inst.optimum) and "handed over to kkt:sos1" in res.message
    assert math.isclose(res.total_time, res.build_time + res.solve_time + res.certificate_time)


@pytest.mark.parametrize(("options", "needle"), [({"tighten": "sometimes"}, "tighten"),
                                                 ({"bigm": "huge"}, "'auto'"),
                                                 ({"bigm_default": -1.0}, "bigm_default")])
def test_bad_bigm_options_are_refused_naming_the_option(options, needle):
    with pytest.raises(BilevelError, match=needle):
        LINEAR_BILEVEL_INSTANCES[0]().build().reformulate(encoding="bigm", **options)


def test_random_family_is_reproducible_and_checked():
    a, b = random_lp_lp(7, 3), random_lp_lp(7, 3)
    assert np.array_equal(a.A, b.A) and np.array_equal(a.B, b.B) and a.key == b.key
    assert not np.array_equal(a.A, random_lp_lp(7, 4).A)
    # y = 0 is feasible for every x in the box: b >= max over the box of A x
    assert np.all(a.b >= np.maximum(a.A, 0).sum(axis=1) * 10)
    with pytest.raises(ValueError, match="n must be"):
        random_lp_lp(0, 1)
