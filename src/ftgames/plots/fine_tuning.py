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

AXES = ("delta", "marginal_cost", "entry_cost", "cost", "revenue")
REGIME_CODES = {"contribute": 0, "free-ride": 1, "abstain": 2}


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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = pareto.n
    if n not in (2, 3):
        raise ValueError(f"the Pareto-set figure is drawn for two or three specialists, got {n}")
    outcomes = outcomes or {}
    markers = "os^vD<>ph*"
    utils = pareto.sample_utilities
    mask = pareto.pareto_mask
    label = "sampled" if not pareto.exact else "exact"
    if n == 2:
        fig, (left, right) = plt.subplots(1, 2, figsize=(11.5, 4.8))
        left.scatter(pareto.sample[~mask, 0], pareto.sample[~mask, 1], s=2, color="0.85", label="dominated")
        colours = plt.get_cmap("tab10")
        for number, comp in enumerate(pareto.components[:10]):
            left.scatter(comp.points[:, 0], comp.points[:, 1], s=3, color=colours(number),
                         label=f"component {number + 1} ({comp.size:,} samples)")
        for j, (name, out) in enumerate(outcomes.items()):
            left.scatter(*out["delta"][:2], s=70, marker=markers[j % len(markers)], color="k", zorder=5,
                         label=name)
        left.set_xlabel("δ1 (G's share of domain 1)")
        left.set_ylabel("δ2 (G's share of domain 2)")
        left.set_xlim(-0.02, 1.02)
        left.set_ylim(-0.02, 1.02)
        left.set_title(f"Pareto set of δ ({label}: {len(pareto.sample):,} δ)")
        left.legend(fontsize=7, loc="best")
        art = right.scatter(utils[mask, 1], utils[mask, 2], c=utils[mask, 0], s=4, cmap="viridis")
        fig.colorbar(art, ax=right, label="U_G")
        for j, (name, out) in enumerate(outcomes.items()):
            right.scatter(out["U_D"][0], out["U_D"][1], s=70, marker=markers[j % len(markers)], color="tab:red",
                          edgecolor="k", zorder=5, label=name)
        right.set_xlabel("U_D1")
        right.set_ylabel("U_D2")
        right.set_title("Frontier in utility space (Pareto-optimal samples)")
        if outcomes:
            right.legend(fontsize=7)
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
            fig.colorbar(art, ax=ax, label="U_D3")
            for j, (name, out) in enumerate(outcomes.items()):
                if nearest[name] == number:
                    ax.scatter(out["U_D"][0], out["U_D"][1], s=70, marker=markers[j % len(markers)],
                               color="tab:red", edgecolor="k", zorder=5, label=f"{name} (U_G = {out['U_G']:.3g})")
            ax.set_xlabel("U_D1")
            ax.set_ylabel("U_D2")
            ax.set_title(f"U_G = {level:.3g} ± {width:.2g}", fontsize=9)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7)
        fig.suptitle(f"Frontier slices at levels of U_G ({label} Pareto set: {int(mask.sum()):,} of "
                     f"{len(pareto.sample):,} δ)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_frontier(game: FineTuningGame, report: dict[str, Any], path: str, samples: int = 801) -> str:
    """U_G against U_D (n = 1) or against Σ U_Di (n > 1) over δ; Pareto points highlighted; outcomes marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..formulations.bargaining.frontier import equilibrium_table, nondominated

    rng = np.random.default_rng(0)
    deltas = np.linspace(0, 1, samples)[:, None] if game.n == 1 else rng.uniform(0, 1, (4000, game.n))
    table = equilibrium_table(game, deltas)
    u_g = table.utility_generalist
    u_d = table.utility_specialists.sum(axis=1)
    mask = nondominated(table.utilities)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    if game.n == 1:
        ax.plot(u_d, u_g, color="0.6", lw=1, label="δ ∈ [0, 1]")
    else:
        ax.scatter(u_d, u_g, s=3, color="0.75", label="sampled δ")
    ax.scatter(u_d[mask], u_g[mask], s=5, color="tab:blue", label="Pareto-optimal δ")
    markers = "os^vD<>ph*"
    for j, (name, out) in enumerate(report.get("outcomes", {}).items()):
        ax.scatter(sum(out["U_D"]), out["U_G"], s=70, marker=markers[j % len(markers)], zorder=5,
                   label=f"{name} (δ = {', '.join(f'{d:.3f}' for d in out['delta'])})")
    ax.set_xlabel("U_D" if game.n == 1 else "Σ U_Di")
    ax.set_ylabel("U_G")
    ax.set_title("Utility frontier over δ (δ = G's share)")
    ax.legend(fontsize=7)
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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    x, y = options.get("x", "delta"), options.get("y", "marginal_cost")
    xs, ys, codes = regime_grid(game, **options)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    cmap = ListedColormap(["tab:green", "tab:orange", "tab:gray"])
    ax.pcolormesh(xs, ys, codes, cmap=cmap, vmin=-0.5, vmax=2.5, shading="nearest")
    handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(k)) for k in range(3)]
    ax.legend(handles, list(REGIME_CODES), loc="upper right", fontsize=8)
    i = options.get("specialist", 0)
    ax.set_xlabel(f"{x} of D{i + 1}" if x != "delta" else f"δ{i + 1} (G's share)")
    ax.set_ylabel(f"{y} of D{i + 1}" if y != "delta" else f"δ{i + 1} (G's share)")
    ax.set_title(f"Regime of specialist D{i + 1} at the subgame-perfect equilibrium")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
