"""Figures of the openness-regulation game, computed from a game file through its front end's batch solver (the
function ``ftgames sweep`` calls) or read from a finished sweep, then drawn by :mod:`ftgames.plots.openness`.

    python -m ftgames.figures.openness FIGURE [--game FILE] --out DIR [--points N]     # compute and draw
    python -m ftgames.figures.openness FIGURE --sweep SWEEP_DIR --out DIR              # draw a finished sweep

FIGURE: ``unregulated-openness``, ``regime-map``, ``baseline-map``, ``effects``, ``families``, ``regime-maps``,
``levers`` (see :mod:`ftgames.plots.openness`), or ``all``.  The game file's ``[figures]`` table may set
``alpha0s`` (the three baselines of ``regime-maps``) and ``levers_penalty`` (the penalty of ``levers``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..games.openness_regulation import FRONT_END, load_game
from ..io.gamefile import GameFile, load_game_file
from ..plots import style
from ..plots.openness import (
    FIGURES,
    draw_baseline_map,
    draw_effects,
    draw_families,
    draw_levers,
    draw_regime_map,
    draw_regime_maps,
    draw_unregulated_openness,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DEFAULT_GAME = EXAMPLES / "openness_default.toml"
#: The functional families compared by ``families``: (label, {term: family}) swapped into the file's game.
FAMILY_VARIANTS = (
    ("this file's forms", {}),
    ("defaults: concave benefit, quadratic leak, exp. discount",
     {"benefit": "concave_quadratic", "operation_cost": "quadratic_leak", "fine_tuning_cost": "exponential_discount"}),
    ("linear discount κ0(1 − λω)", {"benefit": "concave_quadratic", "operation_cost": "quadratic_leak",
                                    "fine_tuning_cost": "openness_discounted"}),
    ("linear benefit, quadratic leak", {"benefit": "linear", "operation_cost": "quadratic_leak"}),
    ("concave benefit, linear leak", {"benefit": "concave_quadratic", "operation_cost": "linear_leak"}),
    ("spec's linear forms (all or nothing)", {"benefit": "linear", "operation_cost": "linear_leak",
                                              "fine_tuning_cost": "openness_discounted"}),
)
REGIME_MAP_ALPHA0S = (0.8, 1.5, 3.0)


def _with_solution(file: GameFile, solution: str) -> GameFile:
    """A copy of ``file`` whose bargaining solution is ``solution``."""
    data = {**file.data, "bargaining": {**file.data.get("bargaining", {}), "solution": solution}}
    return GameFile(file.path, file.text, data)


def _batch(file: GameFile, points: list[dict[str, float]]) -> list[dict[str, Any]]:
    """The front end's rows, with the exact enumeration whatever the file's ``[solve]`` formulation (a figure needs
    thousands of equilibria; a KKT formulation would re-solve each by SCIP)."""
    return FRONT_END.solve_batch(file, points, FRONT_END.request(file, formulation="enumeration"))


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
    """G's regime (comply, pay, abstain) over (θ, p) at the file's α0, with the switching curve p = L(θ); the
    penalty axis reaches 1.5 × the largest compliance loss."""
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
    """The effect of the definition (θ, p) against no regulation (Pareto improvement, redistribution, deadweight
    loss, no change), one panel per α0 of the file's ``[figures] effects_alpha0``, δ by ``solution``."""
    figures = file.data.get("figures", {})
    alpha0s = tuple(figures.get("effects_alpha0", (0.5, 0.6, 0.65, 0.8)))
    penalties = np.linspace(0.0, float(figures.get("effects_penalty_max", 0.2)), points)
    rows = effects_rows(file, alpha0s, np.linspace(0.0, 1.0, points), penalties, solution)
    how = "δ fixed" if solution == "fixed" else f"δ by {style.solution_label(solution)} bargaining"
    suffix = "" if solution == "nash" else f"_{solution}"
    return draw_effects(rows, out / f"openness_effects{suffix}.png",
                        f"Effect of the open-source definition against none ({how})")


def figure_families(file: GameFile, out: Path, points: int = 61) -> Path:
    """ω*(α0) without regulation for the file's forms and the named families of :data:`FAMILY_VARIANTS` (each
    family with its own default parameters)."""
    alpha0s = np.linspace(0.05, 3.0, points)
    rows: list[dict[str, Any]] = []
    seen: dict[Any, str] = {}
    for label, families in FAMILY_VARIANTS:
        data = {**file.data, "model": {**file.data.get("model", {}),
                                       **{kind: {"family": family} for kind, family in families.items()}}}
        variant = GameFile(file.path, file.text, data)
        game = load_game(variant)[0]
        if game in seen:  # the same forms as an earlier curve: say so in its label instead of hiding a line
            rows = [{**r, "family": f"{r['family']} = {label}"} if r["family"] == seen[game] else r for r in rows]
            seen[game] = f"{seen[game]} = {label}"
            continue
        seen[game] = label
        points_ = [{"model.alpha0": float(a), "regulation.theta": 0.0, "regulation.penalty": 0.0} for a in alpha0s]
        rows += [{**row, "family": label} for row in _batch(_with_solution(variant, "fixed"), points_)]
    return draw_families(rows, out / "openness_families.png")


def figure_regime_maps(file: GameFile, out: Path, points: int = 41) -> Path:
    """The regime map over (θ, p) with its switching curve for three baselines α0 (``[figures] alpha0s``)."""
    alpha0s = tuple(file.data.get("figures", {}).get("alpha0s", REGIME_MAP_ALPHA0S))
    thetas = np.linspace(0.0, 1.0, points)
    rows = []
    for alpha0 in alpha0s:  # each panel's penalties up to 1.3 × its largest switching penalty
        probe = _batch(file, [{"model.alpha0": float(alpha0), "regulation.theta": float(t), "regulation.penalty": 0.0}
                              for t in thetas])
        penalties = np.linspace(0.0, max(1.3 * max(r["compliance_loss"] for r in probe), 1e-3), points)
        rows += regime_map_rows(file, thetas, penalties, {"model.alpha0": float(alpha0)})
    return draw_regime_maps(rows, out / "openness_regime_maps.png")


def figure_levers(file: GameFile, out: Path, points: int = 61) -> Path:
    """Which instrument moves G's release over (α0, θ) at one penalty (``[figures] levers_penalty``, else the file's
    penalty, else 0.05)."""
    game, _, _ = load_game(file)
    penalty = float(file.data.get("figures", {}).get("levers_penalty", game.regulation.penalty or 0.05))
    alpha0s = np.linspace(0.05, 3.0, points)
    rows = _batch(file, [{"model.alpha0": float(a), "regulation.theta": float(t), "regulation.penalty": penalty}
                         for t in np.linspace(0.0, 1.0, points) for a in alpha0s])
    return draw_levers(rows, out / "openness_levers.png")


def figure_from_sweep(name: str, sweep: Path, out: Path) -> Path:
    """Draw ``name`` from the rows of a finished ``ftgames sweep`` of an openness game file."""
    from ..sweep import load_results

    frame = load_results(sweep)
    rows = frame.rename(columns={c: c[len("out."):] for c in frame.columns if c.startswith("out.")}).to_dict("records")
    drawers = {"unregulated-openness": draw_unregulated_openness, "regime-map": draw_regime_map,
               "baseline-map": draw_baseline_map, "effects": draw_effects, "regime-maps": draw_regime_maps,
               "levers": draw_levers}
    if name not in drawers:
        raise InputError(f"--sweep: figure {name!r} is computed, not drawn from a sweep; valid with --sweep: "
                         f"{', '.join(drawers)}")
    return drawers[name](rows, out / f"openness_{name.replace('-', '_')}.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ftgames.figures.openness", description=__doc__.split("\n")[0])
    parser.add_argument("figure", choices=[*FIGURES, "all"])
    parser.add_argument("--game", default=str(DEFAULT_GAME), help="an openness_regulation game file")
    parser.add_argument("--sweep", help="draw from this finished `ftgames sweep` output instead of computing")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--points", type=int, default=None, help="grid points per axis")
    parser.add_argument("--solution", default=None,
                        help="effects: the bargaining solution under which regulated and unregulated outcomes are "
                             "compared (default: nash; 'fixed' keeps the file's δ)")
    parser.add_argument("--compare", action="append", default=None, metavar="FILE",
                        help="unregulated-openness: add this game file's curve (default: the linear example)")
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
              "baseline-map": figure_baseline_map, "effects": figure_effects, "families": figure_families,
              "regime-maps": figure_regime_maps, "levers": figure_levers}
    compare = args.compare if args.compare is not None else [str(EXAMPLES / "openness_linear.toml")]
    for name in names:
        kwargs: dict[str, Any] = {"points": args.points} if args.points else {}
        if name == "unregulated-openness":
            kwargs["compare"] = tuple(load_game_file(path) for path in compare)
        if name == "effects" and args.solution:
            kwargs["solution"] = args.solution
        print(makers[name](file, out, **kwargs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
