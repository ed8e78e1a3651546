"""Figures of the openness-regulation game, computed from a game file through its front end's batch solver (the
function ``ftgames sweep`` calls) or read from a finished sweep, then drawn by :mod:`ftgames.plots.openness`.

    python -m ftgames.figures.openness FIGURE [--game FILE] --out DIR [--points N]     # compute and draw
    python -m ftgames.figures.openness FIGURE --sweep SWEEP_DIR --out DIR              # draw an ``ftgames sweep``

FIGURE: ``unregulated-openness``, ``regime-map``, ``baseline-map``, ``effects`` (see :mod:`ftgames.plots.openness`),
or ``all``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..games.openness_regulation import FRONT_END, load_game
from ..io.gamefile import GameFile, load_game_file
from ..plots.openness import (
    FIGURES,
    draw_baseline_map,
    draw_effects,
    draw_regime_map,
    draw_unregulated_openness,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DEFAULT_GAME = EXAMPLES / "openness_default.toml"


def _with_solution(file: GameFile, solution: str) -> GameFile:
    """A copy of ``file`` whose bargaining solution is ``solution``."""
    data = {**file.data, "bargaining": {**file.data.get("bargaining", {}), "solution": solution}}
    return GameFile(file.path, file.text, data)


def _batch(file: GameFile, points: list[dict[str, float]]) -> list[dict[str, Any]]:
    return FRONT_END.solve_batch(file, points, FRONT_END.request(file))


# ------------------------------------------------------------------------------------------ data (computed)
def unregulated_openness_rows(file: GameFile, alpha0s: np.ndarray, solutions: tuple[str, ...] = ("fixed", "nash"),
                              ) -> list[dict[str, Any]]:
    rows = []
    for solution in solutions:
        points = [{"model.alpha0": float(a), "regulation.theta": 0.0, "regulation.penalty": 0.0} for a in alpha0s]
        rows += [{**row, "solution": solution} for row in _batch(_with_solution(file, solution), points)]
    return rows


def regime_map_rows(file: GameFile, thetas: np.ndarray, penalties: np.ndarray,
                    extra: dict[str, float] | None = None) -> list[dict[str, Any]]:
    points = [{**(extra or {}), "regulation.theta": float(t), "regulation.penalty": float(p)}
              for p in penalties for t in thetas]
    return _batch(file, points)


def effects_rows(file: GameFile, alpha0s: tuple[float, ...], thetas: np.ndarray, penalties: np.ndarray,
                 solution: str) -> list[dict[str, Any]]:
    rows = []
    for alpha0 in alpha0s:
        rows += regime_map_rows(_with_solution(file, solution), thetas, penalties, {"model.alpha0": alpha0})
    return rows


# ------------------------------------------------------------------------------------------ drawing
def figure_unregulated_openness(file: GameFile, out: Path, points: int = 61,
                                compare: tuple[GameFile, ...] = ()) -> Path:
    """ω*(α0) of ``file`` (δ fixed and Nash-bargained), plus the fixed-δ curve of each ``compare`` file."""
    alpha0s = np.linspace(0.05, 2.0, points)
    rows = unregulated_openness_rows(file, alpha0s)
    for other in compare:
        title = other.data.get("title", Path(other.path).stem)
        other_rows = unregulated_openness_rows(other, alpha0s, ("fixed",))
        rows += [{**row, "solution": f"fixed, {title}"} for row in other_rows]
    return draw_unregulated_openness(rows, out / "openness_unregulated_openness.png")


def figure_regime_map(file: GameFile, out: Path, points: int = 61) -> Path:
    from ..formulations.openness.equilibrium import compliance_loss
    game, _, _ = load_game(file)
    thetas = np.linspace(0.0, 1.0, points)
    top = max(compliance_loss(game.with_regulation(t, 0.0)) for t in thetas)
    penalties = np.linspace(0.0, max(1.5 * top, 1e-3), points)
    return draw_regime_map(regime_map_rows(file, thetas, penalties), out / "openness_regime_map.png")


def figure_baseline_map(file: GameFile, out: Path, points: int = 61) -> Path:
    """Regime over (α0, p) at the file's θ (θ = 1 if the file has none)."""
    game, _, _ = load_game(file)
    theta = game.regulation.theta or 1.0
    alpha0s = np.linspace(0.05, 2.0, points)
    probe = _batch(file, [{"model.alpha0": float(a), "regulation.theta": theta, "regulation.penalty": 0.0}
                          for a in alpha0s])
    top = max(r["compliance_loss"] for r in probe)
    penalties = np.linspace(0.0, max(1.3 * top, 1e-3), points)
    rows = _batch(file, [{"model.alpha0": float(a), "regulation.theta": theta, "regulation.penalty": float(p)}
                         for p in penalties for a in alpha0s])
    return draw_baseline_map(rows, out / "openness_baseline_map.png")


def figure_effects(file: GameFile, out: Path, points: int = 41, solution: str = "nash") -> Path:
    figures = file.data.get("figures", {})
    alpha0s = tuple(figures.get("effects_alpha0", (0.5, 0.6, 0.65, 0.8)))
    penalties = np.linspace(0.0, float(figures.get("effects_penalty_max", 0.2)), points)
    rows = effects_rows(file, alpha0s, np.linspace(0.0, 1.0, points), penalties, solution)
    return draw_effects(rows, out / "openness_effects.png",
                        f"Effect of the open-source definition (δ by {solution} bargaining)")


def figure_from_sweep(name: str, sweep: Path, out: Path) -> Path:
    """Draw ``name`` from the rows of a finished ``ftgames sweep`` of an openness game file."""
    from ..sweep import load_results

    frame = load_results(sweep)
    rows = frame.rename(columns={c: c[len("out."):] for c in frame.columns if c.startswith("out.")}).to_dict("records")
    drawers = {"unregulated-openness": draw_unregulated_openness, "regime-map": draw_regime_map,
               "baseline-map": draw_baseline_map, "effects": draw_effects}
    return drawers[name](rows, out / f"openness_{name.replace('-', '_')}.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ftgames.figures.openness", description=__doc__.split("\n")[0])
    parser.add_argument("figure", choices=[*FIGURES, "all"])
    parser.add_argument("--game", default=str(DEFAULT_GAME), help="an openness_regulation game file")
    parser.add_argument("--sweep", help="draw from this finished `ftgames sweep` output instead of computing")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--points", type=int, default=None, help="grid points per axis")
    parser.add_argument("--compare", action="append", default=None, metavar="FILE",
                        help="unregulated-openness: add this game file's curve (default: the interior example)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = FIGURES if args.figure == "all" else (args.figure,)
    if args.sweep:
        if args.figure == "all":
            parser.error("--sweep draws one figure: name it")
        print(figure_from_sweep(args.figure, Path(args.sweep), out))
        return 0
    file = load_game_file(args.game)
    makers = {"unregulated-openness": figure_unregulated_openness, "regime-map": figure_regime_map,
              "baseline-map": figure_baseline_map, "effects": figure_effects}
    compare = args.compare if args.compare is not None else [str(EXAMPLES / "openness_interior.toml")]
    for name in names:
        kwargs: dict[str, Any] = {"points": args.points} if args.points else {}
        if name == "unregulated-openness":
            kwargs["compare"] = tuple(load_game_file(path) for path in compare)
        print(makers[name](file, out, **kwargs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
