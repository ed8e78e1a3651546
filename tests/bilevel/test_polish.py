"""The active-set polish of a QP piece: one linear system, exact, without Ipopt (``polish._exact_piece``)."""

from __future__ import annotations

import numpy as np
import pytest

from ftgames.formulations.bilevel import polish
from ftgames.formulations.equilibrium import solve_equilibrium
from ftgames.models import FineTuningGame

pytest.importorskip("pyscipopt")


@pytest.mark.parametrize("seed", range(4))
def test_a_qp_piece_is_polished_exactly_without_ipopt(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Random fine-tuning games (quadratic followers, marginal costs): with Ipopt unavailable to the polish, the
    KKT + SOS1 answer on SCIP still equals the closed form to 1e-12 (SCIP alone is accurate to about 1e-6)."""
    def no_ipopt(*args, **kwargs):
        raise AssertionError("the polish of a QP piece called Ipopt")

    monkeypatch.setattr(polish, "_ipopt", no_ipopt)
    rng = np.random.default_rng(seed)
    n = 2 + seed % 2
    game = FineTuningGame.quadratic(float(rng.uniform(0.5, 2)), list(rng.uniform(0.5, 2, n)),
                                    list(rng.uniform(0.5, 2, n)), marginal_cost=list(rng.uniform(0, 0.3, n)))
    delta = list(rng.uniform(0.1, 0.9, n))
    exact = solve_equilibrium(game, delta, "closed_form")
    kkt = solve_equilibrium(game, delta, "kkt:sos1", solver="scip")
    assert kkt.certificate.is_global and "polish" in kkt.solver
    assert kkt.alpha0 == pytest.approx(exact.alpha0, abs=1e-12)
    assert np.allclose(kkt.alpha, exact.alpha, atol=1e-12, rtol=0)
    assert kkt.U_G == pytest.approx(exact.U_G, abs=1e-12)


def test_a_piece_with_a_quadratic_row_is_polished_by_newton_without_ipopt(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backfiring safety game (C0 = C1 = I, r = (1, 1), δ = 1/2) over θD: on part of the range D's participation
    row (quadratic) holds with equality at G's optimum.  With Ipopt unavailable to the polish, KKT + SOS1 still equals
    the exact enumeration to 1e-10 at every θD (SCIP alone is accurate to about 1e-6); without the Newton steps it
    does not (the premise: some piece has a quadratic row)."""
    from ftgames.formulations.safety.enumeration import solve_enumeration
    from ftgames.formulations.safety.kkt import solve_kkt
    from ftgames.models.safety import symmetric_game

    def no_ipopt(*args, **kwargs):
        raise AssertionError("the polish called Ipopt")

    def agrees(theta_D: float) -> bool:
        game = symmetric_game(0.0, delta=0.5, theta_D=theta_D)
        exact = solve_enumeration(game)
        try:
            kkt = solve_kkt(game, encoding="sos1", solver="scip")
        except AssertionError:
            return False
        return kkt.certified and abs(kkt.U_G - exact.U_G) <= 1e-10 and bool(
            np.allclose(kkt.gamma0, exact.gamma0, atol=1e-10, rtol=0))

    monkeypatch.setattr(polish, "_ipopt", no_ipopt)
    grid = [float(t) for t in np.linspace(0.0, 1.0, 11)]
    assert all(agrees(t) for t in grid)
    monkeypatch.setattr(polish, "NEWTON_STEPS", 0)
    assert not all(agrees(t) for t in grid)
