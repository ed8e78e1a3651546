"""The openness game's parametric KKT program (issue 14): re-solved for new δ, θ and penalty, it gives the record a
fresh solve_equilibrium(game, "kkt:<enc>") gives at every point of a random sequence, and ``reuse_programs`` scopes
use it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ftgames.errors import OptionError
from ftgames.formulations.openness.equilibrium import solve_equilibrium
from ftgames.formulations.openness.parametric import OpennessKKTProgram
from ftgames.formulations.parametric import reuse_programs
from ftgames.models.costs import ModelError
from ftgames.models.openness import OpennessGame

from .conftest import example_game, interior_game

TOL = 1e-7


def assert_same(resolved, fresh) -> None:
    assert resolved.regime == fresh.regime
    if not math.isnan(fresh.omega):
        assert resolved.omega == pytest.approx(fresh.omega, abs=1e-6)  # SCIP's tolerance on ω, polished
    assert resolved.U_G == pytest.approx(fresh.U_G, abs=TOL * (1 + abs(fresh.U_G)))
    assert resolved.U_D == pytest.approx(fresh.U_D, abs=TOL * (1 + abs(fresh.U_D)))
    assert (resolved.proof, resolved.formulation, resolved.penalty_paid) == \
        (fresh.proof, fresh.formulation, fresh.penalty_paid)
    for a, b in zip(resolved.regimes, fresh.regimes, strict=True):
        assert (a.regime, a.feasible, a.proof, a.status, a.backend) == (b.regime, b.feasible, b.proof, b.status,
                                                                        b.backend)


def _values(rng: np.random.Generator) -> dict:
    theta = float(np.round(rng.choice([0.0, rng.uniform(0.05, 0.95)]), 4))
    return {"delta": float(np.round(rng.uniform(0.05, 0.95), 4)), "theta": theta,
            "penalty": float(np.round(rng.uniform(0.0, 0.5), 4))}


@pytest.mark.parametrize("make", [OpennessGame, interior_game])
def test_resolved_program_equals_fresh_builds(make) -> None:
    game = make()
    rng = np.random.default_rng(1417)
    program = OpennessKKTProgram(game, solver="scip")
    for _ in range(4):
        values = _values(rng)
        resolved = program.update(**values).solve()
        fresh = solve_equilibrium(game.with_delta(values["delta"]).with_regulation(values["theta"],
                                                                                   values["penalty"]),
                                  "kkt:sos1", solver="scip")
        assert_same(resolved, fresh)
    assert program.solves == 4 and program.parameters == values


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["sos1", "indicator"])
def test_resolved_program_equals_fresh_builds_on_a_longer_sequence(encoding: str) -> None:
    rng = np.random.default_rng(1418)
    for game in (OpennessGame(), interior_game(), example_game()):
        program = OpennessKKTProgram(game, encoding=encoding, solver="scip")
        for _ in range(6):
            values = _values(rng)
            assert_same(program.update(**values).solve(),
                        solve_equilibrium(game.with_delta(values["delta"]).with_regulation(values["theta"],
                                                                                           values["penalty"]),
                                          f"kkt:{encoding}", solver="scip"))


def test_reuse_programs_scope_resolves_the_kept_program() -> None:
    game = OpennessGame()
    points = [(0.5, 0.0, 0.0), (0.6, 0.4, 0.2), (0.3, 0.8, 0.05)]
    with reuse_programs() as cache:
        reused = [solve_equilibrium(game.with_delta(d).with_regulation(t, p), "kkt:sos1", solver="scip")
                  for d, t, p in points]
        assert (cache.builds, cache.reuses) == (1, 2)
        solve_equilibrium(game, "kkt_direct:sos1", solver="scip")  # no program: a fresh build
        assert (cache.builds, cache.reuses) == (1, 2)
    for (d, t, p), eq in zip(points, reused, strict=True):
        assert_same(eq, solve_equilibrium(game.with_delta(d).with_regulation(t, p), "kkt:sos1", solver="scip"))


def test_parameters_are_checked_and_bad_options_refused() -> None:
    program = OpennessKKTProgram(OpennessGame(), solver="scip")
    with pytest.raises(OptionError, match="unknown parameter.*theta_G; valid: delta, theta, penalty"):
        program.update(theta_G=0.3)
    with pytest.raises(ModelError, match="theta"):
        program.update(theta=1.5)
    with pytest.raises(ModelError, match="penalty"):
        program.update(penalty=-1.0)
    with pytest.raises(OptionError, match="big-M"):
        OpennessKKTProgram(OpennessGame(), encoding="bigm")
    with pytest.raises(ModelError, match="custom contract"):
        OpennessKKTProgram(OpennessGame(contract=lambda omega, alpha1: 0.5))
    assert sorted(program.variables) == ["comply.omega", "comply.step", "pay.omega", "pay.step"]
