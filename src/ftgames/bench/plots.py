"""Plots of a benchmark run: time against size (one panel per instance family; one colour-blind-safe colour, marker
and line style per formulation / backend, the same in every panel, one legend for the figure below the panels) and
the suite's performance profile (Dolan–Moré; :mod:`.profiles`), styled by :mod:`ftgames.plots.style`."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..plots import style
from .profiles import SHIFT_SECONDS, profile_curve, solved, solver_of

MARKERS = style.MARKERS
LINESTYLES = style.LINESTYLES


def _pyplot() -> Any:
    return style.pyplot()


def _styles(labels: list[str], plt: Any = None) -> dict[str, dict[str, Any]]:
    """A distinct (colour, marker, line style) per label (:func:`ftgames.plots.style.series_style`): eight
    Okabe–Ito colours, twelve markers, so no two labels of up to 24 share colour and marker."""
    return {label: style.series_style(i) for i, label in enumerate(labels)}


def plot_time_vs_size(rows: list[dict[str, Any]], out: Path) -> list[Path]:
    """``<suite>_time_vs_size.png`` per suite with an instance of several sizes; a failed, wrong or timed-out run is
    drawn as a cross at its time; one style per formulation / backend across the panels of a suite."""
    plt = _pyplot()
    paths = []
    by_suite: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row["size"] is not None and row["total_time"] and row["status"] not in ("skipped", "not_applicable"):
            by_suite[row["suite"]][row["instance"]].append(row)
    for suite, instances in by_suite.items():
        panels = {i: rs for i, rs in instances.items() if len({r["size"] for r in rs}) > 1}
        if not panels:
            continue
        styles = _styles(sorted({solver_of(r) for rs in panels.values() for r in rs}), plt)
        ncols = min(2, len(panels))
        nrows = math.ceil(len(panels) / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(7.0 * ncols, 4.8 * nrows), squeeze=False)
        for ax, (instance, inst_rows) in zip(axes.flat, sorted(panels.items()), strict=False):
            series: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for r in inst_rows:
                series[solver_of(r)].append(r)
            for label, points in sorted(series.items()):
                look = styles[label]
                good = sorted((r["size"], r["total_time"]) for r in points if solved(r))
                bad = [(r["size"], r["total_time"]) for r in points if not solved(r)]
                if good:
                    ax.plot(*zip(*good, strict=True), markersize=5, label=label, **look)
                if bad:
                    ax.plot(*zip(*bad, strict=True), linestyle="none", marker="x", markersize=8,
                            color=look["color"], label=None if good else f"{label} (none solved)")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(instance, fontsize=9)
            ax.set_xlabel("size")
            ax.set_ylabel("median total time [s]")
            ax.grid(True, which="both", alpha=0.3)
        for ax in list(axes.flat)[len(panels):]:
            ax.set_visible(False)
        fig.suptitle(f"{suite}: time against size (× = wrong, failed or timed out)")
        fig.tight_layout(rect=(0, 0, 1, 0.97))
        # one legend for the figure, below the panels: each formulation / backend drawn in some panel, once
        drawn: dict[str, Any] = {}
        for ax in axes.flat:
            for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
                drawn.setdefault(text, handle)
        # a series solved in one panel and in none of another is listed once, by its line
        handles = [h for text, h in sorted(drawn.items())
                   if not (text.endswith(" (none solved)") and text[:-len(" (none solved)")] in drawn)]
        if any(line.get_marker() == "x" for ax in axes.flat for line in ax.get_lines()):
            from matplotlib.lines import Line2D

            handles.append(Line2D([], [], linestyle="none", marker="x", markersize=8, color="k",
                                  label="wrong, failed or timed out (in the series' colour)"))
        style.figure_legend_below(fig, handles, ncol=3 if ncols > 1 else 2)
        path = out / f"{suite}_time_vs_size.png"
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths


def plot_profiles(rows: list[dict[str, Any]], out: Path) -> list[Path]:
    """``<suite>_profile.png`` per suite with at least two formulation / backend pairs and one solved problem: the
    share of problems solved within τ × the fastest, τ on a log2 axis."""
    plt = _pyplot()
    paths = []
    by_suite: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_suite[row["suite"]].append(row)
    for suite, suite_rows in by_suite.items():
        curves = profile_curve(suite_rows)
        if len(curves) < 2 or not any(ratios for ratios, _ in curves.values()):
            continue
        styles = _styles(sorted(curves), plt)
        top = max((max(r) for r, _ in curves.values() if r), default=2.0)
        fig, ax = plt.subplots(figsize=(7.5, 5.0))
        for label, (ratios, shares) in sorted(curves.items()):
            look = styles[label]
            if ratios:
                from matplotlib.lines import Line2D

                xs, ys = [1.0, *ratios, max(top, 2.0) * 1.5], [0.0, *shares, shares[-1]]
                ax.step(xs, ys, where="post", color=look["color"], linestyle=look["linestyle"])
                ax.plot(ratios, shares, linestyle="none", marker=look["marker"], color=look["color"], markersize=4)
                ax.add_line(Line2D([], [], label=label, markersize=4, **look))  # legend entry: line and marker
            else:
                ax.plot([], [], label=f"{label} (none solved)", **look)
        ax.set_xscale("log", base=2)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("τ: time ÷ fastest time on the problem")
        ax.set_ylabel("share of problems solved within τ")
        ax.set_title(f"{suite}: performance profile (the report's shifted geometric means add {SHIFT_SECONDS:g} s "
                     "to every time)", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        style.legend_outside(ax, fontsize=7)
        fig.tight_layout()
        path = out / f"{suite}_profile.png"
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        paths.append(path)
    return paths
