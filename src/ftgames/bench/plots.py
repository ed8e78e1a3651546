"""Log-log plots of median total time against instance size, one line per formulation / backend."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any


def plot_time_vs_size(rows: list[dict[str, Any]], out: Path) -> list[Path]:
    """One PNG per suite (``<suite>_time_vs_size.png``); failed runs are drawn as crosses at their time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    by_suite: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["size"] is not None and row["total_time"] and row["status"] != "skipped":
            by_suite[row["suite"]].append(row)
    for suite, suite_rows in by_suite.items():
        series: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in suite_rows:
            series[f"{r['formulation']} / {r['backend']}"].append(r)
        fig, ax = plt.subplots(figsize=(8, 5.5))
        for label, points in sorted(series.items()):
            good = sorted((r["size"], r["total_time"]) for r in points
                          if r["status"] in ("optimal", "locally_optimal") and r["correct"] is not False)
            bad = [(r["size"], r["total_time"]) for r in points
                   if not (r["status"] in ("optimal", "locally_optimal") and r["correct"] is not False)]
            line = None
            if good:
                (line,) = ax.plot(*zip(*good, strict=True), marker="o", label=label)
            if bad:
                ax.plot(*zip(*bad, strict=True), linestyle="none", marker="x", markersize=9,
                        color=line.get_color() if line else None, label=None if line else f"{label} (failed)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("instance size")
        ax.set_ylabel("median total time [s]")
        ax.set_title(f"{suite}: time against size (× = wrong, failed or timed out)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7, loc="best")
        fig.tight_layout()
        path = out / f"{suite}_time_vs_size.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths
