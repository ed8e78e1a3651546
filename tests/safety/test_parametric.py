"""The safety game's parametric KKT program (issue 14): re-solved for new δ, θG and θD, it gives the record a fresh
solve_kkt gives at every point of a random sequence, and ``reuse_programs`` scopes use it."""

from __future__ import annotations

import numpy as np
import pytest

from ftgames.errors import OptionError
from ftgames.formulations.parametric import reuse_programs
from ftgames.formulations.safety.kkt import investment_bound, solve_kkt
from ftgames.formulations.safety.parametric import SafetyKKTProgram
from ftgames.models.costs import ModelError
from ftgames.models.safety import SafetyGame, Specialist

TOL = 1e-7
ONE = SafetyGame(np.array([[1.0, 0.2], [0.2, 1.2]]),
                 (Specialist(np.array([[1.0, -0.3], [-0.3, 1.5]]), np.array([1.0, 0.6]), 0.5, 0.0, "D1"),))
TWO = SafetyGame(np.array([[1.0, -0.2], [-0.2, 1.5]]),
                 (Specialist(np.array([[1.0, 0.3], [0.3, 1.0]]), np.array([1.0, 0.5]), 0.5, 0.7, "D1"),
                  Specialist(np.array([[2.0, -0.4], [-0.4, 1.0]]), np.array([0.4, 1.0]), 0.3, 1.2, "D2")), 0.1)


def assert_same(resolved, fresh) -> None:
    assert resolved.abstain == fresh.abstain
    assert resolved.participates.tolist() == fresh.participates.tolist()
    np.testing.assert_allclose(resolved.gamma0, fresh.gamma0, atol=TOL, rtol=0)  # NaN where G abstains, in both
    np.testing.assert_allclose(resolved.gamma, fresh.gamma, atol=TOL, rtol=0)
    assert resolved.U_G == pytest.approx(fresh.U_G, abs=TOL)
    np.testing.assert_allclose(resolved.U_D, fresh.U_D, atol=TOL, rtol=0)
    assert (resolved.is_global, resolved.followers_verified, resolved.status, resolved.backend, resolved.method) == \
        (fresh.is_global, fresh.followers_verified, fresh.status, fresh.backend, fresh.method)
    assert resolved.details["statuses"] == fresh.details["statuses"]
    assert resolved.certificate.level == fresh.certificate.level


def _random_values(rng: np.random.Generator, game: SafetyGame) -> dict:
    return {"delta": np.round(rng.uniform(0.05, 0.95, game.n), 4),
            "theta_G": float(np.round(rng.choice([0.0, rng.uniform(0.0, 1.5)]), 4)),
            "theta_D": np.round(rng.uniform(0.0, 1.5, game.n), 4)}


@pytest.mark.parametrize(("game", "points"), [(ONE, 4), (TWO, 2)])
def test_resolved_program_equals_fresh_builds(game: SafetyGame, points: int) -> None:
    rng = np.random.default_rng(1414 + game.n)
    program = SafetyKKTProgram(game, solver="scip")
    for _ in range(points):
        values = _random_values(rng, game)
        resolved = program.update(**values).solve()
        fresh = solve_kkt(game.with_delta(values["delta"]).with_regulation(values["theta_G"], values["theta_D"]),
                          solver="scip")
        assert_same(resolved, fresh)
    assert program.solves == points and program.parameters["theta_G"] == values["theta_G"]
    assert all(p.persistent for p in program.programs.values())  # SCIP held every program between solves
    assert len(program.programs) == 2 ** game.n - 1


@pytest.mark.slow
def test_resolved_program_equals_fresh_builds_on_a_longer_sequence() -> None:
    rng = np.random.default_rng(1420)
    for game in (ONE, TWO):
        program = SafetyKKTProgram(game, solver="scip", encoding="indicator")
        for _ in range(6):
            values = _random_values(rng, game)
            assert_same(program.update(**values).solve(),
                        solve_kkt(game.with_delta(values["delta"]).with_regulation(values["theta_G"],
                                                                                   values["theta_D"]),
                                  solver="scip", encoding="indicator"))


def test_reuse_programs_scope_resolves_the_kept_program() -> None:
    thetas = (0.0, 0.6, 1.2)
    with reuse_programs() as cache:
        reused = [solve_kkt(ONE.with_regulation(theta_G=t), solver="scip") for t in thetas]
        assert (cache.builds, cache.reuses) == (1, 2)
        solve_kkt(ONE.with_regulation(theta_G=0.3), solver="scip", encoding="bigm")  # no program: a fresh build
        assert (cache.builds, cache.reuses) == (1, 2)
    for theta, eq in zip(thetas, reused, strict=True):
        assert_same(eq, solve_kkt(ONE.with_regulation(theta_G=theta), solver="scip"))


def test_parameters_are_checked_and_bad_options_refused() -> None:
    program = SafetyKKTProgram(ONE, solver="scip")
    with pytest.raises(OptionError, match="unknown parameter.*theta; valid: delta, theta_G, theta_D"):
        program.update(theta=0.3)
    with pytest.raises(ModelError, match="delta"):
        program.update(delta=1.5)
    with pytest.raises(ModelError, match="one number per specialist"):
        program.update(theta_D=[0.1, 0.2])
    bound = 2 * investment_bound(ONE)
    with pytest.raises(ModelError, match="exceeds the program's bound"):
        program.update(theta_D=bound * 1.01)
    with pytest.raises(OptionError, match="bigm"):
        SafetyKKTProgram(ONE, solver="scip", encoding="bigm")
    with pytest.raises(OptionError, match="local backend"):
        SafetyKKTProgram(ONE, solver="ipopt")
    assert sorted(program.variables) == ["D1.alpha", "D1.beta", "alpha0", "beta0"]
    assert program.parameters == {"delta": (0.5,), "theta_G": 0.0, "theta_D": (0.0,)}
