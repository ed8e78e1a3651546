"""Every reference value of the spec (safety-regulation-game.md §2–§4), by both exact formulations.

The spec's γ0 in the U_D = 0 rows are marked ≈ (a brute-force grid); they are compared to 5e-4, and our exact
optimum there was checked independently by SLSQP polishing (0.29653517, 0.15692967) at θD = 1.
"""

from __future__ import annotations

import numpy as np
import pytest

from ftgames.formulations.safety.enumeration import case_convexity, solve_enumeration, solve_grid
from ftgames.formulations.safety.kkt import solve_kkt
from ftgames.models.safety import symmetric_game

# (c, θG, θD, γ0, γ1, U_G, U_D, γ tolerance); None γ = abstain
TABLE = [
    (0.0, 0.0, 0.0, (0.25, 0.25), (0.5, 0.5), 0.375, 0.375, 1e-6),
    (0.0, 0.0, 0.2, (0.25, 0.25), (0.5, 0.5), 0.375, 0.375, 1e-6),
    (0.0, 0.0, 0.37, (0.25, 0.25), (0.5, 0.5), 0.375, 0.375, 1e-6),
    (0.0, 0.0, 0.40, (0.25, 0.0), (0.5, 0.40), 0.3875, 0.2275, 1e-6),
    (0.0, 0.0, 0.50, (0.25, 0.0), (0.5, 0.50), 0.4375, 0.1875, 1e-6),
    (0.0, 0.0, 1.0, (0.29644, 0.15696), (0.54644, 1.0), 0.66071, 0.0, 5e-4),
    (0.0, 0.0, 1.5, (0.375, 0.5), (0.625, 1.5), 43 / 64, 0.0, 1e-6),
    (0.0, 0.0, 2.0, (0.44103, 0.86730), (0.69103, 2.0), 0.39880, 0.0, 5e-4),
    (0.0, 0.0, 2.38, None, None, 0.0, 0.0, 0),
    (0.0, 0.3, 0.6, (0.25, 0.3), (0.5, 0.6), 0.3975, 0.3975, 1e-6),
    (0.0, 0.5, 1.0, (0.25, 0.5), (0.5, 1.0), 0.4375, 0.4375, 1e-6),
    (0.0, 0.9, 1.5, (0.25, 0.9), (0.5, 1.5), 0.1275, 0.5775, 1e-6),
    (0.0, 0.9, 0.9, None, None, 0.0, 0.0, 0),
    (0.1, 0.0, 0.4, (0.25, 0.0), (0.46, 0.4), 0.3675, 0.2091, 1e-6),
]
CROSS_TERMS = [(0.1, 0.34091), (-0.1, 0.41667), (0.25, 0.30), (-0.25, 0.50)]
NEGATIVE_CROSS = [(1.0, 0.7204), (1.5, 0.7895)]


def _check(eq, gamma0, gamma1, u_g, u_d, gtol, utol) -> None:
    if gamma0 is None:
        assert eq.abstain and eq.U_G == 0 and eq.U_D[0] == 0
        return
    assert not eq.abstain
    assert eq.U_G == pytest.approx(u_g, abs=utol)
    assert eq.U_D[0] == pytest.approx(u_d, abs=max(utol, 10 * gtol))
    np.testing.assert_allclose(eq.gamma0, gamma0, atol=max(gtol, 10 * utol))
    np.testing.assert_allclose(eq.gamma[0], gamma1, atol=max(gtol, 10 * utol))


@pytest.mark.parametrize(("c", "tg", "td", "g0", "g1", "ug", "ud", "gtol"), TABLE)
def test_enumeration_reproduces_table(c, tg, td, g0, g1, ug, ud, gtol) -> None:
    eq = solve_enumeration(symmetric_game(c, theta_G=tg, theta_D=td))
    assert eq.is_global and eq.followers_verified and eq.status == "optimal"
    assert eq.certificate.level == "global" and eq.certified and eq.method == "enumeration" and eq.backend is None
    _check(eq, g0, g1, ug, ud, gtol, 1e-5 if gtol > 1e-6 else 1e-9)


@pytest.mark.parametrize(("c", "tg", "td", "g0", "g1", "ug", "ud", "gtol"), TABLE)
def test_kkt_scip_reproduces_table(c, tg, td, g0, g1, ug, ud, gtol) -> None:
    eq = solve_kkt(symmetric_game(c, theta_G=tg, theta_D=td), solver="scip")
    assert eq.is_global and eq.status == "optimal" and eq.followers_verified
    assert eq.certificate.level == "global" and eq.method == "kkt:sos1" and eq.backend == "scip"
    # SCIP's optimum is exact in value (1e-7); on a flat maximum its γ can sit ~1e-4 away
    _check(eq, g0, g1, ug, ud, max(gtol, 5e-4), 1e-5 if gtol > 1e-6 else 1e-6)


@pytest.mark.parametrize(("c", "anarchy"), CROSS_TERMS)
def test_unregulated_cross_terms(c, anarchy) -> None:
    eq = solve_enumeration(symmetric_game(c))
    assert eq.U_G == pytest.approx(anarchy, abs=1e-5) and eq.U_D[0] == pytest.approx(anarchy, abs=1e-5)
    # closed forms of spec §2: γ0 = (δ/2) C0⁻¹ r, γ1 − γ0 = ((1 − δ)/2) C1⁻¹ r
    C = np.array([[1, c], [c, 1]])
    step = 0.25 * np.linalg.solve(C, np.ones(2))
    np.testing.assert_allclose(eq.gamma0, step, atol=1e-12)
    np.testing.assert_allclose(eq.gamma[0], 2 * step, atol=1e-12)


@pytest.mark.parametrize(("td", "u_g"), NEGATIVE_CROSS)
@pytest.mark.parametrize("method", ["enumeration", "scip"])
def test_negative_cross_term_beats_published_code(td, u_g, method) -> None:
    game = symmetric_game(-0.1, theta_D=td)
    eq = solve_enumeration(game) if method == "enumeration" else solve_kkt(game, solver="scip")
    assert eq.U_G == pytest.approx(u_g, abs=1e-4)
    assert abs(eq.U_D[0]) < 1e-6
    assert eq.U_G > 0.661 + 0.05  # the published code's answer at θD = 1 is clearly suboptimal


def test_thresholds_of_abstention() -> None:
    game = symmetric_game()
    # G-only: U_G = 5/16 + θG/2 − θG² vanishes at θG = (1/2 + √(3/2))/2 ≈ 0.8624
    g_only = solve_grid(game, theta_G=np.array([0.862, 0.863]), theta_D=0.0)
    assert list(g_only["abstain"]) == [False, True]
    assert (0.5 + np.sqrt(1.5)) / 2 == pytest.approx(0.86237, abs=1e-5)
    d_only = solve_grid(game, theta_G=0.0, theta_D=np.array([2.366, 2.368]))
    assert list(d_only["abstain"]) == [False, True]


def test_mutualism_best_aggregate() -> None:
    tg, td = np.meshgrid(np.linspace(0, 1.5, 31), np.linspace(0, 2.5, 51), indexing="ij")
    res = solve_grid(symmetric_game(), theta_G=tg, theta_D=td)
    total = res["U_G"] + res["U_D"][..., 0]
    k = np.unravel_index(np.argmax(total), total.shape)
    assert (tg[k], td[k]) == (pytest.approx(0.5), pytest.approx(1.0))
    assert res["U_G"][k] == pytest.approx(0.4375) and res["U_D"][k][0] == pytest.approx(0.4375)


def test_every_case_is_convex() -> None:
    for c in (0.0, 0.25, -0.25):
        rows = case_convexity(symmetric_game(c, theta_D=1.0))
        assert len(rows) == 6
        assert all(r["objective_concave"] and r["participation_concave"] for r in rows)
