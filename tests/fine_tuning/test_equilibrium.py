"""The investment stage: closed form, enumeration and KKT (every encoding) agree; regimes; certificates."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from ftgames.errors import OptionError
from ftgames.formulations.equilibrium import solve_equilibrium
from ftgames.formulations.grammar import FormulationError
from ftgames.models import FineTuningGame, Generalist, ModelError, Regime, Specialist

positive = st.floats(0.2, 5.0)
share = st.floats(0.0, 1.0)


def test_reference_equilibrium_at_half() -> None:
    eq = solve_equilibrium(FineTuningGame.quadratic(1, [1]), [0.5])
    assert (eq.alpha0, eq.alpha[0], eq.U_G, eq.U_D[0]) == pytest.approx((0.25, 0.5, 0.1875, 0.1875), abs=1e-15)
    assert eq.certificate.certified and eq.regimes == (Regime.CONTRIBUTE,)


def test_n_domain_closed_form_matches_spec_formulas() -> None:
    c0, c, r, delta = 1.5, [1.0, 2.0, 0.5], [1.0, 2.0, 3.0], [0.2, 0.5, 0.9]
    eq = solve_equilibrium(FineTuningGame.quadratic(c0, c, r), delta)
    s = sum(d * ri for d, ri in zip(delta, r, strict=True))
    assert eq.alpha0 == pytest.approx(s / (2 * c0))
    assert eq.U_G == pytest.approx(s * s / (4 * c0) + sum(d * (1 - d) * ri ** 2 / (2 * ci)
                                                        for d, ri, ci in zip(delta, r, c, strict=True)))
    for i in range(3):
        assert eq.alpha[i] == pytest.approx(eq.alpha0 + (1 - delta[i]) * r[i] / (2 * c[i]))
        assert eq.U_D[i] == pytest.approx((1 - delta[i]) * r[i] * s / (2 * c0) + (1 - delta[i]) ** 2 * r[i] ** 2
                                          / (4 * c[i]))


def test_general_exponent_closed_form() -> None:
    k, c0, c1, r, d = 3.0, 1.0, 2.0, 1.0, 0.4
    eq = solve_equilibrium(FineTuningGame.polynomial(c0, [c1], [r], exponent=k), [d])
    assert eq.alpha0 == pytest.approx((d * r / (k * c0)) ** (1 / (k - 1)))
    assert eq.alpha[0] - eq.alpha0 == pytest.approx(((1 - d) * r / (k * c1)) ** (1 / (k - 1)))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.generate])
@given(c0=positive, c1=positive, c2=positive, r1=positive, r2=positive, d1=share, d2=share,
       b2=st.floats(0.0, 1.0))
def test_formulations_agree_on_random_quadratic_games(c0, c1, c2, r1, r2, d1, d2, b2) -> None:
    game = FineTuningGame.quadratic(c0, [c1, c2], [r1, r2], marginal_cost=[0.0, b2])
    reference = solve_equilibrium(game, [d1, d2], "closed_form")
    candidates = [solve_equilibrium(game, [d1, d2], "enumeration")]
    candidates += [solve_equilibrium(game, [d1, d2], "kkt", encoding=e) for e in ("sos1", "bigm", "product")]
    for eq in candidates:
        assert eq.alpha0 == pytest.approx(reference.alpha0, abs=1e-6)
        assert eq.alpha == pytest.approx(reference.alpha, abs=1e-6)
        assert eq.U_G == pytest.approx(reference.U_G, abs=1e-6)
        assert eq.regimes == reference.regimes or min(abs(a - reference.alpha0) for a in reference.alpha) < 1e-6
        assert eq.certificate.follower_gap < 1e-6


def test_kkt_indicator_encoding_and_certificates() -> None:
    game = FineTuningGame.quadratic(1, [2, 1], [1, 2], marginal_cost=[0, 1.5])
    eq = solve_equilibrium(game, [0.3, 0.4], "kkt:indicator")
    ref = solve_equilibrium(game, [0.3, 0.4])
    assert eq.alpha == pytest.approx(ref.alpha, abs=1e-6)
    assert eq.certificate.certified and eq.backend == "scip"  # SCIP proved global, followers re-solved
    local = solve_equilibrium(game, [0.3, 0.4], "kkt:product", solver="ipopt")
    assert local.alpha == pytest.approx(ref.alpha, abs=1e-6)
    assert not local.certificate.certified and local.certificate.level == "local" and local.backend == "ipopt"
    assert local.status == "locally_optimal" and local.certificate.reasons
    # the old spelling still works and means the same
    with pytest.warns(DeprecationWarning):
        old = solve_equilibrium(game, [0.3, 0.4], "kkt_indicator")
    assert old.alpha == pytest.approx(eq.alpha, abs=1e-9) and old.formulation == "kkt:indicator"


def test_regimes_contribute_free_ride_abstain() -> None:
    # D1 contributes; D2's marginal cost b exceeds its kept marginal revenue: free-rides; D3's entry cost is
    # larger than anything it could earn: abstains.
    game = FineTuningGame.quadratic(1.0, [1.0, 1.0, 1.0], [1.0, 1.0, 1.0], marginal_cost=[0.0, 0.8, 0.0],
                                    entry_cost=[0.0, 0.0, 5.0])
    eq = solve_equilibrium(game, [0.5, 0.5, 0.5], "enumeration")
    assert eq.regimes == (Regime.CONTRIBUTE, Regime.FREE_RIDE, Regime.ABSTAIN)
    assert eq.U_D[2] == 0.0 and eq.alpha[2] == eq.alpha0
    # G's investment with D3 out: α0 = (δ1 r1 + δ2 r2)/(2 c0)
    assert eq.alpha0 == pytest.approx(0.5)
    assert eq.certificate.certified


def test_generalist_raises_investment_to_keep_a_specialist_in() -> None:
    # D's surplus at the unconstrained α0 is negative, but G gains by investing up to D's entry threshold.
    game = FineTuningGame.quadratic(1.0, [1.0], [1.0], marginal_cost=[0.6], entry_cost=[0.2])
    eq = solve_equilibrium(game, [0.5], "enumeration")
    unconstrained = 0.5 / 2.0
    threshold = 0.2 / 0.5  # free-riding D takes part iff (1 − δ) r α0 ≥ F; G's value there 0.2 − 0.16 > 0
    assert eq.regimes == (Regime.FREE_RIDE,)
    assert eq.alpha0 == pytest.approx(threshold)
    assert eq.alpha0 > unconstrained
    assert eq.U_D[0] == pytest.approx(0.0, abs=1e-12)


def test_closed_form_and_kkt_refuse_entry_costs() -> None:
    game = FineTuningGame.quadratic(1.0, [1.0], entry_cost=[0.1])
    with pytest.raises(ModelError, match="enumeration"):
        solve_equilibrium(game, [0.5], "closed_form")
    with pytest.raises(ModelError, match="enumeration"):
        solve_equilibrium(game, [0.5], "kkt")
    with pytest.raises(FormulationError, match="unknown formulation 'magic'; accepted here: closed_form, "):
        solve_equilibrium(game, [0.5], "magic")
    with pytest.raises(OptionError, match="unknown option.*solvr.*valid: solver, config, polish"):
        solve_equilibrium(FineTuningGame.quadratic(1.0, [1.0]), [0.5], "kkt", solvr="scip")
    with pytest.raises(OptionError, match="takes no option"):
        solve_equilibrium(FineTuningGame.quadratic(1.0, [1.0]), [0.5], "closed_form", encoding_typo=1)


def test_power_revenue_kkt_product_matches_enumeration() -> None:
    game = FineTuningGame(Generalist(1.0), (Specialist(2.0, revenue=1.0, revenue_power=0.5),))
    enum = solve_equilibrium(game, [0.5], "enumeration")
    kkt = solve_equilibrium(game, [0.5], "kkt:product", solver="ipopt")
    assert kkt.alpha0 == pytest.approx(enum.alpha0, abs=1e-5)
    assert kkt.alpha == pytest.approx(enum.alpha, abs=1e-5)
    assert enum.certificate.level == "local"  # the leader's 1-D search is not proved global
    assert any("does not prove global" in r for r in enum.certificate.reasons)
