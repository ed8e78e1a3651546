"""The objective on the explored box, the optimal rule marked (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..plots import style
from .expression import DesignError


def plot_design(report: dict[str, Any], path: str | Path) -> str:
    """Draw a report's explored objective: a curve for one continuous variable, a heat map for two (other
    variables at their optimal value).  Returns the path written."""
    plt = style.pyplot()
    ex = report.get("explored")
    if not ex:
        raise DesignError("--plot: the report has no explored box (run the exact formulation)")
    keys = ex["keys"]
    obj = np.array(ex["objective"], dtype=float)
    kinds = {v["key"]: v["kind"] for v in report["variables"]}
    cont = [i for i, k in enumerate(keys) if kinds[k] == "continuous"]
    if len(cont) not in (1, 2):
        raise DesignError(f"--plot: draws one or two continuous variables, the problem has {len(cont)}")
    rule = report.get("rule") or {}
    index: list[Any] = []
    for i, k in enumerate(keys):
        if i in cont:
            index.append(slice(None))
        else:
            values = ex["axes"][i]
            index.append(values.index(rule[k]) if rule else 0)
    data = obj[tuple(index)]
    path = str(path)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    title = f"{report['sense']} {report['objective']}"
    if report["constraints"]:
        title += " s.t. " + " and ".join(report["constraints"])
    bargaining = report["bargaining"]
    title += " — " + ("δ fixed by the game file" if bargaining == "fixed"
                      else f"δ by {style.solution_label(bargaining)} bargaining")
    star = {"color": style.PALETTE[5], "markeredgecolor": "k", "ms": 14, "linestyle": "none", "label": "optimum",
            "clip_on": False, "zorder": 5}
    if len(cont) == 1:
        x = np.array(ex["axes"][cont[0]], dtype=float)
        ax.plot(x, data, lw=1.6, color=style.SERIES_COLOURS[0], label=style.label(report["objective"]))
        ax.set_xlabel(style.label(keys[cont[0]]))
        ax.set_ylabel(style.label(report["objective"]))
        if rule:
            ax.plot([rule[keys[cont[0]]]], [report["value"]], "*", **star)
        style.legend_outside(ax)
    else:
        x = np.array(ex["axes"][cont[1]], dtype=float)
        y = np.array(ex["axes"][cont[0]], dtype=float)
        labels = np.array(ex["labels"], dtype=object)[tuple(index)] if "labels" in ex else None
        abstain = np.isin(labels, ("abstain",)) if labels is not None else np.zeros(data.shape, bool)
        mesh = ax.pcolormesh(x, y, np.ma.masked_array(data, ~np.isfinite(data) | abstain), shading="auto",
                             cmap="viridis")
        fig.colorbar(mesh, ax=ax, label=style.label(report["objective"]))
        handles = []
        if abstain.any():  # not the colour of a value: nobody builds there
            from matplotlib.colors import ListedColormap

            ax.pcolormesh(x, y, np.ma.masked_array(np.ones(data.shape), ~abstain), shading="auto",
                          cmap=ListedColormap([style.category_colour("abstain")]))
            handles += style.category_handles(["abstain"], labels={"abstain": "G abstains"})
        if (~np.isfinite(data) & ~abstain).any():
            handles += style.category_handles(["none"], colours={"none": "white"},
                                              labels={"none": "a constraint fails (or the objective is undefined)"})
        ax.set_xlabel(style.label(keys[cont[1]]))
        ax.set_ylabel(style.label(keys[cont[0]]))
        if rule:
            ax.plot([rule[keys[cont[1]]]], [rule[keys[cont[0]]]], "*", **star)
            handles = [*ax.get_legend_handles_labels()[0], *handles]
        style.legend_outside(ax, handles=handles, where="below", ncol=1)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
