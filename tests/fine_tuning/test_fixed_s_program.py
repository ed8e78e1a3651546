"""The decomposition's fixed-S subproblem as a Pyomo program: at the certified answer's S it reproduces the
answer with Ipopt (a second formulation of the same point), and it can be extended like any Pyomo model."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from ftgames.formulations.bargaining import bargain
from ftgames.formulations.bargaining.subproblem import fixed_s_program, set_s
from ftgames.models import FineTuningGame, ModelError
from ftgames.solvers import Capability, solve


def solve_ipopt(model: pyo.ConcreteModel):
    return solve(model, requires={Capability.NLP}, solver="ipopt", convex=True, formulation="fixed_s")


@pytest.mark.parametrize("solution", ["nash", "egalitarian", "kalai_smorodinsky", "utilitarian"])
@pytest.mark.parametrize("exponent", [2.0, 3.0])
def test_program_at_the_optimal_s_reproduces_the_certified_bargain(solution: str, exponent: float) -> None:
    rng = np.random.default_rng(31 + int(exponent))
    game = FineTuningGame.polynomial(1.2, np.round(rng.uniform(0.5, 2.0, 4), 3), np.round(rng.uniform(0.5, 2.0, 4), 3),
                                     exponent=exponent)
    out = bargain(game, solution, formulation="decomposition")
    s = float(np.dot(out.delta, game.arrays().revenue))
    model = fixed_s_program(game, solution, s, ideal=out.details.get("ideal"))
    result = solve_ipopt(model)
    assert result.status == "optimal"
    delta = np.array([pyo.value(model.delta[i]) for i in model.D])
    assert np.allclose(delta, out.delta, atol=2e-5)
    assert pyo.value(model.U_G) == pytest.approx(out.equilibrium.U_G, rel=1e-6)
    assert [pyo.value(model.U_D[i]) for i in model.D] == pytest.approx(list(out.equilibrium.U_D), rel=1e-6, abs=1e-6)


def test_embedding_a_constraint_and_moving_s() -> None:
    game = FineTuningGame.quadratic(1.0, [1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    model = fixed_s_program(game, "nash", s=2.5)
    solve_ipopt(model)
    free = pyo.value(model.objective)
    model.cap_first = pyo.Constraint(expr=model.delta[0] <= 0.05)  # a user's extra rule
    solve_ipopt(model)
    assert pyo.value(model.delta[0]) <= 0.05 + 1e-7 and pyo.value(model.objective) <= free + 1e-9
    set_s(model, game, 3.0)
    solve_ipopt(model)
    assert sum(pyo.value(model.delta[i]) * r for i, r in zip(model.D, (1.0, 2.0, 3.0), strict=True)) == (
        pytest.approx(3.0, abs=1e-7))
    with pytest.raises(ModelError, match="S must be in"):
        set_s(model, game, 7.0)
    with pytest.raises(ModelError, match="needs the ideal point"):
        fixed_s_program(game, "kalai_smorodinsky", 1.0)
    with pytest.raises(ModelError, match="does not apply"):
        fixed_s_program(FineTuningGame.polynomial(1.0, [1.0, 2.0], exponent=1.5), "nash", 1.0)
