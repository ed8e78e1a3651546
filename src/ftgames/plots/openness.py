"""Drawing the figures of the openness-regulation game from rows of data (dicts, as ``ftgames sweep`` stores them);
computing the rows is :mod:`ftgames.figures.openness`' job (``python -m ftgames.figures.openness``).

Figures: ``unregulated-openness`` (ω* against α0 without regulation: non-increasing; ``--compare FILE`` adds the
curve of another game file, by default the interior example), ``regime-map`` (comply / pay /
abstain over (θ, p) with the switching curve p*(θ) = G's compliance loss), ``baseline-map`` (the regime over (α0, p)
at the file's θ with the switching penalty p*(α0)), ``effects`` (no change / deadweight loss /
Pareto improvement / redistribution over (θ, p) for a few α0), ``families`` (ω* against α0 for several functional
families), ``regime-maps`` (the regime map over (θ, p) with its switching curve for three α0), ``levers`` (which
instrument changes G's release, raising p or raising θ, over (α0, θ)).  Each figure is written as PNG with its data
as CSV next to it; legends list only the categories that appear.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from . import style

FIGURES = ("unregulated-openness", "regime-map", "baseline-map", "effects", "families", "regime-maps", "levers")
REGIME_COLOURS = {n: style.CATEGORY_COLOURS[n] for n in ("comply", "pay", "abstain")}
LEVER_COLOURS = {n: style.CATEGORY_COLOURS[n] for n in ("none", "theta", "penalty", "abstain")}
LEVER_LABELS = {"none": "definition does not bind",
                "theta": "raising $\\theta$ raises the release (G complies at $\\omega = \\theta$)",
                "penalty": "raising $p$ changes the release (G pays)", "abstain": "G abstains"}
LINE_STYLES = style.LINESTYLES
EFFECT_COLOURS = {n: style.CATEGORY_COLOURS[n]
                  for n in ("no_change", "pareto_improvement", "deadweight_loss", "redistribution")}
SWITCHING = {"color": "k", "linestyle": "-", "linewidth": 2}


def _pyplot() -> Any:
    return style.pyplot()


def _write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _draw_map(ax: Any, rows: list[dict[str, Any]], field: str, colours: dict[str, str], x: str = "theta",
              y: str = "penalty") -> None:
    from matplotlib.colors import ListedColormap

    names = list(colours)
    xs = np.unique([r[x] for r in rows])
    ys = np.unique([r[y] for r in rows])
    codes = np.full((len(ys), len(xs)), np.nan)
    for r in rows:
        codes[np.searchsorted(ys, r[y]), np.searchsorted(xs, r[x])] = names.index(r[field])
    ax.pcolormesh(xs, ys, codes, cmap=ListedColormap([colours[n] for n in names]), vmin=-0.5,
                  vmax=len(names) - 0.5, shading="nearest", rasterized=True)


def _present(rows: list[dict[str, Any]], field: str, colours: dict[str, str],
             labels: dict[str, str] | None = None) -> list[Any]:
    """Legend patches of the categories of ``field`` that occur in ``rows``."""
    return style.category_handles([r[field] for r in rows], colours, labels)


def draw_unregulated_openness(rows: list[dict[str, Any]], path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, solution in enumerate(dict.fromkeys(r.get("solution", "file") for r in rows)):
        sel = sorted((r for r in rows if r.get("solution", "file") == solution), key=lambda r: r["alpha0"])
        if solution == "fixed":
            label = f"δ fixed = {sel[0]['delta']:.2f}"
        elif solution.startswith("fixed, "):
            label = f"δ fixed = {sel[0]['delta']:.2f}, {solution[len('fixed, '):]}"
        else:
            label = f"δ by {style.solution_label(solution)} bargaining" if solution != "file" else "game file"
        ax.plot([r["alpha0"] for r in sel], [r["omega_unregulated"] for r in sel], label=label,
                **style.line_style(i, len(sel)))
    ax.set_xlabel("baseline performance " + style.label("alpha0"))
    ax.set_ylabel(style.label("omega_unregulated"))
    ax.set_ylim(-0.05, 1.05)
    ax.set_title("Without regulation, better models are released less openly")
    style.legend_outside(ax, where="below", ncol=1)
    return _save(fig, plt, rows, path)


def draw_regime_map(rows: list[dict[str, Any]], path: Path) -> Path:

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.6, 4.5))
    _draw_map(ax, rows, "regime", REGIME_COLOURS)
    _switching_curve(ax, rows)
    style.legend_outside(ax, [*_present(rows, "regime", REGIME_COLOURS), *ax.get_legend_handles_labels()[0]])
    ax.set_xlabel("openness threshold " + style.label("theta"))
    ax.set_ylabel("penalty " + style.label("penalty"))
    ax.set_title(f"G's regime ($\\alpha_0$ = {rows[0]['alpha0']:g}, $\\delta$ = {rows[0]['delta']:g})")
    return _save(fig, plt, rows, path)


def draw_baseline_map(rows: list[dict[str, Any]], path: Path) -> Path:
    """G's regime over (α0, p) at one θ, with the switching penalty p*(α0) = L(θ; α0)."""

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.6, 4.5))
    _draw_map(ax, rows, "regime", REGIME_COLOURS, x="alpha0")
    alpha0s = np.unique([r["alpha0"] for r in rows])
    curve = [max(r["compliance_loss"] for r in rows if r["alpha0"] == a) for a in alpha0s]
    ax.plot(alpha0s, curve, **SWITCHING, label="switching penalty $p^*(\\alpha_0)$ = compliance loss")
    style.legend_outside(ax, [*_present(rows, "regime", REGIME_COLOURS), *ax.get_legend_handles_labels()[0]])
    ax.set_xlabel("baseline performance " + style.label("alpha0"))
    ax.set_ylabel("penalty " + style.label("penalty"))
    ax.set_title(f"G's regime over ($\\alpha_0$, $p$) at $\\theta$ = {rows[0]['theta']:g}, "
                 f"$\\delta$ = {rows[0]['delta']:g}")
    return _save(fig, plt, rows, path)


def draw_effects(rows: list[dict[str, Any]], path: Path, title: str = "") -> Path:

    plt = _pyplot()
    alpha0s = sorted({r["alpha0"] for r in rows})
    fig, axes = plt.subplots(1, len(alpha0s), figsize=(4.2 * len(alpha0s), 4), sharey=True, squeeze=False)
    for ax, alpha0 in zip(axes[0], alpha0s, strict=True):
        _draw_map(ax, [r for r in rows if r["alpha0"] == alpha0], "effect", EFFECT_COLOURS)
        ax.set_title(f"$\\alpha_0$ = {alpha0:g}")
        ax.set_xlabel("openness threshold " + style.label("theta"))
    axes[0][0].set_ylabel("penalty " + style.label("penalty"))
    fig.suptitle(title or "Effect of the open-source definition against no regulation")
    fig.tight_layout()
    style.figure_legend_below(fig, _present(rows, "effect", EFFECT_COLOURS), ncol=4)
    return _save(fig, plt, rows, path, tight=False)


def _switching_curve(ax: Any, rows: list[dict[str, Any]]) -> None:
    thetas = np.unique([r["theta"] for r in rows])
    curve = [max(r["compliance_loss"] for r in rows if r["theta"] == t) for t in thetas]
    ax.plot(thetas, curve, **SWITCHING, label="switching curve $p = L(\\theta)$")


def draw_families(rows: list[dict[str, Any]], path: Path) -> Path:
    """ω*(α0) without regulation, one line per functional family (``family`` of each row)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 5.2))
    for i, family in enumerate(dict.fromkeys(r["family"] for r in rows)):
        sel = sorted((r for r in rows if r["family"] == family), key=lambda r: r["alpha0"])
        ax.plot([r["alpha0"] for r in sel], [r["omega_unregulated"] for r in sel], label=family,
                **style.line_style(i, len(sel)))
    ax.set_xlabel("baseline performance " + style.label("alpha0"))
    ax.set_ylabel(style.label("omega_unregulated"))
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(f"Optimal openness by functional family ($\\delta$ = {rows[0]['delta']:g})")
    fig.tight_layout()
    style.legend_outside(ax, where="below", ncol=1)
    return _save(fig, plt, rows, path, tight=False)


def draw_regime_maps(rows: list[dict[str, Any]], path: Path) -> Path:
    """One regime map over (θ, p) per α0, each with its switching curve and the unregulated ω* (θ below it does
    not bind)."""
    plt = _pyplot()
    alpha0s = sorted({r["alpha0"] for r in rows})
    fig, axes = plt.subplots(1, len(alpha0s), figsize=(4.4 * len(alpha0s), 4.2), squeeze=False)
    for ax, alpha0 in zip(axes[0], alpha0s, strict=True):
        sel = [r for r in rows if r["alpha0"] == alpha0]
        _draw_map(ax, sel, "regime", REGIME_COLOURS)
        ax.set_ylabel("penalty " + style.label("penalty"))
        _switching_curve(ax, sel)
        free = sel[0]["omega_unregulated"]
        if free is not None and np.isfinite(free):
            ax.axvline(free, color="k", ls=":", lw=1.5)
            ax.annotate(f"$\\omega^*$ = {free:.2f}", (free, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(3, -12), textcoords="offset points", fontsize=8)
        ax.set_title(f"$\\alpha_0$ = {alpha0:g}")
        ax.set_xlabel("openness threshold " + style.label("theta"))
    handles = _present(rows, "regime", REGIME_COLOURS)
    handles += axes[0][0].get_legend_handles_labels()[0]
    from matplotlib.lines import Line2D

    if any(r["omega_unregulated"] is not None and np.isfinite(r["omega_unregulated"]) for r in rows):
        handles.append(Line2D([], [], color="k", ls=":", lw=1.5, label="unregulated $\\omega^*$ (θ below it does "
                                                                       "not bind)"))
    fig.suptitle(f"G's regime over ($\\theta$, $p$): comply above the switching curve "
                 f"($\\delta$ = {rows[0]['delta']:g})")
    fig.tight_layout()
    style.figure_legend_below(fig, handles, ncol=len(handles))
    return _save(fig, plt, rows, path, tight=False)


def draw_levers(rows: list[dict[str, Any]], path: Path) -> Path:
    """Which instrument changes G's release over (α0, θ) at one penalty, with the unregulated ω*(α0)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.8))
    _draw_map(ax, rows, "lever", LEVER_COLOURS, x="alpha0", y="theta")
    alpha0s = np.unique([r["alpha0"] for r in rows])
    free = [next(r["omega_unregulated"] for r in rows if r["alpha0"] == a) for a in alpha0s]
    ax.plot(alpha0s, free, "k--", lw=1.5, label="unregulated $\\omega^*(\\alpha_0)$: $\\theta$ binds above it")
    style.legend_outside(ax, [*_present(rows, "lever", LEVER_COLOURS, LEVER_LABELS),
                              *ax.get_legend_handles_labels()[0]], where="below", ncol=1)
    ax.set_xlabel("baseline performance " + style.label("alpha0"))
    ax.set_ylabel("openness threshold " + style.label("theta"))
    ax.set_title(f"Raise $p$ or raise $\\theta$? ($p$ = {rows[0]['penalty']:g}, $\\delta$ = {rows[0]['delta']:g})")
    return _save(fig, plt, rows, path)


def _save(fig: Any, plt: Any, rows: list[dict[str, Any]], path: Path, tight: bool = True) -> Path:
    if tight:
        fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    _write_csv(rows, path.with_suffix(".csv"))
    return path


# ------------------------------------------------------------------------------------------ figures
def game_figure(game: Any, path: str | Path, points: int = 41) -> None:
    """For ``ftgames solve --plot``: G's payoff over ω with the penalty, and the regime map with the definition."""

    from ..formulations.openness.enumeration import equilibrium_arrays
    from ..formulations.openness.equilibrium import compliance_loss
    from ..formulations.openness.follower import leader_value, regime_cost

    plt = _pyplot()
    reg = game.regulation
    omegas = np.linspace(0.0, 1.0, 201)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    cost = np.where(omegas < reg.theta, reg.penalty, regime_cost(game, "comply", omegas))
    payoff = leader_value(game, omegas, game.delta, cost)
    left.plot(omegas, payoff, color=style.SERIES_COLOURS[0],
              label="G's payoff with D's best response,\n$-p\\,1\\{\\omega < \\theta\\} - K(\\omega)\\,"
                    "1\\{\\omega \\geq \\theta\\}$")
    left.axvline(reg.theta, color="k", ls=":", label=f"$\\theta$ = {reg.theta:g}")
    left.set_xlabel("openness " + style.label("omega"))
    left.set_ylabel(style.label("U_G"))
    style.legend_outside(left, where="below", ncol=1)
    thetas = np.linspace(0.0, 1.0, points)
    loss = np.array([compliance_loss(game.with_regulation(t, 0.0)) for t in thetas])
    penalties = np.linspace(0.0, max(1.5 * float(loss.max()), reg.penalty * 1.2, 1e-3), points)
    names = list(REGIME_COLOURS)
    rows = [{"theta": t, "penalty": p, "regime": names[int(equilibrium_arrays(game.with_regulation(t, p)).regime[0])]}
            for p in penalties for t in thetas]
    _draw_map(right, rows, "regime", REGIME_COLOURS)
    right.plot(thetas, loss, **SWITCHING, label="switching curve $p = L(\\theta)$")
    right.plot([reg.theta], [reg.penalty], "*", color=style.PALETTE[5], markeredgecolor="k", ms=14,
               linestyle="none", label="the file's ($\\theta$, $p$)")
    style.legend_outside(right, [*_present(rows, "regime", REGIME_COLOURS), *right.get_legend_handles_labels()[0]])
    right.set_xlabel("openness threshold " + style.label("theta"))
    right.set_ylabel("penalty " + style.label("penalty"))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
