"""Test-only game front ends: the one-domain quadratic fine-tuning game in closed form (spec §3).

``ToyFrontEnd`` answers one file with a report in the common shape (``games.base``: outcomes keyed "fixed", each with
delta, U_G, U_D, the game's investments and labels, status, certificate, formulation, backend, timing, stages); the
``batch`` variant adds ``solve_batch`` (flat rows); the ``flaky`` variant fails on the first attempt at each point
(attempts counted in files under ``$FTGAMES_TEST_FLAKY_DIR``) and always on ``delta`` = 0.7 unless
``$FTGAMES_TEST_ALLOW_BAD`` is set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ftgames.games.base import FrontEnd, Request, Stage, Stopwatch, outcome
from ftgames.io.gamefile import GameFile
from ftgames.models.outcomes import Certificate, Level
from ftgames.solvers import Status

GAME_TOML = """\
game = "toy"

[generalist]
cost = 1.0

[[specialists]]
cost = 1.0
revenue = 1.0

[bargaining]
delta = 0.5
"""


def closed_form(c0: float, c1: float, r: float, delta: float) -> dict[str, Any]:
    """α0 = δr/(2c0), α1 = α0 + (1−δ)r/(2c1), U_G = δ r α1 − c0 α0², U_D = (1−δ) r α1 − c1 (α1 − α0)²."""
    alpha0 = delta * r / (2 * c0)
    alpha1 = alpha0 + (1 - delta) * r / (2 * c1)
    return {"alpha0": alpha0, "alpha": [alpha1], "U_G": delta * r * alpha1 - c0 * alpha0**2,
            "U_D": (1 - delta) * r * alpha1 - c1 * (alpha1 - alpha0) ** 2, "regime": "contribute"}


def _solve_data(data: dict[str, Any]) -> dict[str, Any]:
    spec = data["specialists"][0]
    return closed_form(data["generalist"]["cost"], spec["cost"], spec["revenue"], data["bargaining"]["delta"])


class ToyFrontEnd(FrontEnd):
    """Solves point by point (no ``solve_batch``)."""

    name = "toy"
    formulations = ("closed_form",)

    def solve(self, file: GameFile, request: Request) -> dict[str, Any]:
        return self.toy_report(file, request, _solve_data(file.data))

    def toy_report(self, file: GameFile, request: Request, ref: dict[str, Any]) -> dict[str, Any]:
        clock = Stopwatch()
        formulation = str(request.formulation)
        stage = Stage("equilibrium", formulation, None, Status.OPTIMAL,
                      Certificate(Level.GLOBAL, formulation, {"exact_method": True}), total_s=clock.elapsed)
        fixed = outcome(delta=[file.data["bargaining"]["delta"]], U_G=ref["U_G"], U_D=[ref["U_D"]],
                        values={"alpha0": ref["alpha0"], "alpha": ref["alpha"], "regimes": [ref["regime"]]},
                        stages=[stage], formulation=formulation, total_s=clock.elapsed)
        return self.report(file, request, parameters={"cost": file.data["specialists"][0]["cost"]},
                           outcomes={"fixed": fixed}, convention="delta is the generalist's revenue share")


class ToyBatchFrontEnd(ToyFrontEnd):
    def solve_batch(self, file: GameFile, points: list[dict[str, float]], request: Request) -> list[dict[str, Any]]:
        return solve_batch(file, points)


class ToyFlakyFrontEnd(ToyFrontEnd):
    def solve(self, file: GameFile, request: Request) -> dict[str, Any]:
        return self.toy_report(file, request, flaky_solve(file))


def solve_batch(file: GameFile, points: list[dict[str, float]]) -> list[dict[str, Any]]:
    import copy

    from ftgames.io.gamefile import set_dotted

    rows = []
    for point in points:
        data = copy.deepcopy(file.data)
        for key, value in point.items():
            set_dotted(data, key, value)
        report = _solve_data(data)
        rows.append({"alpha0": report["alpha0"], "alpha1": report["alpha"][0], "U_G": report["U_G"],
                     "U_D": report["U_D"]})
    return rows


def flaky_solve(file: GameFile) -> dict[str, Any]:
    delta = file.data["bargaining"]["delta"]
    if abs(delta - 0.7) < 1e-12 and not os.environ.get("FTGAMES_TEST_ALLOW_BAD"):
        raise ValueError("bargaining.delta = 0.7 is a bad point")
    counter = Path(os.environ["FTGAMES_TEST_FLAKY_DIR"]) / f"{delta:.6f}"
    seen = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(seen + 1))
    if seen == 0:
        raise RuntimeError(f"transient failure at delta={delta}")
    return _solve_data(file.data)
