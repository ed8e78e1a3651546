"""Figures of the safety-regulation game (matplotlib, Agg, PNG), regenerated from the exact batched solver.

    python -m ftgames.plots.safety figure2 --out figures/            # β1, U_G, U_D heatmaps and regime map
    python -m ftgames.plots.safety figure2 --out figures/ --c 0.1    # cross-term variant (also --c -0.1)
    python -m ftgames.plots.safety figure3 --out figures/            # β0, β1 against θD at θG = 0
    python -m ftgames.plots.safety figure4 --out figures/            # regime maps under the three bargaining rules
    python -m ftgames.plots.safety figure5 --out figures/            # attainable (U_G, U_D) and four frontiers
    python -m ftgames.plots.safety all --out figures/                # everything, cross-term variants included
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from ..formulations.safety.bargaining import PAPER_DELTAS, RULES, bargain_grid  # noqa: E402
from ..formulations.safety.classify import CLASSIFICATION_TOL, REGIMES, classify_arrays  # noqa: E402
from ..formulations.safety.enumeration import solve_grid  # noqa: E402
from ..models.safety import SafetyGame, symmetric_game  # noqa: E402
from . import style  # noqa: E402

style.apply(plt)
#: One fill per regime of :data:`REGIMES` (feasible, mutualism, backfiring, abstain), shared with every figure.
REGIME_COLOURS = ListedColormap([style.CATEGORY_COLOURS[name] for name in REGIMES])


def _suffix(c: float) -> str:
    return "" if c == 0 else f"_c{c:+g}".replace("+", "p").replace("-", "m").replace(".", "_")


def figure2_grid(game: SafetyGame, n_g: int = 301, n_d: int = 501, g_max: float = 1.5, d_max: float = 2.5
                 ) -> dict[str, np.ndarray]:
    """The published Figure-2 grid (θD ≥ θG cells only, 105,651 games by default), solved and classified."""
    tg, td = np.linspace(0, g_max, n_g), np.linspace(0, d_max, n_d)
    TG, TD = np.meshgrid(tg, td, indexing="ij")
    mask = TD >= TG - 1e-12
    res = solve_grid(game, theta_G=TG[mask], theta_D=TD[mask])
    anarchy = solve_grid(game.unregulated(), theta_G=np.zeros(1), theta_D=np.zeros(1))
    flags = classify_arrays(res, {k: v[0] for k, v in anarchy.items()})
    out = {"theta_G": tg, "theta_D": td, "mask": mask}
    for key, values in (("beta1", res["beta"][:, 0]), ("U_G", res["U_G"]), ("U_D", res["U_D"][:, 0]),
                        ("regime", flags["regime_code"].astype(float))):
        full = np.full(mask.shape, np.nan)
        full[mask] = values
        out[key] = full
    return out


def _regime_legend(ax: Any, grids: list[np.ndarray], where: str = "right") -> None:
    """A legend of the regimes that occur in ``grids`` (codes into :data:`REGIMES`), outside the axes."""
    present = sorted({int(v) for grid in grids for v in np.unique(grid[np.isfinite(grid)])})
    style.legend_outside(ax, style.category_handles([REGIMES[k] for k in present],
                                                    {n: style.CATEGORY_COLOURS[n] for n in REGIMES}), where=where)


def figure2(out: Path, c: float = 0.0, delta: float = 0.5) -> Path:
    game = symmetric_game(c, delta=delta)
    grid = figure2_grid(game)
    fig, axes = plt.subplots(1, 4, figsize=(20, 4.5), constrained_layout=True)
    extent = (grid["theta_D"][0], grid["theta_D"][-1], grid["theta_G"][0], grid["theta_G"][-1])
    for ax, key in zip(axes[:3], ("beta1", "U_G", "U_D"), strict=True):
        im = ax.imshow(grid[key], origin="lower", extent=extent, aspect="auto", cmap="viridis")
        fig.colorbar(im, ax=ax, label=style.label(key))
        ax.set_title("final safety " + style.label(key) if key == "beta1" else style.label(key))
    axes[3].imshow(grid["regime"], origin="lower", extent=extent, aspect="auto", cmap=REGIME_COLOURS,
                   vmin=-0.5, vmax=3.5, interpolation="nearest")
    _regime_legend(axes[3], [grid["regime"]])
    axes[3].set_title("regime")
    for ax in axes:
        ax.set_xlabel(style.label("theta_D"))
        ax.set_ylabel(style.label("theta_G"))
    fig.suptitle(f"Safety regulation, $C_0 = C_1$ = [[1, {c:g}], [{c:g}, 1]], $r$ = (1, 1), $\\delta$ = {delta:g} "
                 "(exact)")
    path = Path(out) / f"safety_figure2{_suffix(c)}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of every run of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def figure3(out: Path, c: float = 0.0, delta: float = 0.5) -> Path:
    game = symmetric_game(c, delta=delta)
    td = np.linspace(0, 2.5, 2001)
    res = solve_grid(game, theta_G=0.0, theta_D=td)
    fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
    ax.plot(td, res["beta0"], label="$\\beta_0$ (generalist)", **style.line_style(0, len(td)))
    ax.plot(td, res["beta"][:, 0], label="$\\beta_1$ (final)", **style.line_style(1, len(td)))
    anarchy = solve_grid(game.unregulated(), theta_G=np.zeros(1), theta_D=np.zeros(1))["beta"][0, 0]
    ax.axhline(anarchy, color="0.4", ls=":", label="$\\beta_1$ without regulation")
    # the backfiring band from the equilibria themselves (β1 below its unregulated value), so that it is drawn for
    # every c; at c = 0 it is the paper's (1/2 − δ/4, 1/2)
    below = res["participates"][:, 0] & (res["beta"][:, 0] < anarchy - CLASSIFICATION_TOL)
    for k, (start, stop) in enumerate(_runs(below)):
        ax.axvspan(td[start], td[stop], color=style.CATEGORY_COLOURS["backfiring"], alpha=0.2,
                   label=None if k else ("backfiring band $(1/2 - \\delta/4,\\ 1/2)$" if c == 0 else
                                         "backfiring ($\\beta_1$ below its unregulated value)"))
    ax.set_xlabel(style.label("theta_D") + " ($\\theta_G$ = 0)")
    ax.set_ylabel("safety")
    style.legend_outside(ax)
    ax.set_title(f"Safety against $\\theta_D$, $\\delta$ = {delta:g}, $c$ = {c:g} (exact)")
    path = Path(out) / f"safety_figure3{_suffix(c)}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def figure4_grid(game: SafetyGame, rule: str) -> dict[str, np.ndarray]:
    """Regime map when δ is bargained by ``rule`` over the paper's 98 δ values: 13 θG ∈ [0, 1.2], θD from θG to
    2.5 step 0.05; classified against the unregulated game bargained by the same rule."""
    tg = np.linspace(0, 1.2, 13)
    td = np.round(np.arange(0, 2.5 + 1e-9, 0.05), 10)
    TG, TD = np.meshgrid(tg, td, indexing="ij")
    mask = TD >= TG - 1e-9
    reg = bargain_grid(game, rule, TG[mask], TD[mask], PAPER_DELTAS)
    free = bargain_grid(game, rule, np.zeros(1), np.zeros(1), PAPER_DELTAS)
    flags = classify_arrays(reg, {k: v[0] for k, v in free.items()})
    regime = np.full(mask.shape, np.nan)
    regime[mask] = flags["regime_code"]
    delta = np.full(mask.shape, np.nan)
    delta[mask] = reg["delta"]
    return {"theta_G": tg, "theta_D": td, "regime": regime, "delta": delta}


def figure4(out: Path, c: float = 0.0) -> Path:
    game = symmetric_game(c)
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.5), constrained_layout=True)
    grids = []
    for ax, rule in zip(axes, RULES, strict=True):
        grid = figure4_grid(game, rule)
        grids.append(grid["regime"])
        ext = (grid["theta_D"][0] - 0.025, grid["theta_D"][-1] + 0.025, -0.05, 1.25)
        ax.imshow(grid["regime"], origin="lower", extent=ext, aspect="auto", cmap=REGIME_COLOURS,
                  vmin=-0.5, vmax=3.5, interpolation="nearest")
        ax.set_title(f"{style.solution_label(rule)} bargaining")
        ax.set_xlabel(style.label("theta_D"))
        ax.set_ylabel(style.label("theta_G"))
    _regime_legend(axes[-1], grids)
    fig.suptitle(f"Regimes when $\\delta$ is bargained (98 $\\delta$ in [0.01, 0.99]), $c$ = {c:g} (exact)")
    path = Path(out) / f"safety_figure4{_suffix(c)}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def pareto_frontier(u_g: np.ndarray, u_d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-dominated points of the pairs (U_G, U_D), sorted by U_G."""
    order = np.lexsort((-u_d, -u_g))
    keep, best = [], -np.inf
    for k in order:
        if u_d[k] > best:
            keep.append(k)
            best = u_d[k]
    keep = np.array(keep[::-1], dtype=int)
    return u_g[keep], u_d[keep]


def figure5_points(game: SafetyGame, n_theta: int = 41) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Attainable (U_G, U_D) over δ ∈ paper grid and θ grids, per kind of regulation (none, G-only, D-only, both)."""
    tg = np.linspace(0, 1.5, n_theta)
    td = np.linspace(0, 2.5, n_theta)
    kinds = {"none": (np.zeros(1), np.zeros(1)), "G-only": (tg, np.zeros(1)), "D-only": (np.zeros(1), td),
             "both": (tg, td)}
    out = {}
    for kind, (g, d) in kinds.items():
        G, D, DL = np.meshgrid(g, d, PAPER_DELTAS, indexing="ij")
        res = solve_grid(game, theta_G=G.ravel(), theta_D=D.ravel(), delta=DL.ravel())
        ok = ~res["abstain"]
        out[kind] = (res["U_G"][ok], res["U_D"][ok, 0])
    return out


def figure5(out: Path, c: float = 0.0) -> Path:
    pts = figure5_points(symmetric_game(c))
    fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
    ax.scatter(*pts["both"], s=1, color="#cccccc", label="attainable (any regulation, any $\\delta$)",
               rasterized=True)
    # the frontiers overlap where one kind of regulation attains what another does: each its own colour, marker
    # and line style, drawn thinner on top of the earlier ones so that both stay visible
    for i, kind in enumerate(("both", "G-only", "D-only", "none")):
        fu, fd = pareto_frontier(*pts[kind])
        ax.plot(fu, fd, label=f"frontier: {kind}", **{**style.line_style(i, len(fu)), "linewidth": 2.6 - 0.5 * i})
    ax.set_xlabel(style.label("U_G"))
    ax.set_ylabel(style.label("U_D"))
    style.legend_outside(ax, where="below", ncol=2)
    ax.set_title(f"Attainable utilities over ($\\theta_G$, $\\theta_D$, $\\delta$), $c$ = {c:g} (exact)")
    path = Path(out) / f"safety_figure5{_suffix(c)}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def equilibrium_path(game: SafetyGame, path: str | Path, mark: float | None = None) -> Path:
    """β0, β_1, U_G and U_D against θD (θG and δ of ``game``); used by ``ftgames solve --plot``."""
    td = np.linspace(0, max(2.5, 1.2 * (mark or 0)), 1001)
    res = solve_grid(game, theta_D=td)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    a1.plot(td, res["beta0"], label=style.label("beta0"), **style.line_style(0, len(td)))
    a1.plot(td, res["beta"][:, 0], label=style.label("beta1"), **style.line_style(1, len(td)))
    a2.plot(td, res["U_G"], label=style.label("U_G"), **style.line_style(0, len(td)))
    a2.plot(td, res["U_D"][:, 0], label=style.label("U_D"), **style.line_style(1, len(td)))
    a1.set_ylabel("safety")
    a2.set_ylabel("utility")
    for ax in (a1, a2):
        if mark is not None:
            ax.axvline(mark, color="0.4", ls=":")
        ax.set_xlabel(f"$\\theta_D$ ($\\theta_G$ = {game.theta_G:g})")
        style.legend_outside(ax)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


FIGURES = {"figure2": figure2, "figure3": figure3, "figure4": figure4, "figure5": figure5}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ftgames.plots.safety", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("figure", choices=[*FIGURES, "all"])
    parser.add_argument("--out", default="figures", help="output folder (created)")
    parser.add_argument("--c", type=float, default=0.0, help="cross term c of C0 = C1 = [[1, c], [c, 1]]")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(name, args.c) for name in FIGURES] if args.figure == "all" else [(args.figure, args.c)]
    if args.figure == "all":
        jobs += [("figure2", c) for c in (0.1, -0.1)] + [("figure3", c) for c in (0.1, -0.1)]
    for name, c in jobs:
        t0 = time.perf_counter()
        path = FIGURES[name](out, c=c)
        print(f"{path}  ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
