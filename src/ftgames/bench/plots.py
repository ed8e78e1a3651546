"""Log-log plots of median total time against instance size: one panel per instance that has several sizes, one
line per formulation / backend (the same colour in every panel)."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

OK = ("optimal", "locally_optimal")


def _good(row: dict[str, Any]) -> bool:
    return row["status"] in OK and row["correct"] is not False


def plot_time_vs_size(rows: list[dict[str, Any]], out: Path) -> list[Path]:
    """``<suite>_time_vs_size.png`` per suite; a failed, wrong or timed-out run is drawn as a cross at its time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    by_suite: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row["size"] is not None and row["total_time"] and row["status"] not in ("skipped", "not_applicable"):
            by_suite[row["suite"]][row["instance"]].append(row)
    for suite, instances in by_suite.items():
        panels = {i: rs for i, rs in instances.items() if len({r["size"] for r in rs}) > 1}
        if not panels:
            continue
        labels = sorted({f"{r['formulation']} / {r['backend']}" for rs in panels.values() for r in rs})
        cmap = plt.get_cmap("tab20")
        colours = {label: cmap(i % 20) for i, label in enumerate(labels)}
        ncols = min(3, len(panels))
        nrows = math.ceil(len(panels) / ncols)
        width = max(5.2 * ncols, 10.0)
        legend_cols = 4 if width >= 12 else 3
        legend_rows = math.ceil(len(labels) / legend_cols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, 3.8 * nrows + 0.9 + 0.25 * legend_rows),
                                 squeeze=False)
        for ax, (instance, inst_rows) in zip(axes.flat, sorted(panels.items()), strict=False):
            series: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for r in inst_rows:
                series[f"{r['formulation']} / {r['backend']}"].append(r)
            for label, points in series.items():
                good = sorted((r["size"], r["total_time"]) for r in points if _good(r))
                bad = [(r["size"], r["total_time"]) for r in points if not _good(r)]
                if good:
                    ax.plot(*zip(*good, strict=True), marker="o", markersize=4, color=colours[label])
                if bad:
                    ax.plot(*zip(*bad, strict=True), linestyle="none", marker="x", markersize=8,
                            color=colours[label])
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_title(instance, fontsize=9)
            ax.set_xlabel("size")
            ax.set_ylabel("median total time [s]")
            ax.grid(True, which="both", alpha=0.3)
        for ax in list(axes.flat)[len(panels):]:
            ax.set_visible(False)
        handles = [plt.Line2D([], [], color=colours[label], marker="o", label=label) for label in labels]
        fig.legend(handles=handles, loc="lower center", ncol=min(legend_cols, len(labels)), fontsize=7,
                   frameon=False)
        fig.suptitle(f"{suite}: time against size (× = wrong, failed or timed out)")
        bottom = (0.25 * legend_rows + 0.3) / fig.get_figheight()
        fig.tight_layout(rect=(0, bottom, 1, 0.96))
        path = out / f"{suite}_time_vs_size.png"
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths
