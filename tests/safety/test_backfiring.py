"""Backfiring (their Theorem 6.1) as a property: with C0 = C1 = I, r = (1, 1), θG = 0, regulating D alone lowers
final safety exactly for θD ∈ (1/2 − δ/4, 1/2): G drops safety (β0 = 0; for δ = 3/4 near θD = 1/2, where D is held
to U_D = 0, β0 stays below 0.015 against δ/2 unregulated) and D does the minimum (β1 = θD)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ftgames.formulations.safety.classify import classify_arrays
from ftgames.formulations.safety.enumeration import solve_enumeration, solve_grid
from ftgames.formulations.safety.kkt import solve_kkt
from ftgames.models.safety import symmetric_game

DELTAS = [0.25, 0.5, 0.75]
MARGIN = 1e-5  # larger than the classification tolerance 1e-6


def _classified(delta: float, theta_d: np.ndarray) -> tuple[dict, dict]:
    game = symmetric_game(delta=delta)
    res = solve_grid(game, theta_G=0.0, theta_D=theta_d)
    anarchy = solve_grid(game.unregulated(), theta_G=np.zeros(1), theta_D=np.zeros(1))
    return res, classify_arrays(res, {k: v[0] for k, v in anarchy.items()})


@pytest.mark.parametrize("delta", DELTAS)
@settings(max_examples=40, deadline=None, derandomize=True)
@given(fraction=st.floats(0.0, 1.0))
def test_inside_the_band_backfires(delta, fraction) -> None:
    lo, hi = 0.5 - delta / 4 + MARGIN, 0.5 - MARGIN
    theta = np.array([lo + fraction * (hi - lo)])
    res, flags = _classified(delta, theta)
    assert flags["backfiring"][0]
    assert res["beta0"][0] < 0.02  # G (nearly) stops investing in safety: unregulated β0 = δ/2
    if delta <= 0.5:
        assert res["beta0"][0] == pytest.approx(0.0, abs=1e-12)
    assert res["beta"][0, 0] == pytest.approx(theta[0], abs=1e-12)


@pytest.mark.parametrize("delta", DELTAS)
@settings(max_examples=40, deadline=None, derandomize=True)
@given(theta=st.one_of(st.floats(0.0, 1.0), st.floats(0.5, 3.0)))
def test_outside_the_band_no_backfiring(delta, theta) -> None:
    if 0.5 - delta / 4 - MARGIN <= theta < 0.5:
        theta = 0.5 - delta / 4 - MARGIN - 0.1 * (theta - (0.5 - delta / 4 - MARGIN))
    theta = max(theta, 0.0)
    _, flags = _classified(delta, np.array([theta]))
    assert not flags["backfiring"][0]


def test_band_edges_on_a_fine_grid() -> None:
    for delta in DELTAS:
        theta = np.linspace(0, 1, 4001)
        _, flags = _classified(delta, theta)
        band = theta[flags["backfiring"]]
        assert band.min() == pytest.approx(0.5 - delta / 4, abs=3e-4)
        assert band.max() == pytest.approx(0.5, abs=3e-4)


def test_kkt_scip_sees_the_jump_and_ipopt_may_not() -> None:
    game = symmetric_game(theta_D=0.4)
    exact = solve_enumeration(game)
    scip = solve_kkt(game, solver="scip")
    ipopt = solve_kkt(game, solver="ipopt")
    assert scip.U_G == pytest.approx(exact.U_G, abs=1e-6) == 0.3875
    assert scip.gamma0[1] == pytest.approx(0.0, abs=1e-3)
    assert scip.backend == "scip" and scip.certificate.level == "global"
    assert not ipopt.is_global and ipopt.status == "locally_optimal"  # local: never labelled optimal
    assert ipopt.backend == "ipopt" and ipopt.method == "kkt:product" and ipopt.certificate.level == "local"
    assert ipopt.U_G <= exact.U_G + 1e-7
