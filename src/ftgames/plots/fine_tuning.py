"""Figures of the fine-tuning game: the utility frontier over δ with the bargaining outcomes marked, the Pareto set
of two or three specialists (the set in the δ plane and the frontier in utility space; utility-space slices), and
the regime map (contribute / free-ride / abstain) of one specialist over two parameters."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..models.costs import ModelError
from ..models.fine_tuning import FineTuningGame
from . import style

AXES = ("delta", "marginal_cost", "entry_cost", "cost", "revenue")
REGIME_CODES = {"contribute": 0, "free-ride": 1, "abstain": 2}


def _outcome(name: str, j: int) -> dict[str, Any]:
    """Marker of bargaining outcome ``name``, the ``j``-th drawn: the solution's own colour and marker in every
    figure, each smaller than the one before and edged in black, so that outcomes at the same point all show."""
    return {**style.solution_style(name, line=False), "s": max(30, 110 - 22 * j), "edgecolor": "k",
            "linewidths": 0.8}


def _axis_label(axis: str, i: int) -> str:
    """``delta`` → ``$\\delta_1$ (G's share)``, ``marginal_cost`` → ``marginal cost $b_1$ of $D_1$``."""
    if axis == "delta":
        return f"$\\delta_{{{i + 1}}}$ (G's share)"
    text = style.label(axis)
    if text.endswith("$") and "$" in text[:-1]:  # add the specialist's index to the symbol
        return f"{text[:-1]}_{{{i + 1}}}$ of $D_{{{i + 1}}}$"
    return f"{text} of $D_{{{i + 1}}}$"


def regime_path(path: str) -> str:
    p = Path(path)
    return str(p.with_name(f"{p.stem}-regimes{p.suffix or '.png'}"))


def pareto_path(path: str) -> str:
    p = Path(path)
    return str(p.with_name(f"{p.stem}-pareto{p.suffix or '.png'}"))


def plot_pareto(pareto: Any, path: str, outcomes: dict[str, Any] | None = None, slices: int = 3) -> str:
    """The Pareto set of a :class:`~ftgames.formulations.bargaining.ParetoSet`.  Two specialists: the set in the
    δ plane (sample points by component; dominated samples grey) beside the frontier in utility space (U_D1 against
    U_D2, coloured by U_G).  Three specialists: ``slices`` slices of the frontier at quantiles of U_G (the
    Pareto-optimal samples within 4 % of U_G's range of the level: U_D1 against U_D2, coloured by U_D3).  Outcomes
    (the report's) are marked, each in the slice nearest its U_G.  The title says whether the set is sampled."""
    plt = style.pyplot()
    n = pareto.n
    if n not in (2, 3):
        raise ValueError(f"the Pareto-set figure is drawn for two or three specialists, got {n}")
    outcomes = outcomes or {}
    utils = pareto.sample_utilities
    mask = pareto.pareto_mask
    label = "sampled" if not pareto.exact else "exact"
    if n == 2:
        fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 4.8))
        left.scatter(pareto.sample[~mask, 0], pareto.sample[~mask, 1], s=2, color="0.85", label="dominated")
        for number, comp in enumerate(pareto.components[:10]):
            left.scatter(comp.points[:, 0], comp.points[:, 1], s=3, label=f"component {number + 1} "
                         f"({comp.size:,} samples)", **style.series_style(number, line=False))
        for j, (name, out) in enumerate(outcomes.items()):
            left.scatter(*out["delta"][:2], zorder=5, label=style.solution_label(name), **_outcome(name, j))
        left.set_xlabel(style.label("delta1") + " (G's share of domain 1)")
        left.set_ylabel(style.label("delta2") + " (G's share of domain 2)")
        left.set_xlim(-0.02, 1.02)
        left.set_ylim(-0.02, 1.02)
        left.set_title(f"Pareto set of $\\delta$ ({label}: {len(pareto.sample):,} $\\delta$)")
        style.legend_outside(left, where="below", ncol=1, markerscale=1.5)
        art = right.scatter(utils[mask, 1], utils[mask, 2], c=utils[mask, 0], s=4, cmap="viridis")
        fig.colorbar(art, ax=right, label=style.label("U_G"))
        for j, (name, out) in enumerate(outcomes.items()):
            right.scatter(out["U_D"][0], out["U_D"][1], zorder=5, label=style.solution_label(name),
                          **_outcome(name, j))
        right.set_xlabel(style.label("U_D1"))
        right.set_ylabel(style.label("U_D2"))
        right.set_title("Frontier in utility space (Pareto-optimal samples)")
        style.legend_outside(right, where="below", ncol=2)
    else:
        fig, axes = plt.subplots(1, slices, figsize=(4.4 * slices, 4.4), squeeze=False)
        u_g = utils[mask, 0]
        levels = np.quantile(u_g, np.linspace(0.0, 1.0, slices + 2)[1:-1])
        width = 0.04 * float(np.ptp(u_g) or 1.0)
        nearest = {name: int(np.argmin(np.abs(levels - out["U_G"]))) for name, out in outcomes.items()}
        for number, ax in enumerate(axes[0]):
            level = levels[number]
            band = mask & (np.abs(utils[:, 0] - level) <= width)
            art = ax.scatter(utils[band, 1], utils[band, 2], c=utils[band, 3], s=6, cmap="viridis")
            fig.colorbar(art, ax=ax, label=style.label("U_D3"))
            for j, (name, out) in enumerate(outcomes.items()):
                if nearest[name] == number:
                    ax.scatter(out["U_D"][0], out["U_D"][1], zorder=5,
                               label=f"{style.solution_label(name)} ($U_G$ = {out['U_G']:.3g})", **_outcome(name, j))
            ax.set_xlabel(style.label("U_D1"))
            ax.set_ylabel(style.label("U_D2"))
            ax.set_title(f"$U_G$ = {level:.3g} ± {width:.2g}", fontsize=9)
            style.legend_outside(ax, where="below", ncol=1)
        fig.suptitle(f"Frontier slices at levels of $U_G$ ({label} Pareto set: {int(mask.sum()):,} of "
                     f"{len(pareto.sample):,} $\\delta$)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_frontier(game: FineTuningGame, report: dict[str, Any], path: str, samples: int = 801) -> str:
    """U_G against U_D (n = 1) or against Σ U_Di (n > 1) over δ; Pareto points highlighted; outcomes marked."""
    from ..formulations.bargaining.frontier import equilibrium_table, nondominated

    plt = style.pyplot()

    rng = np.random.default_rng(0)
    deltas = np.linspace(0, 1, samples)[:, None] if game.n == 1 else rng.uniform(0, 1, (4000, game.n))
    table = equilibrium_table(game, deltas)
    u_g = table.utility_generalist
    u_d = table.utility_specialists.sum(axis=1)
    mask = nondominated(table.utilities)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    if game.n == 1:
        ax.plot(u_d, u_g, color="0.6", lw=1, label="$\\delta \\in [0, 1]$")
    else:
        ax.scatter(u_d, u_g, s=3, color="0.75", label="sampled $\\delta$")
    ax.scatter(u_d[mask], u_g[mask], s=5, color=style.SERIES_COLOURS[0], label="Pareto-optimal $\\delta$")
    for j, (name, out) in enumerate(report.get("outcomes", {}).items()):
        ax.scatter(sum(out["U_D"]), out["U_G"], zorder=5, **_outcome(name, j + 1),
                   label=f"{style.solution_label(name)} ($\\delta$ = {', '.join(f'{d:.3f}' for d in out['delta'])})")
    ax.set_xlabel(style.label("U_D") if game.n == 1 else "$\\sum_i U_{D_i}$")
    ax.set_ylabel(style.label("U_G"))
    ax.set_title("Utility frontier over $\\delta$ ($\\delta$ = G's share)")
    style.legend_outside(ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def regime_grid(game: FineTuningGame, *, specialist: int = 0, x: str = "delta", y: str = "marginal_cost",
                x_range: Any = None, y_range: Any = None, points: int = 101,
                delta: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Regime code (0 contribute, 1 free-ride, 2 abstain) of ``specialist`` at the SPE over an (x, y) grid; the
    other shares stay at ``delta`` (default 1/2)."""
    from ..formulations.bargaining.frontier import equilibrium_table

    for axis in (x, y):
        if axis not in AXES:
            raise ModelError(f"plot axis must be one of {', '.join(AXES)}, got {axis!r}")
    if x == y:
        raise ModelError("plot.x and plot.y must differ")
    if not 0 <= int(specialist) < game.n:
        raise ModelError(f"plot.specialist must be in [0, {game.n - 1}], got {specialist}")
    spec = game.specialists[specialist]
    xs = np.linspace(*(x_range or _default_range(x, spec)), points)
    ys = np.linspace(*(y_range or _default_range(y, spec)), points)
    base = np.full(game.n, 0.5) if delta is None else np.asarray(delta, dtype=float)
    codes = np.zeros((len(ys), len(xs)), dtype=int)
    for row, yv in enumerate(ys):
        if x == "delta":
            g = _with(game, specialist, y, yv)
            shares = np.tile(base, (len(xs), 1))
            shares[:, specialist] = xs
            table = equilibrium_table(g, shares)
            codes[row] = _codes(table, specialist)
        else:
            for col, xv in enumerate(xs):
                g = _with(_with(game, specialist, x, xv), specialist, y, yv)
                shares = base.copy()
                if y == "delta":
                    shares[specialist] = yv
                codes[row, col] = _codes(equilibrium_table(g, shares[None, :]), specialist)[0]
    return xs, ys, codes


def _codes(table: Any, i: int) -> np.ndarray:
    inc = table.alpha[:, i] - table.alpha0
    return np.where(~table.participates[:, i], 2, np.where(inc > 1e-9, 0, 1))


def _default_range(axis: str, spec: Any) -> tuple[float, float]:
    return {"delta": (0.0, 1.0), "marginal_cost": (0.0, spec.revenue), "entry_cost": (0.0, 0.5 * spec.revenue),
            "cost": (0.1 * spec.cost, 4 * spec.cost), "revenue": (0.1 * spec.revenue, 4 * spec.revenue)}[axis]


def _with(game: FineTuningGame, i: int, axis: str, value: float) -> FineTuningGame:
    if axis == "delta":
        return game
    specs = list(game.specialists)
    specs[i] = replace(specs[i], **{axis: float(value)})
    return replace(game, specialists=tuple(specs))


def plot_regime_map(game: FineTuningGame, path: str, **options: Any) -> str:
    from matplotlib.colors import ListedColormap

    plt = style.pyplot()
    x, y = options.get("x", "delta"), options.get("y", "marginal_cost")
    xs, ys, codes = regime_grid(game, **options)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    colours = {name: style.CATEGORY_COLOURS[name] for name in REGIME_CODES}
    cmap = ListedColormap(list(colours.values()))
    ax.pcolormesh(xs, ys, codes, cmap=cmap, vmin=-0.5, vmax=2.5, shading="nearest", rasterized=True)
    names = list(REGIME_CODES)
    present = [names[int(k)] for k in np.unique(codes[np.isfinite(codes)])]
    style.legend_outside(ax, style.category_handles(present, colours))  # only the regimes on the map
    i = options.get("specialist", 0)
    ax.set_xlabel(_axis_label(x, i))
    ax.set_ylabel(_axis_label(y, i))
    title = f"Regime of specialist D{i + 1} at the subgame-perfect equilibrium"
    if game.n > 1:  # where the other specialists' shares are held (regime_grid's default: 1/2)
        shares = np.full(game.n, 0.5) if options.get("delta") is None else np.asarray(options["delta"], float)
        held = ", ".join(f"$\\delta_{{{j + 1}}}$ = {shares[j]:g}" for j in range(game.n) if j != i)
        title += f"\n(other shares held at {held})"
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
