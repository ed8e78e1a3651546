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
