"""Figures and tables of the regulator's design problem (docs/regulation-design.md), one command each:

    python -m ftgames.figures.design safety-floors --out DIR     # symmetric game: best floors, fixed δ and bargained
    python -m ftgames.figures.design sensitivity --out DIR       # optimal floors against the cross term c and δ
    python -m ftgames.figures.design openness --out DIR          # welfare-maximizing (θ, p) against α0
    python -m ftgames.figures.design all --out DIR

Each writes its table as CSV and Markdown (``DIR/<figure>.csv``, ``.md``) and its PNG figure(s).
"""

from __future__ import annotations

import argparse
import copy
import csv
from pathlib import Path
from typing import Any

import numpy as np

from ..design import design
from ..design.plot import plot_design
from ..errors import InputError
from ..io.gamefile import GameFile, load_game_file
from ..plots import style

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
SAFETY = EXAMPLES / "safety_backfiring.toml"
OPENNESS = EXAMPLES / "openness_default.toml"
BOX = {"both": ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"], "G only": ["regulation.theta_G=0:1.5"],
       "D only": ["regulation.theta_D=0:2.5"]}
FLOOR = "U_G >= 0.3 and U_D >= 0.3"  # keep both players near their anarchy utility (0.375)


def _symmetric(c: float = 0.0, delta: float = 0.5) -> GameFile:
    base = load_game_file(SAFETY)
    data = copy.deepcopy(base.data)
    data["generalist"]["cost"] = [[1.0, c], [c, 1.0]]
    data["specialists"][0]["cost"] = [[1.0, c], [c, 1.0]]
    data["bargaining"]["delta"] = [delta]
    data["regulation"] = {"theta_G": 0.0, "theta_D": 0.0}
    return GameFile(f"{SAFETY.name} (c = {c:g}, δ = {delta:g})", base.text, data)


def _row(label: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    out = report["outcome"] or {}
    rule = report["rule"] or {}
    return {**label, "theta_G": rule.get("regulation.theta_G", 0.0), "theta_D": rule.get("regulation.theta_D", 0.0),
            "value": report["value"], "safety": out.get("safety"), "U_G": out.get("U_G"), "U_D": out.get("U_D"),
            "delta": out.get("delta"), "label": out.get("label"), "certificate": report["certificate"]["level"],
            "on_boundary": bool(report["boundary"] and (report["boundary"]["on_regime_boundary"]
                                                        or report["boundary"]["on_constraint_boundary"]))}


def _write(rows: list[dict[str, Any]], out: Path, name: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    keys = list(rows[0])
    with open(out / f"{name}.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, keys)
        writer.writeheader()
        writer.writerows(rows)

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.6g}"
        return "—" if v is None else str(v)

    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(fmt(r[k]) for k in keys) + " |" for r in rows]
    (out / f"{name}.md").write_text("\n".join(lines) + "\n")


def safety_floors(out: Path) -> list[dict[str, Any]]:
    """Safety-maximizing floors of the symmetric game (C0 = C1 = I, r = (1, 1)), δ fixed at 1/2 or bargained, with
    and without a floor on both utilities; against no regulation and the best single floor."""
    game = _symmetric()
    rows = []
    for bargaining in ("fixed", "nash", "utilitarian", "egalitarian"):
        for constraint in ((), (FLOOR,)):
            none = design(game, ["regulation.theta_D=0"], maximize="safety", subject_to=list(constraint),
                          bargaining=bargaining, formulations=["exact"], explored=False)
            rows.append(_row({"bargaining": bargaining, "constraint": " and ".join(constraint) or "—",
                              "floors": "none"}, none))
            for kind, box in BOX.items():
                report = design(game, box, maximize="safety", subject_to=list(constraint), bargaining=bargaining,
                                explored=kind == "both" and not constraint)
                rows.append(_row({"bargaining": bargaining, "constraint": " and ".join(constraint) or "—",
                                  "floors": kind}, report))
                if kind == "both" and not constraint and bargaining in ("fixed", "nash"):
                    plot_design(report, out / f"safety-floors-{bargaining}.png")
    _write(rows, out, "safety-floors")
    return rows


def sensitivity(out: Path, cs: tuple[float, ...] = (-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3),
                deltas: tuple[float, ...] = (0.3, 0.5, 0.7)) -> list[dict[str, Any]]:
    """How the optimal floors move with the cross term c (C0 = C1 = [[1, c], [c, 1]]) and δ: max welfare, and max
    safety subject to U_G, U_D >= 0.1; drawn by :func:`draw_sensitivity` (which also redraws from the CSV)."""
    rows = []
    for delta in deltas:
        for c in cs:
            game = _symmetric(c, delta)
            for objective, constraint in (("welfare", ()), ("safety", ("U_G >= 0.1 and U_D >= 0.1",))):
                report = design(game, BOX["both"], maximize=objective, subject_to=list(constraint), explored=False)
                rows.append(_row({"c": c, "delta_fixed": delta, "objective": objective,
                                  "constraint": " and ".join(constraint) or "—"}, report))
    _write(rows, out, "sensitivity")
    draw_sensitivity(rows, out / "sensitivity.png")
    return rows


def draw_sensitivity(rows: list[dict[str, Any]], path: Path) -> Path:
    """The optimal floors against c, one colour and marker per δ (markers smaller and lines thinner for each later
    δ, so that curves that coincide, as the welfare-maximizing floors do for every δ, show nested), θG* solid and
    filled, θD* dashed and open.  ``rows``: :func:`sensitivity`'s (or its CSV's)."""
    plt = style.pyplot()
    deltas = sorted({float(r["delta_fixed"]) for r in rows})
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, objective in zip(axes, ("welfare", "safety"), strict=True):
        for k, delta in enumerate(deltas):
            sel = sorted((r for r in rows if r["objective"] == objective and float(r["delta_fixed"]) == delta),
                         key=lambda r: float(r["c"]))
            for j, key in enumerate(("theta_G", "theta_D")):
                ax.plot([float(r["c"]) for r in sel], [float(r[key]) for r in sel], color=style.SERIES_COLOURS[k],
                        marker=("o", "^", "D", "s", "v")[k % 5], markersize=9 - 2.5 * k, linewidth=2.6 - 0.8 * k,
                        linestyle=("-", "--")[j], fillstyle=("full", "none")[j], markeredgewidth=1.2,
                        label=f"{style.label(key)[:-1]}^*$, $\\delta$ = {delta:g}")
        ax.set_xlabel("cross term " + style.label("c"))
        ax.set_title("max welfare (the same floors for every $\\delta$)" if objective == "welfare"
                     else "max safety s.t. $U_G \\geq 0.1$, $U_D \\geq 0.1$", fontsize=10)
    axes[0].set_ylabel("optimal floor")
    fig.tight_layout()
    style.legend_outside(axes[1])
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def openness(out: Path, alpha0s: tuple[float, ...] = tuple(np.round(np.linspace(0.4, 3.0, 14), 2)),
             game: Path = OPENNESS) -> list[dict[str, Any]]:
    """Welfare-maximizing openness threshold θ and penalty p for a range of baselines α0 (fixed δ); drawn by
    :func:`draw_openness` (which also redraws from the CSV)."""
    base = load_game_file(game)
    rows = []
    for alpha0 in alpha0s:
        data = copy.deepcopy(base.data)
        data.setdefault("model", {})["alpha0"] = float(alpha0)
        data["regulation"] = {**data.get("regulation", {}), "theta": 0.0, "penalty": 0.0}
        file = GameFile(f"{game.name} (α0 = {alpha0:g})", base.text, data)
        report = design(file, ["regulation.theta=0:1", "regulation.penalty=0:0.3"], maximize="welfare",
                        explored=False)
        free = design(file, ["regulation.theta=0"], maximize="welfare", formulations=["exact"], explored=False)
        o = report["outcome"] or {}
        rows.append({"alpha0": float(alpha0), "theta": report["rule"]["regulation.theta"],
                     "penalty": report["rule"]["regulation.penalty"], "welfare": report["value"],
                     "welfare_unregulated": free["value"], "gain": report["value"] - free["value"],
                     "omega": o.get("omega"), "omega_unregulated": (free["outcome"] or {}).get("omega"),
                     "compliance_loss": o.get("compliance_loss"), "regime": o.get("label"),
                     "certificate": report["certificate"]["level"]})
    _write(rows, out, "openness")
    draw_openness(rows, out / "openness.png")
    return rows


def draw_openness(rows: list[dict[str, Any]], path: Path) -> Path:
    """θ*, p*, ω at the optimum and unregulated against α0, and the welfare gain.  θ* and ω at the optimum coincide
    where G complies at ω = θ: drawn solid with filled circles, then dashed with open squares on top, so both stay
    visible.  ``rows``: :func:`openness`'s (or its CSV's)."""
    plt = style.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    a = [float(r["alpha0"]) for r in rows]
    for i, (key, text) in enumerate((("theta", "$\\theta^*$ (threshold)"), ("omega", "$\\omega$ at the optimum"),
                                     ("omega_unregulated", "$\\omega$ unregulated"), ("penalty", "$p^*$ (penalty)"))):
        axes[0].plot(a, [float(r[key]) for r in rows], label=text, markersize=7 - i,
                     fillstyle="full" if i == 0 else "none", **style.series_style(i))
    axes[0].set_xlabel("baseline " + style.label("alpha0"))
    axes[0].set_ylabel("threshold $\\theta$, openness $\\omega$, penalty $p$")
    axes[0].set_title("welfare-maximizing definition", fontsize=10)
    axes[1].plot(a, [float(r["gain"]) for r in rows], **style.series_style(0))
    axes[1].set_xlabel("baseline " + style.label("alpha0"))
    axes[1].set_ylabel("welfare gain over no regulation $\\Delta W$")
    axes[1].set_title("welfare gain", fontsize=10)
    fig.tight_layout()
    style.legend_outside(axes[0], where="below", ncol=2)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


FIGURES = {"safety-floors": safety_floors, "sensitivity": sensitivity, "openness": openness}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ftgames.figures.design", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("figure", choices=[*FIGURES, "all"])
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    args = parser.parse_args(argv)
    try:
        for name in FIGURES if args.figure == "all" else [args.figure]:
            FIGURES[name](args.out)
            print(f"{name}: {args.out / name}.csv, .md, .png")
    except InputError as exc:
        print(f"ftgames: error: {exc}")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
