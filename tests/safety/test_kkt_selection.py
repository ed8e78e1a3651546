"""The KKT formulation's solver selection (keyword > FTGAMES_SOLVER > config > default policy), the backend it
records, and a certificate that never claims more than the bilevel layer proved."""

from __future__ import annotations

import pytest

from ftgames.formulations.bilevel import solve_bilevel
from ftgames.formulations.safety.enumeration import solve_enumeration
from ftgames.formulations.safety.kkt import build_bilevel, solve_kkt
from ftgames.models.safety import symmetric_game
from ftgames.solvers import SolveConfig

BACKFIRING = symmetric_game(theta_D=0.4)  # spec §3: U_G = 0.3875 (global); the anarchy branch gives 0.375


@pytest.fixture(autouse=True)
def _no_env_solver(monkeypatch) -> None:
    monkeypatch.delenv("FTGAMES_SOLVER", raising=False)


def test_default_policy_is_global() -> None:
    eq = solve_kkt(BACKFIRING)
    assert eq.backend == "scip" and eq.method == "kkt:sos1"
    assert eq.status == "optimal" and eq.certificate.level == "global" and eq.certified
    assert eq.U_G == pytest.approx(solve_enumeration(BACKFIRING).U_G, abs=1e-6)


def test_environment_variable_is_honoured(monkeypatch) -> None:
    monkeypatch.setenv("FTGAMES_SOLVER", "ipopt")
    eq = solve_kkt(BACKFIRING)
    assert eq.backend == "ipopt" and eq.method == "kkt:product"  # a local backend gets the product encoding
    assert eq.status == "locally_optimal" and eq.certificate.level == "local" and not eq.certified
    assert eq.followers_verified and not eq.is_global
    assert eq.U_G <= 0.3875 + 1e-7
    # the keyword beats the environment
    assert solve_kkt(BACKFIRING, solver="scip").backend == "scip"


def test_config_solver_is_used() -> None:
    eq = solve_kkt(BACKFIRING, config=SolveConfig(solver="ipopt", time_limit=60))
    assert eq.backend == "ipopt" and eq.certificate.level == "local"


@pytest.mark.parametrize("encoding", ["sos1", "bigm", "indicator"])
def test_certificate_is_the_bilevel_layers(encoding) -> None:
    """One specialist: one bilevel program, so the equilibrium's level must be that program's certificate level
    (an optimum of an inexact encoding, e.g. an active unproven big-M, is not G's proved optimum)."""
    eq = solve_kkt(BACKFIRING, solver="scip", encoding=encoding)
    res = solve_bilevel(build_bilevel(BACKFIRING), encoding=encoding, solver="scip", certificate_solver="scip")
    assert eq.certificate.level == res.certificate.level
    assert eq.certified == res.certificate.is_global
    assert eq.followers_verified  # every follower re-solved
    assert eq.U_G == pytest.approx(0.3875, abs=1e-6) and eq.backend == "scip"
    if not eq.certified:
        assert any(r.endswith(reason) for reason in res.certificate.reasons for r in eq.certificate.reasons)
