"""Bargaining over δ under regulation: without regulation the three rules agree with the fine-tuning closed forms
(C0 = C1 = I: δ = 1/2), and backfiring survives bargaining (Nash and egalitarian at θD = 0.45, all three at 0.49)."""

from __future__ import annotations

import numpy as np
import pytest

from ftgames.formulations.safety.bargaining import bargain, bargain_grid, welfare
from ftgames.models.costs import ModelError
from ftgames.models.safety import symmetric_game


@pytest.mark.parametrize("rule", ["utilitarian", "nash", "egalitarian"])
def test_unregulated_rules_pick_one_half(rule) -> None:
    deal = bargain(symmetric_game(), rule)
    assert deal.delta == pytest.approx(0.5, abs=1e-5)
    assert deal.agreement


@pytest.mark.parametrize(("rule", "theta_d"), [("nash", 0.45), ("egalitarian", 0.45), ("utilitarian", 0.49),
                                               ("nash", 0.49), ("egalitarian", 0.49)])
def test_backfiring_survives_bargaining(rule, theta_d) -> None:
    free = bargain(symmetric_game(), rule)
    regulated = bargain(symmetric_game(theta_D=theta_d), rule)
    assert regulated.agreement
    assert regulated.result["beta"][0] == pytest.approx(theta_d, abs=1e-9)
    assert regulated.result["beta"][0] < free.result["beta"][0] - 1e-3


def test_egalitarian_equalizes_when_both_positive() -> None:
    deal = bargain(symmetric_game(theta_D=0.45), "egalitarian")
    assert deal.result["U_G"] == pytest.approx(deal.result["U_D"][0], abs=1e-5)


def test_grid_form_matches_single_form_on_the_grid() -> None:
    grid = bargain_grid(symmetric_game(), "nash", np.array([0.0, 0.5]), np.array([0.45, 1.0]))
    for k, (tg, td) in enumerate([(0.0, 0.45), (0.5, 1.0)]):
        single = bargain(symmetric_game(theta_G=tg, theta_D=td), "nash", refine=False)
        assert grid["delta"][k] == pytest.approx(single.delta)


def test_welfare_rules_and_errors() -> None:
    u_g, u_d = np.array([0.2, 0.0]), np.array([[0.3], [0.5]])
    np.testing.assert_allclose(welfare("utilitarian", u_g, u_d), [0.5, 0.5])
    np.testing.assert_allclose(welfare("egalitarian", u_g, u_d), [0.2, 0.0])
    assert np.isneginf(welfare("nash", u_g, u_d)[1])
    with pytest.raises(ModelError, match="bargaining rule must be one of"):
        welfare("kalai", u_g, u_d)
