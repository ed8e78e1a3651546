"""Figures of the openness-regulation game, computed through the game-file front end
(``ftgames.io.openness_regulation.solve_batch``, the same path as ``ftgames sweep``).

    python -m ftgames.plots.openness FIGURE [--game FILE] --out DIR [--points N]

FIGURE: ``unregulated-openness`` (ω* against α0, with and without bargaining: non-increasing), ``regime-map``
(comply / pay / abstain over (θ, p) with the switching curve p*(θ) = G's compliance loss), ``effects`` (no change /
deadweight loss / Pareto improvement / redistribution over (θ, p) for a few α0, δ re-bargained), or ``all``.
Each figure is written as PNG with the data as CSV next to it.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

import numpy as np

from ..io.gamefile import GameFile, load_game_file

DEFAULT_GAME = Path(__file__).resolve().parents[3] / "examples" / "openness_default.toml"
FIGURES = ("unregulated-openness", "regime-map", "effects")
REGIME_COLOURS = {"comply": "#4daf4a", "pay": "#ff7f00", "abstain": "#999999"}
EFFECT_COLOURS = {"no_change": "#f0f0f0", "pareto_improvement": "#1b9e77", "deadweight_loss": "#d95f02",
                  "redistribution": "#7570b3"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def unregulated_openness_rows(file: GameFile, alpha0s: np.ndarray, solutions: tuple[str, ...]) -> list[dict]:
    from ..io.openness_regulation import solve_batch

    rows = []
    for solution in solutions:
        points = [{"model.alpha0": float(a), "regulation.theta": 0.0, "regulation.penalty": 0.0} for a in alpha0s]
        for row in _with_solution(file, solution, lambda f, pts=points: solve_batch(f, pts)):
            rows.append({**row, "solution": solution})
    return rows


def _with_solution(file: GameFile, solution: str, run: Any) -> list[dict]:
    """Run on a copy of the file whose bargaining solution is ``solution``."""
    data = {**file.data, "bargaining": {**file.data.get("bargaining", {}), "solution": solution}}
    return run(GameFile(file.path, file.text, data))


def figure_unregulated_openness(file: GameFile, out: Path, points: int = 61) -> Path:
    plt = _pyplot()
    alpha0s = np.linspace(0.05, 2.0, points)
    rows = unregulated_openness_rows(file, alpha0s, ("fixed", "nash"))
    fig, ax = plt.subplots(figsize=(6, 4))
    for solution, style in (("fixed", "-"), ("nash", "--")):
        sel = [r for r in rows if r["solution"] == solution]
        label = f"δ fixed = {sel[0]['delta']:.2f}" if solution == "fixed" else "δ by Nash bargaining"
        ax.plot([r["alpha0"] for r in sel], [r["omega"] for r in sel], style, drawstyle="steps-post", label=label)
    ax.set_xlabel("baseline performance α0")
    ax.set_ylabel("unregulated optimal openness ω*")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("Without regulation, better models are released less openly")
    ax.legend()
    path = out / "openness_unregulated_openness.png"
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    _write_csv(rows, path.with_suffix(".csv"))
    return path


def regime_map_rows(file: GameFile, thetas: np.ndarray, penalties: np.ndarray,
                    extra: dict[str, float] | None = None) -> list[dict]:
    from ..io.openness_regulation import solve_batch

    points = [{**(extra or {}), "regulation.theta": float(t), "regulation.penalty": float(p)}
              for p in penalties for t in thetas]
    return solve_batch(file, points)


def _draw_map(ax: Any, rows: list[dict], thetas: np.ndarray, penalties: np.ndarray, field: str,
              colours: dict[str, str]) -> None:
    from matplotlib.colors import ListedColormap

    names = list(colours)
    codes = np.array([names.index(r[field]) for r in rows], dtype=float).reshape(len(penalties), len(thetas))
    ax.pcolormesh(thetas, penalties, codes, cmap=ListedColormap([colours[n] for n in names]), vmin=-0.5,
                  vmax=len(names) - 0.5, shading="nearest")


def figure_regime_map(file: GameFile, out: Path, points: int = 61) -> Path:
    from matplotlib.patches import Patch

    from ..formulations.openness.equilibrium import compliance_loss
    from ..io.openness_regulation import load_game

    plt = _pyplot()
    game, _, _ = load_game(file)
    thetas = np.linspace(0.0, 1.0, points)
    loss = np.array([compliance_loss(game.with_regulation(t, 0.0)) for t in thetas])
    penalties = np.linspace(0.0, max(1.5 * float(loss.max()), 1e-3), points)
    rows = regime_map_rows(file, thetas, penalties)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    _draw_map(ax, rows, thetas, penalties, "regime", REGIME_COLOURS)
    ax.plot(thetas, loss, "k-", lw=2, label="switching curve p*(θ) = compliance loss")
    handles = [Patch(color=c, label=n) for n, c in REGIME_COLOURS.items()]
    ax.legend(handles=[*handles, *ax.get_legend_handles_labels()[0]], loc="upper left", fontsize=8)
    ax.set_xlabel("openness threshold θ")
    ax.set_ylabel("penalty p")
    ax.set_title(f"G's regime (α0 = {game.alpha0:g}, δ = {game.delta:g})")
    path = out / "openness_regime_map.png"
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    _write_csv(rows, path.with_suffix(".csv"))
    return path


def figure_effects(file: GameFile, out: Path, points: int = 41, alpha0s: tuple[float, ...] | None = None,
                   solution: str = "nash") -> Path:
    from matplotlib.patches import Patch

    plt = _pyplot()
    figures = file.data.get("figures", {})
    alpha0s = tuple(alpha0s or figures.get("effects_alpha0", (0.6, 0.8, 1.0)))
    p_max = float(figures.get("effects_penalty_max", 0.2))
    thetas = np.linspace(0.0, 1.0, points)
    penalties = np.linspace(0.0, p_max, points)
    fig, axes = plt.subplots(1, len(alpha0s), figsize=(4.2 * len(alpha0s), 4), sharey=True, squeeze=False)
    all_rows = []
    for ax, alpha0 in zip(axes[0], alpha0s, strict=True):
        rows = _with_solution(file, solution,
                              lambda f, a=alpha0: regime_map_rows(f, thetas, penalties, {"model.alpha0": a}))
        all_rows += rows
        _draw_map(ax, rows, thetas, penalties, "effect", EFFECT_COLOURS)
        ax.set_title(f"α0 = {alpha0:g}")
        ax.set_xlabel("openness threshold θ")
    axes[0][0].set_ylabel("penalty p")
    fig.legend(handles=[Patch(color=c, label=n.replace("_", " ")) for n, c in EFFECT_COLOURS.items()],
               loc="lower center", ncol=4, fontsize=8)
    fig.suptitle(f"Effect of the open-source definition (δ by {solution} bargaining)")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    path = out / "openness_effects.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    _write_csv(all_rows, path.with_suffix(".csv"))
    return path


def game_figure(game: Any, path: str | Path, points: int = 41) -> None:
    """For ``ftgames solve --plot``: G's payoff V(ω) − penalty over ω, and the regime map around the definition."""
    from matplotlib.patches import Patch

    from ..formulations.openness.enumeration import equilibrium_arrays
    from ..formulations.openness.equilibrium import compliance_loss
    from ..formulations.openness.follower import leader_value

    plt = _pyplot()
    reg = game.regulation
    omegas = np.linspace(0.0, 1.0, 201)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    payoff = leader_value(game, omegas, game.delta, np.where(omegas < reg.theta, reg.penalty, 0.0))
    left.plot(omegas, payoff, label="U_G(ω) with D's best response, − p·1{ω < θ}")
    left.axvline(reg.theta, color="k", ls=":", label=f"θ = {reg.theta:g}")
    left.set_xlabel("openness ω")
    left.set_ylabel("U_G")
    left.legend(fontsize=8)
    thetas = np.linspace(0.0, 1.0, points)
    loss = np.array([compliance_loss(game.with_regulation(t, 0.0)) for t in thetas])
    penalties = np.linspace(0.0, max(1.5 * float(loss.max()), reg.penalty * 1.2, 1e-3), points)
    names = list(REGIME_COLOURS)
    codes = np.array([[names[int(equilibrium_arrays(game.with_regulation(t, p)).regime[0])] for t in thetas]
                      for p in penalties])
    rows = [{"regime": c} for c in codes.ravel()]
    _draw_map(right, rows, thetas, penalties, "regime", REGIME_COLOURS)
    right.plot(thetas, loss, "k-", lw=2)
    right.plot([reg.theta], [reg.penalty], "r*", ms=14)
    right.legend(handles=[Patch(color=c, label=n) for n, c in REGIME_COLOURS.items()], fontsize=8)
    right.set_xlabel("openness threshold θ")
    right.set_ylabel("penalty p")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ftgames.plots.openness", description=__doc__.split("\n")[0])
    parser.add_argument("figure", choices=[*FIGURES, "all"])
    parser.add_argument("--game", default=str(DEFAULT_GAME), help="an openness_regulation game file")
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--points", type=int, default=None, help="grid points per axis")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    file = load_game_file(args.game)
    makers = {"unregulated-openness": figure_unregulated_openness, "regime-map": figure_regime_map,
              "effects": figure_effects}
    for name in FIGURES if args.figure == "all" else (args.figure,):
        kwargs = {"points": args.points} if args.points else {}
        print(makers[name](file, out, **kwargs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
