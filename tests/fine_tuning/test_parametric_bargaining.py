"""The conic bargaining programs with CVXPY Parameters (issue 14): compiled once, re-solved for new costs and
revenue rates, each re-solve equal to ``bargain`` on the game built afresh with the same data."""

from __future__ import annotations

import numpy as np
import pytest

from ftgames.errors import OptionError
from ftgames.formulations.bargaining import bargain
from ftgames.formulations.bargaining.parametric import ConicBargainingProgram
from ftgames.models import FineTuningGame
from ftgames.models.costs import ModelError
from ftgames.solvers import SolveFailed

TOL = 1e-7

ONE_SPECIALIST = [("nash", "log", None), ("nash", "geo_mean", None), ("nash", "log", [0.02, 0.05]),
                  ("egalitarian", "conic", None), ("kalai_smorodinsky", "conic", None),
                  ("generalist_optimal", "conic", None), ("specialist_optimal", "conic", None),
                  ("utilitarian", "conic", None)]


def assert_same(resolved, fresh) -> None:
    assert np.allclose(resolved.delta, fresh.delta, rtol=0, atol=TOL), (resolved.delta, fresh.delta)
    assert abs(resolved.objective - fresh.objective) <= TOL * (1 + abs(fresh.objective))
    assert resolved.equilibrium.certificate.level == fresh.equilibrium.certificate.level
    assert (resolved.status, resolved.is_global, resolved.formulation, resolved.solver, resolved.backend) == (
        fresh.status, fresh.is_global, fresh.formulation, fresh.solver, fresh.backend)
    assert resolved.labels == fresh.labels and resolved.details == fresh.details


@pytest.mark.parametrize(("solution", "form", "disagreement"), ONE_SPECIALIST)
def test_one_specialist_resolves_equal_fresh_builds(solution: str, form: str, disagreement) -> None:
    rng = np.random.default_rng(1420 + ONE_SPECIALIST.index((solution, form, disagreement)))
    formulation = "conic" if form == "conic" else f"conic:{form}"
    program = ConicBargainingProgram(FineTuningGame.quadratic(1.0, [2.0]), solution, form=form,
                                     disagreement=disagreement)
    for _ in range(5):
        c0, c1, r = (round(float(v), 4) for v in rng.uniform(0.3, 3.0, 3))
        program.update(c0=c0, costs=[c1], revenues=[r])
        try:
            fresh = bargain(FineTuningGame.quadratic(c0, [c1], [r]), solution, formulation=formulation,
                            disagreement=disagreement)
        except SolveFailed:  # a disagreement point above what the game can give: no deal, for both
            with pytest.raises(SolveFailed, match="infeasible"):
                program.solve()
            continue
        assert_same(program.solve(), fresh)
    assert program.solves == 5 and program.parameters == {"c0": c0, "costs": (c1,), "revenues": (r,)}


def test_utilitarian_for_n_specialists() -> None:
    rng = np.random.default_rng(1430)
    program = ConicBargainingProgram(FineTuningGame.quadratic(1.0, [1.0, 1.0, 1.0], [1.0, 2.0, 3.0]),
                                     "utilitarian")
    for _ in range(5):
        costs = np.round(rng.uniform(0.3, 3.0, 3), 4).tolist()
        revenues = np.round(rng.uniform(0.3, 3.0, 3), 4).tolist()
        resolved = program.update(costs=costs, revenues=revenues).solve()
        assert_same(resolved, bargain(FineTuningGame.quadratic(1.0, costs, revenues), "utilitarian"))


def test_only_some_parameters_change() -> None:
    program = ConicBargainingProgram(FineTuningGame.quadratic(1.0, [2.0]), "nash", form="log")  # bargain's default
    program.update(costs=[3.0])
    assert_same(program.solve(), bargain(FineTuningGame.quadratic(1.0, [3.0]), "nash"))
    program.update(c0=0.5)
    assert_same(program.solve(), bargain(FineTuningGame.quadratic(0.5, [3.0]), "nash"))


def test_dpp_named_variables_and_refusals() -> None:
    game = FineTuningGame.quadratic(1.0, [2.0])
    for solution, form, disagreement in ONE_SPECIALIST:
        assert ConicBargainingProgram(game, solution, form=form, disagreement=disagreement).program.is_dpp()
    program = ConicBargainingProgram(game, "kalai_smorodinsky")
    assert "delta" in program.variables and len(program.ideal_programs) == 2
    assert program.build_time > 0
    with pytest.raises(OptionError, match="unknown parameter.*valid: c0, costs, revenues"):
        program.update(delta=0.5)
    with pytest.raises(ModelError, match="one entry per specialist"):
        program.update(costs=[1.0, 2.0])
    with pytest.raises(ModelError):
        program.update(c0=-1.0)
    with pytest.raises(ModelError, match="Nash program"):
        ConicBargainingProgram(game, "egalitarian", form="log")
    with pytest.raises(ModelError, match="one specialist"):
        ConicBargainingProgram(FineTuningGame.quadratic(1.0, [1.0, 2.0]), "nash")


def test_bargain_reuses_one_compiled_program_inside_a_scope() -> None:
    from ftgames.formulations.parametric import reuse_programs

    games = [FineTuningGame.quadratic(1.0, [c]) for c in (0.5, 2.0, 3.5)]
    fresh = [bargain(g, "kalai_smorodinsky") for g in games]
    with reuse_programs() as cache:
        reused = [bargain(g, "kalai_smorodinsky") for g in games]
    assert (cache.builds, cache.reuses) == (1, 2)
    for a, b in zip(reused, fresh, strict=True):
        assert_same(a, b)  # KS is not polished: a re-solve and a first solve agree to Clarabel's accuracy (~1e-8)
