"""The shared figure style (ftgames.plots.style): mathematical axis labels, legends that list exactly what is drawn
and sit outside the data, no two drawn series with the same colour and marker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from ftgames.plots import style


@pytest.fixture
def saved(monkeypatch) -> list[Figure]:
    """Every figure saved while the test runs (the figure functions close theirs after saving)."""
    figures: list[Figure] = []
    original = Figure.savefig

    def record(self: Figure, *args: Any, **kwargs: Any) -> Any:
        figures.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", record)
    return figures


def _legend_texts(legend: Any) -> list[str]:
    return [text.get_text() for text in legend.get_texts()]


def _inside(ax: Any, legend: Any) -> bool:
    """Whether the legend's box overlaps the axes' data area."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(ax.figure)  # the figure functions close their figures: draw on a fresh canvas
    canvas.draw()
    renderer = canvas.get_renderer()
    return legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))


def test_labels_are_mathematical() -> None:
    assert style.label("U_G") == "$U_G$"
    assert style.label("theta_D") == r"$\theta_D$"
    assert style.label("regulation.theta_G") == r"$\theta_G$"
    assert style.label("alpha0") == r"$\alpha_0$"
    assert style.label("delta") == r"$\delta$" and style.label("omega") == r"$\omega$"
    assert style.label("beta") == r"$\beta$" and style.label("delta2") == r"$\delta_{2}$"
    assert style.label("U_D1") == "$U_{D_1}$"
    assert style.label("marginal_cost") == "marginal cost $b$"
    assert style.label("no_such_key") == "no_such_key"


def test_series_styles_are_distinct_for_24_series() -> None:
    pairs = {(style.series_style(i)["color"], style.series_style(i)["marker"]) for i in range(24)}
    assert len(pairs) == 24
    assert len({c.lower() for c in style.SERIES_COLOURS}) == len(style.SERIES_COLOURS)


def test_openness_regime_map_legend_lists_exactly_the_regimes_drawn(tmp_path: Path, saved: list[Figure]) -> None:
    from ftgames.figures.openness import DEFAULT_GAME, figure_regime_map, regime_map_rows
    from ftgames.io.gamefile import load_game_file

    file = load_game_file(DEFAULT_GAME)
    figure_regime_map(file, tmp_path, points=7)
    (fig,) = saved
    ax = fig.axes[0]
    legend = ax.get_legend()
    drawn = {r["regime"] for r in _csv_rows(tmp_path / "openness_regime_map.csv")}
    texts = _legend_texts(legend)
    assert set(texts) == drawn | {"switching curve $p = L(\\theta)$"}
    assert "abstain" not in drawn and "abstain" not in texts
    assert ax.get_xlabel().endswith(r"$\theta$") and ax.get_ylabel().endswith("$p$")
    assert not _inside(ax, legend)
    assert regime_map_rows  # the rows the figure draws come from the front end's batch solver


def _csv_rows(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open() as handle:
        return list(csv.DictReader(handle))


def test_effects_and_regime_maps_legends_list_only_present_categories(tmp_path: Path, saved: list[Figure]) -> None:
    from ftgames.plots.openness import draw_effects, draw_regime_maps

    rows = [{"alpha0": a, "theta": t, "penalty": p, "effect": e, "regime": g, "compliance_loss": 0.1 * t,
             "omega_unregulated": 0.5, "delta": 0.5}
            for a in (0.5, 1.0) for t in (0.0, 0.5, 1.0) for p in (0.0, 0.1)
            for e, g in [("no_change", "comply") if t < 0.5 else ("deadweight_loss", "pay")]]
    draw_effects(rows, tmp_path / "effects.png")
    draw_regime_maps(rows, tmp_path / "maps.png")
    effects, maps = saved
    assert _legend_texts(effects.legends[0]) == ["no change", "deadweight loss"]
    texts = _legend_texts(maps.legends[0])
    assert texts[:2] == ["comply", "pay"] and "abstain" not in texts
    for fig in (effects, maps):
        assert all(ax.get_legend() is None for ax in fig.axes)  # one legend for the figure, below the panels


def test_families_lines_are_distinguishable_and_labels_mathematical(tmp_path: Path, saved: list[Figure]) -> None:
    from ftgames.plots.openness import draw_families

    rows = [{"family": f"family {k}", "alpha0": a, "omega_unregulated": 1.0 if a < 1 else 0.5, "delta": 0.5}
            for k in range(6) for a in (0.5, 1.0, 1.5, 2.0)]  # six coinciding curves
    draw_families(rows, tmp_path / "families.png")
    (fig,) = saved
    ax = fig.axes[0]
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert len(lines) == 6
    looks = {(to_hex(line.get_color()), line.get_marker(), str(line.get_linestyle())) for line in lines}
    assert len({(c, m) for c, m, _ in looks}) == 6
    assert ax.get_xlabel().endswith(r"$\alpha_0$") and r"$\omega^*$" in ax.get_ylabel()
    assert _legend_texts(ax.get_legend()) == [f"family {k}" for k in range(6)]
    assert not _inside(ax, ax.get_legend())


def test_benchmark_plots_give_14_solvers_distinct_colour_marker_pairs(tmp_path: Path, saved: list[Figure]) -> None:
    from ftgames.bench.plots import plot_profiles, plot_time_vs_size

    solvers = [(f"f{k}", "b") for k in range(14)]
    rows = [{"suite": "s", "instance": inst, "size": size, "total_time": 0.01 * size * (1 + k / 100),
             "status": "optimal", "correct": True, "formulation": f, "backend": b}
            for inst in ("i1", "i2") for size in (1, 10) for k, (f, b) in enumerate(solvers)]
    plot_time_vs_size(rows, tmp_path)
    plot_profiles(rows, tmp_path)
    time_fig, profile_fig = saved
    for fig, legend in ((time_fig, time_fig.legends[0]), (profile_fig, profile_fig.axes[0].get_legend())):
        handles = legend.legend_handles
        assert len(handles) == 14
        pairs = {(to_hex(h.get_color()), h.get_marker()) for h in handles}
        assert len(pairs) == 14, fig
    assert all(ax.get_legend() is None for ax in time_fig.axes)
    assert not _inside(profile_fig.axes[0], profile_fig.axes[0].get_legend())


def test_fine_tuning_regime_map_legend_and_labels(tmp_path: Path, saved: list[Figure]) -> None:
    from ftgames.models.fine_tuning import FineTuningGame
    from ftgames.plots.fine_tuning import plot_regime_map, regime_grid

    game = FineTuningGame.quadratic(0.3, [0.2], marginal_cost=[0.1])
    options = {"x": "delta", "y": "marginal_cost", "y_range": (0.0, 0.2), "points": 15}
    plot_regime_map(game, str(tmp_path / "regimes.png"), **options)
    (fig,) = saved
    ax = fig.axes[0]
    codes = regime_grid(game, **options)[2]
    present = [("contribute", "free-ride", "abstain")[int(k)] for k in sorted(set(codes.ravel().tolist()))]
    assert _legend_texts(ax.get_legend()) == [name.replace("_", " ") for name in present]
    assert ax.get_xlabel() == "$\\delta_{1}$ (G's share)"
    assert ax.get_ylabel() == "marginal cost $b_{1}$ of $D_{1}$"
    assert not _inside(ax, ax.get_legend())


def test_safety_figure3_labels_and_legend_outside(tmp_path: Path, saved: list[Figure]) -> None:
    from ftgames.plots.safety import figure3

    figure3(tmp_path)
    (fig,) = saved
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith(r"$\theta_D$") and ax.get_ylabel() == "safety"
    assert _legend_texts(ax.get_legend())[:2] == [r"$\beta_0$ (generalist)", r"$\beta_1$ (final)"]
    assert not _inside(ax, ax.get_legend())


def test_design_sensitivity_coinciding_floors_stay_distinguishable(tmp_path: Path, saved: list[Figure]) -> None:
    from ftgames.figures.design import draw_sensitivity

    rows = [{"c": c, "delta_fixed": d, "objective": o, "theta_G": 0.5 - c, "theta_D": 1.0 - c}  # same for every δ
            for o in ("welfare", "safety") for d in (0.3, 0.5, 0.7) for c in (-0.1, 0.0, 0.1)]
    draw_sensitivity(rows, tmp_path / "sensitivity.png")
    (fig,) = saved
    left = fig.axes[0]
    lines = left.get_lines()
    assert len(lines) == 6
    looks = {(to_hex(line.get_color()), line.get_marker(), line.get_fillstyle()) for line in lines}
    assert len(looks) == 6
    sizes = sorted({line.get_markersize() for line in lines}, reverse=True)
    assert len(sizes) == 3  # nested: a smaller marker for each later δ
    assert fig.axes[1].get_legend() is not None and not _inside(fig.axes[1], fig.axes[1].get_legend())
    assert _legend_texts(fig.axes[1].get_legend())[0] == r"$\theta_G^*$, $\delta$ = 0.3"
