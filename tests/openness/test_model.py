"""The openness model: defaults, named families, custom callables and validation messages."""

from __future__ import annotations

import numpy as np
import pytest

from ftgames.models.openness import (
    FAMILIES,
    TERM_KINDS,
    CustomTerm,
    ExponentialDiscountCost,
    OpennessDiscountedCost,
    OpennessGame,
    ParameterError,
    Regulation,
    make_term,
)


def test_default_forms_have_an_interior_optimum() -> None:
    """The defaults: exponential discount, concave benefit, quadratic leak, no compliance term, constant share."""
    game = OpennessGame()
    omega, step = 0.3, 0.7
    cost, benefit, leak = game.fine_tuning_cost, game.benefit, game.operation_cost
    assert cost(step, omega) == pytest.approx(cost.kappa0 * np.exp(-cost.lam * omega) * step**2)
    assert game.revenue(2.0) == pytest.approx(2.0 * game.revenue.r)
    assert benefit(omega) == pytest.approx(benefit.epsilon * omega - benefit.curvature * omega**2 / 2)
    assert leak(omega, game.alpha0) == pytest.approx(leak.c_O * omega**2 * game.alpha0)
    assert game.production_cost(game.alpha0) == pytest.approx(game.production_cost.c_P * game.alpha0**2)
    assert game.compliance_cost(omega) == 0.0 and game.contract.family == "constant"
    assert game.closed_form_follower and game.leader_concave_convex and not game.leader_convex_in_omega
    assert not game.regulation.active


@pytest.mark.parametrize("kind", TERM_KINDS)
def test_every_family_builds_from_a_table_with_defaults(kind: str) -> None:
    for family, cls in FAMILIES[kind].items():
        term = make_term(kind, {"family": family})
        assert isinstance(term, cls)
        assert set(term.params()) == set(cls.PARAMS)


@pytest.mark.parametrize(("kind", "table", "needle"), [
    ("fine_tuning_cost", {"family": "openness_discounted", "lam": 1.0}, "fine_tuning_cost.lam must be in [0, 1)"),
    ("fine_tuning_cost", {"lam": 51.0}, "fine_tuning_cost.lam must be in [0, 50]"),
    ("fine_tuning_cost", {"kappa0": 0.0}, "fine_tuning_cost.kappa0 must be in (0, inf)"),
    ("fine_tuning_cost", {"k": 1.0}, "fine_tuning_cost.k must be in (1, inf)"),
    ("revenue", {"family": "concave_power", "exponent": 1.5}, "revenue.exponent must be in (0, 1]"),
    ("benefit", {"epsilon": -0.1}, "benefit.epsilon must be in [0, inf)"),
    ("operation_cost", {"c_O": float("nan")}, "operation_cost.c_O must be in [0, inf)"),
    ("benefit", {"family": "cubic"}, "benefit.family: unknown family 'cubic'"),
    ("benefit", {"eps": 0.1}, "unknown parameter(s) eps"),
])
def test_bad_parameters_name_the_parameter_and_range(kind: str, table: dict, needle: str) -> None:
    with pytest.raises(ParameterError) as info:
        make_term(kind, table)
    assert needle in str(info.value)


def test_game_level_validation() -> None:
    with pytest.raises(ParameterError, match=r"bargaining.delta must be in \[0, 1\]"):
        OpennessGame(delta=1.5)
    with pytest.raises(ParameterError, match=r"model.alpha0 must be in \[0, inf\)"):
        OpennessGame(alpha0=-1)
    with pytest.raises(ParameterError, match=r"regulation.theta must be in \[0, 1\]"):
        Regulation(theta=1.2)
    with pytest.raises(ParameterError, match=r"regulation.penalty must be in \[0, inf\)"):
        Regulation(theta=0.5, penalty=-1)
    with pytest.raises(ParameterError, match="fine_tuning_cost must be"):
        OpennessGame(fine_tuning_cost=make_term("benefit"))


def test_python_callables_become_custom_terms_and_are_checked() -> None:
    game = OpennessGame(fine_tuning_cost=lambda step, omega: 2.0 * (1 - 0.3 * omega) * step**2)
    assert isinstance(game.fine_tuning_cost, CustomTerm)
    assert game.fine_tuning_cost(1.0, 0.0) == pytest.approx(2.0)
    assert not game.closed_form_follower
    with pytest.raises(ParameterError, match=r"C\(0; ω\) = 0"):
        OpennessGame(fine_tuning_cost=lambda step, omega: 1.0 + step**2)
    with pytest.raises(ParameterError, match="CustomTerm.kind"):
        CustomTerm("tax", lambda x: x)


def test_both_cost_families_discount_fine_tuning_with_openness() -> None:
    omegas = np.linspace(0, 1, 11)
    for cost in (OpennessDiscountedCost(kappa0=1.0, lam=0.7), ExponentialDiscountCost(kappa0=1.0, lam=0.7)):
        assert np.all(np.diff(cost.kappa(omegas)) < 0)
