"""The shared style of every figure of ftgames: mathematical axis labels, a colour-blind-safe palette paired with
markers and line styles, and legends outside the data that list only what is drawn.

* :func:`label` maps a library key (``U_G``, ``theta_D``, ``alpha0``, ``marginal_cost`` ...) to a mathtext label
  (``$U_G$``, ``$\\theta_D$``, ``$\\alpha_0$``, ``marginal cost $b$``); an unknown key is returned as it is.
* :data:`PALETTE` is Okabe & Ito's eight colours (black last); :func:`series_style` gives series ``i`` a colour, a
  marker and a line style, so that no two series share a (colour, marker) pair and a line drawn over another stays
  visible (later series dashed, with markers).
* :data:`CATEGORY_COLOURS` colours the categories of regime and effect maps (one fixed colour per category in every
  figure); :func:`category_handles` returns legend patches for only the categories present.
* :func:`legend_outside` places a legend to the right of (or below) the axes.
* :func:`solution_label` and :func:`solution_style` name and draw a bargaining solution the same way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: Okabe & Ito (2008), "Color Universal Design": orange, sky blue, bluish green, yellow, blue, vermillion,
#: reddish purple, black.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
#: The order in which series take colours: Okabe–Ito with grey for yellow (too pale for lines on white).
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
#: Light fills for maps of categories; one colour per category name, identical across figures.
CATEGORY_COLOURS = {
    # regimes of G (openness), of a specialist (fine-tuning) and of the safety game
    "comply": "#009E73", "pay": "#E69F00", "abstain": "#BBBBBB",
    "contribute": "#009E73", "free-ride": "#E69F00", "feasible": "#E5E5E5", "mutualism": "#56B4E9",
    # effects of a regulation against none
    "no_change": "#F2F2F2", "pareto_improvement": "#009E73", "deadweight_loss": "#D55E00",
    "redistribution": "#CC79A7", "backfiring": "#D55E00", "ineffective": "#BBBBBB", "effective": "#009E73",
    # levers of the openness game
    "none": "#F2F2F2", "theta": "#56B4E9", "penalty": "#D55E00",
}
FALLBACK_CATEGORY = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#0072B2", "#F0E442", "#BBBBBB")

_GREEK = {"alpha": r"\alpha", "beta": r"\beta", "gamma": r"\gamma", "delta": r"\delta", "theta": r"\theta",
          "omega": r"\omega", "kappa": r"\kappa", "lambda": r"\lambda", "mu": r"\mu", "rho": r"\rho",
          "sigma": r"\sigma", "tau": r"\tau", "phi": r"\phi", "eta": r"\eta", "epsilon": r"\epsilon"}
#: Keys with a fixed label (the words a reader of the papers uses, the symbol in mathtext).
LABELS = {
    "U_G": "$U_G$", "U_D": "$U_D$", "W": "$W$", "welfare": "welfare $W$", "safety": "safety $\\beta_1$",
    "alpha0": "$\\alpha_0$", "omega": "$\\omega$", "omega_unregulated": "unregulated openness $\\omega^*$",
    "theta": "$\\theta$", "penalty": "$p$", "delta": "$\\delta$", "beta0": "$\\beta_0$", "beta1": "$\\beta_1$",
    "theta_G": "$\\theta_G$", "theta_D": "$\\theta_D$", "c": "$c$", "compliance_loss": "compliance loss $L(\\theta)$",
    "marginal_cost": "marginal cost $b$", "entry_cost": "entry cost $F$", "cost": "cost $c$", "revenue": "revenue $r$",
    "size": "size", "total_time": "total time [s]", "gain": "welfare gain $\\Delta W$",
}


#: Bargaining solutions as a reader of the papers names them, in the order that fixes each one's series style.
SOLUTIONS = {
    "nash": "Nash", "kalai_smorodinsky": "Kalai–Smorodinsky", "egalitarian": "egalitarian",
    "utilitarian": "utilitarian", "vertical_monopoly": "vertical monopoly", "generalist_optimal": "generalist-optimal",
    "specialist_optimal": "specialist-optimal", "max_performance": "max-performance", "fixed": "fixed δ",
}


def solution_label(name: str) -> str:
    """``nash`` → ``Nash``, ``kalai_smorodinsky`` → ``Kalai–Smorodinsky``, ``generalist_optimal`` →
    ``generalist-optimal``; an unknown name with its underscores as spaces."""
    return SOLUTIONS.get(str(name), str(name).replace("_", " "))


def solution_style(name: str, line: bool = True) -> dict[str, Any]:
    """:func:`series_style` of a bargaining solution by its name (the same colour and marker in every figure;
    series 0 is left to the data the solutions are drawn over); an unknown name after the known ones."""
    name = "utilitarian" if name == "vertical_monopoly" else name  # an alias: one solution, one style
    names = [n for n in SOLUTIONS if n != "vertical_monopoly"]
    return series_style(1 + (names.index(name) if name in names else len(names)), line)


def label(key: str) -> str:
    """The mathtext label of a library key: ``U_G`` → ``$U_G$``, ``theta_D`` → ``$\\theta_D$``, ``alpha0`` →
    ``$\\alpha_0$``, ``U_D1`` → ``$U_{D_1}$``, ``delta2`` → ``$\\delta_2$``, ``regulation.theta_G`` →
    ``$\\theta_G$``; an unknown key is returned unchanged."""
    key = str(key)
    bare = key.rsplit(".", 1)[-1]
    if bare in LABELS:
        return LABELS[bare]
    m = re.fullmatch(r"U_D(\d+)", bare)
    if m:
        return f"$U_{{D_{m.group(1)}}}$"
    m = re.fullmatch(r"([a-z]+?)_?(\d+|[A-Z][A-Za-z0-9]*)?", bare)
    if m and m.group(1) in _GREEK:
        sym, sub = _GREEK[m.group(1)], m.group(2)
        return f"${sym}_{{{sub}}}$" if sub else f"${sym}$"
    return key


def series_style(i: int, line: bool = True) -> dict[str, Any]:
    """Colour, marker and line style of the ``i``-th series: colours cycle through :data:`SERIES_COLOURS`, the
    marker changes with every series (12 markers), the line style after each round of colours, and every series
    after the first is dashed or dotted so that a curve drawn over another still shows.  ``line=False`` gives
    ``color`` and ``marker`` only (for scatter)."""
    style: dict[str, Any] = {"color": SERIES_COLOURS[i % len(SERIES_COLOURS)], "marker": MARKERS[i % len(MARKERS)]}
    if line:
        style["linestyle"] = LINESTYLES[(i + i // len(SERIES_COLOURS)) % len(LINESTYLES)]
    return style


def line_style(i: int, n_points: int) -> dict[str, Any]:
    """:func:`series_style` for a curve of ``n_points`` points: about ten markers along it (``markevery``),
    staggered between series so that markers of coinciding curves do not hide one another."""
    every = max(1, n_points // 10)
    return {**series_style(i), "markevery": (min(i * max(1, every // 4), every - 1) if every > 1 else 0, every),
            "markersize": 5, "linewidth": 1.6}


def category_colour(name: str, order: Iterable[str] = ()) -> str:
    """The fill of category ``name`` (:data:`CATEGORY_COLOURS`, else by its place in ``order``)."""
    if name in CATEGORY_COLOURS:
        return CATEGORY_COLOURS[name]
    names = list(order)
    return FALLBACK_CATEGORY[(names.index(name) if name in names else 0) % len(FALLBACK_CATEGORY)]


def category_handles(present: Iterable[str], colours: dict[str, str] | None = None,
                     labels: dict[str, str] | None = None) -> list[Any]:
    """Legend patches for the categories in ``present`` only, in the order of ``colours`` (then first seen)."""
    from matplotlib.patches import Patch

    seen = list(dict.fromkeys(present))
    order = [n for n in (colours or {}) if n in seen] + [n for n in seen if n not in (colours or {})]
    return [Patch(facecolor=(colours or {}).get(n) or category_colour(n, seen), edgecolor="0.4", linewidth=0.5,
                  label=(labels or {}).get(n, str(n).replace("_", " "))) for n in order]


def legend_outside(ax: Any, handles: list[Any] | None = None, where: str = "right", **kwargs: Any) -> Any:
    """A legend beside the axes (``where="right"``) or below them (``"below"``), never over the data; ``handles``
    default to the labelled artists of ``ax``.  Returns the legend (``None`` when there is nothing to list)."""
    if handles is None:
        handles = ax.get_legend_handles_labels()[0]
    if not handles:
        return None
    options: dict[str, Any] = {"fontsize": 8, "frameon": False}
    if where == "below":
        options.update(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=kwargs.pop("ncol", 2))
    else:
        options.update(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    options.update(kwargs)
    return ax.legend(handles=handles, **options)


def figure_legend_below(fig: Any, handles: list[Any], ncol: int = 3, **kwargs: Any) -> Any:
    """A legend for the whole figure, centred below its panels (call after the layout, then save with
    ``bbox_inches="tight"``)."""
    if not handles:
        return None
    return fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, fontsize=8,
                      frameon=False, **kwargs)


def apply(plt: Any) -> None:
    """Set the shared rcParams (font sizes, grid, no top/right spines, the colour cycle)."""
    from cycler import cycler

    plt.rcParams.update({
        "axes.prop_cycle": cycler(color=list(SERIES_COLOURS)), "axes.spines.top": False,
        "axes.spines.right": False, "axes.grid": False, "axes.titlesize": 10, "axes.labelsize": 10,
        "legend.fontsize": 8, "figure.dpi": 100, "savefig.dpi": 120, "savefig.bbox": "tight",
        "mathtext.fontset": "dejavusans",
    })


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend with :func:`apply`'s settings."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    apply(plt)
    return plt
