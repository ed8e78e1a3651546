"""Where G is indifferent between two investments, every formulation reports the same, canonical one (the largest
Σ U_Di, then the largest β0), so that labels never depend on the formulation that found the answer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ftgames.cli import main
from ftgames.formulations.safety.enumeration import TIE_TOL, solve_enumeration
from ftgames.formulations.safety.follower import best_step
from ftgames.formulations.safety.kkt import solve_kkt
from ftgames.models.safety import SafetyGame, Specialist

ROOT = Path(__file__).resolve().parents[2]


def tied_game() -> SafetyGame:
    """δ = 0.2, θD = 0.45 in the symmetric game: G gets 0.18 both at β0 = 0 (D lifts its safety to the floor) and at
    β0 = 0.1 (G's own safety; D's step then covers the rest)."""
    return SafetyGame(np.eye(2), (Specialist(np.eye(2), np.array([1.0, 1.0]), delta=0.2, theta_D=0.45),))


def utilities(game: SafetyGame, gamma0: np.ndarray) -> tuple[float, float]:
    """(U_G, U_D) at G's investment γ0 with D's exact best response (an independent evaluation)."""
    s = game.specialists[0]
    x = best_step(s.cost, s.revenue, np.asarray(1 - s.delta), np.asarray(max(0.0, s.theta_D - gamma0[1])))
    gamma = gamma0 + x
    return (s.delta * s.revenue @ gamma - gamma0 @ game.generalist_cost @ gamma0,
            (1 - s.delta) * s.revenue @ gamma - x @ s.cost @ x)


def test_the_game_is_a_tie_and_the_enumeration_favours_the_specialist() -> None:
    game = tied_game()
    low, high = utilities(game, np.array([0.1, 0.0])), utilities(game, np.array([0.1, 0.1]))
    assert low[0] == pytest.approx(high[0], abs=TIE_TOL) and high[1] > low[1] + 0.05
    eq = solve_enumeration(game)
    np.testing.assert_allclose(eq.gamma0, [0.1, 0.1], atol=1e-12)
    assert eq.U_D[0] == pytest.approx(high[1], abs=1e-12)


@pytest.mark.parametrize("encoding", ["sos1", "indicator", "bigm"])
def test_every_encoding_reports_the_canonical_choice(encoding: str) -> None:
    eq = solve_kkt(tied_game(), solver="scip", encoding=encoding)
    np.testing.assert_allclose(eq.gamma0, [0.1, 0.1], atol=1e-7)
    assert eq.U_D[0] == pytest.approx(0.48, abs=1e-7)


def test_bargained_labels_do_not_depend_on_the_formulation(capsys) -> None:
    """examples/safety_bargaining.toml: the utilitarian δ lands on G's switch point (δ = 0.2)."""
    labels = {}
    for form in ("enumeration", "kkt:sos1", "kkt:indicator"):
        assert main(["solve", str(ROOT / "examples/safety_bargaining.toml"), "--formulation", form, "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        labels[form] = {name: (o["classification"]["regime"], round(o["gamma0"][1], 6))
                        for name, o in report["outcomes"].items()}
    assert len({json.dumps(v, sort_keys=True) for v in labels.values()}) == 1, labels
