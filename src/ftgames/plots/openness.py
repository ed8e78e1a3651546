"""Figures of the openness-regulation game.  The data come from the game-file front end
(``ftgames.io.openness_regulation.solve_batch``, the function ``ftgames sweep`` calls) or from a finished sweep.

    python -m ftgames.plots.openness FIGURE [--game FILE] --out DIR [--points N]     # compute and draw
    python -m ftgames.plots.openness FIGURE --sweep SWEEP_DIR --out DIR              # draw an ``ftgames sweep``

FIGURE: ``unregulated-openness`` (ω* against α0 without regulation: non-increasing; ``--compare FILE`` adds the
curve of another game file, by default the interior example), ``regime-map`` (comply / pay /
abstain over (θ, p) with the switching curve p*(θ) = G's compliance loss), ``baseline-map`` (the regime over (α0, p)
at the file's θ with the switching penalty p*(α0)), ``effects`` (no change / deadweight loss /
Pareto improvement / redistribution over (θ, p) for a few α0), or ``all``.  Each figure is written as PNG with its
data as CSV next to it.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

import numpy as np

from ..io.gamefile import GameFile, load_game_file

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
DEFAULT_GAME = EXAMPLES / "openness_default.toml"
FIGURES = ("unregulated-openness", "regime-map", "baseline-map", "effects")
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


def _with_solution(file: GameFile, solution: str) -> GameFile:
    """A copy of ``file`` whose bargaining solution is ``solution``."""
    data = {**file.data, "bargaining": {**file.data.get("bargaining", {}), "solution": solution}}
    return GameFile(file.path, file.text, data)


def _batch(file: GameFile, points: list[dict[str, float]]) -> list[dict[str, Any]]:
    from ..io.openness_regulation import solve_batch

    return solve_batch(file, points)


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
def _grid(rows: list[dict[str, Any]], field: str, names: list[str],
          x: str = "theta") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs = np.unique([r[x] for r in rows])
    penalties = np.unique([r["penalty"] for r in rows])
    codes = np.full((len(penalties), len(xs)), np.nan)
    for r in rows:
        codes[np.searchsorted(penalties, r["penalty"]), np.searchsorted(xs, r[x])] = names.index(r[field])
    return xs, penalties, codes


def _draw_map(ax: Any, rows: list[dict[str, Any]], field: str, colours: dict[str, str], x: str = "theta") -> None:
    from matplotlib.colors import ListedColormap

    names = list(colours)
    xs, penalties, codes = _grid(rows, field, names, x)
    ax.pcolormesh(xs, penalties, codes, cmap=ListedColormap([colours[n] for n in names]), vmin=-0.5,
                  vmax=len(names) - 0.5, shading="nearest")


def draw_unregulated_openness(rows: list[dict[str, Any]], path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for solution in dict.fromkeys(r.get("solution", "file") for r in rows):
        sel = sorted((r for r in rows if r.get("solution", "file") == solution), key=lambda r: r["alpha0"])
        if solution == "fixed":
            label = f"δ fixed = {sel[0]['delta']:.2f}"
        elif solution.startswith("fixed, "):
            label = f"δ fixed = {sel[0]['delta']:.2f}, {solution[len('fixed, '):]}"
        else:
            label = f"δ by {solution} bargaining" if solution != "file" else "game file"
        ax.plot([r["alpha0"] for r in sel], [r["omega_unregulated"] for r in sel],
                "--" if solution == "nash" else "-", label=label,
                drawstyle="default" if solution.startswith("fixed, ") else "steps-post")
    ax.set_xlabel("baseline performance α0")
    ax.set_ylabel("unregulated optimal openness ω*")
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("Without regulation, better models are released less openly")
    ax.legend(fontsize=8, loc="center right")
    return _save(fig, plt, rows, path)


def draw_regime_map(rows: list[dict[str, Any]], path: Path) -> Path:
    from matplotlib.patches import Patch

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    _draw_map(ax, rows, "regime", REGIME_COLOURS)
    thetas = np.unique([r["theta"] for r in rows])
    curve = [max(r["compliance_loss"] for r in rows if r["theta"] == t) for t in thetas]
    ax.plot(thetas, curve, "k-", lw=2, label="switching curve p*(θ) = compliance loss")
    handles = [Patch(color=c, label=n) for n, c in REGIME_COLOURS.items()]
    ax.legend(handles=[*handles, *ax.get_legend_handles_labels()[0]], loc="upper left", fontsize=8)
    ax.set_xlabel("openness threshold θ")
    ax.set_ylabel("penalty p")
    ax.set_title(f"G's regime (α0 = {rows[0]['alpha0']:g}, δ = {rows[0]['delta']:g})")
    return _save(fig, plt, rows, path)


def draw_baseline_map(rows: list[dict[str, Any]], path: Path) -> Path:
    """G's regime over (α0, p) at one θ, with the switching penalty p*(α0) = L(θ; α0)."""
    from matplotlib.patches import Patch

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    _draw_map(ax, rows, "regime", REGIME_COLOURS, x="alpha0")
    alpha0s = np.unique([r["alpha0"] for r in rows])
    curve = [max(r["compliance_loss"] for r in rows if r["alpha0"] == a) for a in alpha0s]
    ax.plot(alpha0s, curve, "k-", lw=2, label="switching penalty p*(α0) = compliance loss")
    handles = [Patch(color=c, label=n) for n, c in REGIME_COLOURS.items()]
    ax.legend(handles=[*handles, *ax.get_legend_handles_labels()[0]], loc="upper left", fontsize=8)
    ax.set_xlabel("baseline performance α0")
    ax.set_ylabel("penalty p")
    ax.set_title(f"G's regime over (α0, p) at θ = {rows[0]['theta']:g}, δ = {rows[0]['delta']:g}")
    return _save(fig, plt, rows, path)


def draw_effects(rows: list[dict[str, Any]], path: Path, title: str = "") -> Path:
    from matplotlib.patches import Patch

    plt = _pyplot()
    alpha0s = sorted({r["alpha0"] for r in rows})
    fig, axes = plt.subplots(1, len(alpha0s), figsize=(4.2 * len(alpha0s), 4), sharey=True, squeeze=False)
    for ax, alpha0 in zip(axes[0], alpha0s, strict=True):
        _draw_map(ax, [r for r in rows if r["alpha0"] == alpha0], "effect", EFFECT_COLOURS)
        ax.set_title(f"α0 = {alpha0:g}")
        ax.set_xlabel("openness threshold θ")
    axes[0][0].set_ylabel("penalty p")
    fig.legend(handles=[Patch(color=c, label=n.replace("_", " ")) for n, c in EFFECT_COLOURS.items()],
               loc="lower center", ncol=4, fontsize=8)
    fig.suptitle(title or "Effect of the open-source definition against no regulation")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return _save(fig, plt, rows, path, tight=False)


def _save(fig: Any, plt: Any, rows: list[dict[str, Any]], path: Path, tight: bool = True) -> Path:
    if tight:
        fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    _write_csv(rows, path.with_suffix(".csv"))
    return path


# ------------------------------------------------------------------------------------------ figures
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
    from ..io.openness_regulation import load_game

    game, _, _ = load_game(file)
    thetas = np.linspace(0.0, 1.0, points)
    top = max(compliance_loss(game.with_regulation(t, 0.0)) for t in thetas)
    penalties = np.linspace(0.0, max(1.5 * top, 1e-3), points)
    return draw_regime_map(regime_map_rows(file, thetas, penalties), out / "openness_regime_map.png")


def figure_baseline_map(file: GameFile, out: Path, points: int = 61) -> Path:
    """Regime over (α0, p) at the file's θ (θ = 1 if the file has none)."""
    from ..io.openness_regulation import load_game

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


def game_figure(game: Any, path: str | Path, points: int = 41) -> None:
    """For ``ftgames solve --plot``: G's payoff over ω with the penalty, and the regime map with the definition."""
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
    rows = [{"theta": t, "penalty": p, "regime": names[int(equilibrium_arrays(game.with_regulation(t, p)).regime[0])]}
            for p in penalties for t in thetas]
    _draw_map(right, rows, "regime", REGIME_COLOURS)
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
