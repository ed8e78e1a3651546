"""The two exact formulations (active-set enumeration, KKT + SOS1 solved by SCIP) agree on random games, including
negative cross terms and C0 ≠ C1."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from ftgames.formulations.safety.enumeration import solve_enumeration
from ftgames.formulations.safety.kkt import solve_kkt
from ftgames.models.safety import SafetyGame, Specialist


@st.composite
def cost_matrices(draw) -> np.ndarray:
    a = draw(st.floats(0.5, 2.0))
    b = draw(st.floats(0.5, 2.0))
    rho = draw(st.floats(-0.6, 0.6))
    return np.array([[a, rho * np.sqrt(a * b)], [rho * np.sqrt(a * b), b]])


@st.composite
def games(draw) -> SafetyGame:
    c0, c1 = draw(cost_matrices()), draw(cost_matrices())
    r = np.array([draw(st.floats(0.2, 1.5)), draw(st.floats(0.2, 1.5))])
    spec = Specialist(c1, r, draw(st.floats(0.1, 0.9)), draw(st.floats(0.0, 2.0)))
    return SafetyGame(c0, (spec,), draw(st.floats(0.0, 1.0)))


def _assert_agree(game: SafetyGame) -> None:
    exact = solve_enumeration(game)
    scip = solve_kkt(game, solver="scip")
    assert scip.is_global and scip.followers_verified and scip.certified and scip.backend == "scip"
    if abs(exact.U_G) < 1e-6 or abs(scip.U_G) < 1e-6:
        return  # at the abstention boundary either answer is right
    assert exact.abstain == scip.abstain, (game, exact, scip)
    assert abs(exact.U_G - scip.U_G) <= 1e-5 * (1 + abs(exact.U_G)), (game, exact.U_G, scip.U_G)
    if not exact.abstain:
        np.testing.assert_allclose(exact.U_D, scip.U_D, atol=2e-3, err_msg=str(game))


@settings(max_examples=12, deadline=None, derandomize=True)
@given(game=games())
def test_random_games_agree(game) -> None:
    _assert_agree(game)


def test_two_specialists_agree() -> None:
    c0 = np.array([[1.0, -0.2], [-0.2, 1.5]])
    specs = (Specialist(np.array([[1.0, 0.3], [0.3, 1.0]]), np.array([1.0, 0.5]), 0.5, 0.7, "D1"),
             Specialist(np.array([[2.0, -0.4], [-0.4, 1.0]]), np.array([0.4, 1.0]), 0.3, 1.2, "D2"))
    game = SafetyGame(c0, specs, 0.1)
    exact = solve_enumeration(game)
    scip = solve_kkt(game, solver="scip")
    assert abs(exact.U_G - scip.U_G) <= 1e-5
    np.testing.assert_allclose(exact.U_D, scip.U_D, atol=2e-3)
    np.testing.assert_array_equal(exact.participates, scip.participates)


@pytest.mark.slow
def test_many_random_games_agree() -> None:
    """150 seeded random games (40 with two specialists), cross terms up to ±0.8 √(c_αα c_ββ), C0 ≠ C_i."""
    rng = np.random.default_rng(1)

    def cost() -> np.ndarray:
        a, b = rng.uniform(0.5, 2, 2)
        off = rng.uniform(-0.8, 0.8) * np.sqrt(a * b)
        return np.array([[a, off], [off, b]])

    for k in range(150):
        n = 1 if k < 110 else 2
        specs = tuple(Specialist(cost(), rng.uniform(0.05, 1.5, 2), rng.uniform(0.05, 0.95), rng.uniform(0, 2.5),
                                 f"D{i + 1}") for i in range(n))
        _assert_agree(SafetyGame(cost(), specs, rng.uniform(0, 1.2)))
