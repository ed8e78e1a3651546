"""Front end of ``game = "openness_regulation"`` files: parse and validate, solve, batch-evaluate for sweeps,
render and plot.

File layout (every table optional; missing values take the model's defaults)::

    game = "openness_regulation"
    [model]                 alpha0, max_fine_tuning
    [model.<term>]          family = "...", parameters   (terms: revenue, fine_tuning_cost, benefit,
                                                          production_cost, operation_cost)
    [regulation]            theta, penalty, penalty_is_transfer
    [bargaining]            solution ("fixed", "nash", ...), delta (G's share when fixed), weights, grid,
                            search ("auto", "exact", "grid")
    [solve]                 formulation ("enumeration", "kkt" = "kkt_sos1", "kkt_bigm", "kkt_indicator", "kkt_product"
                            through the bilevel layer; "kkt_direct_sos1", "kkt_direct_bigm" written directly in Pyomo),
                            solver, time_limit, ...
"""

from __future__ import annotations

import copy
import math
from typing import Any

from ..models.openness import (
    DEFAULT_FAMILY,
    FAMILIES,
    TERM_KINDS,
    OpennessGame,
    ParameterError,
    Regulation,
    make_term,
)
from ..solvers import SolveConfig
from .gamefile import GameFile, GameFileError, set_dotted

TOP_KEYS = {"game", "title", "description", "model", "regulation", "bargaining", "solve", "figures"}
MODEL_KEYS = {"alpha0", "max_fine_tuning", *TERM_KINDS}
REGULATION_KEYS = {"theta", "penalty", "penalty_is_transfer"}
BARGAINING_KEYS = {"solution", "delta", "weights", "grid", "search"}
FORMULATIONS = {"enumeration": ("enumeration", "sos1", "bilevel"), "kkt": ("kkt", "sos1", "bilevel"),
                "kkt_sos1": ("kkt", "sos1", "bilevel"), "kkt_bigm": ("kkt", "bigm", "bilevel"),
                "kkt_indicator": ("kkt", "indicator", "bilevel"), "kkt_product": ("kkt", "product", "bilevel"),
                "kkt_direct_sos1": ("kkt", "sos1", "pyomo"),
                "kkt_direct_bigm": ("kkt", "bigm", "pyomo")}


# ----------------------------------------------------------------------------------------------- parsing
def default_data() -> dict[str, Any]:
    """A complete game table with every default written out (so that any parameter can be swept)."""
    game = OpennessGame()
    model: dict[str, Any] = {"alpha0": game.alpha0}
    for kind in TERM_KINDS:
        term = getattr(game, kind)
        model[kind] = {"family": DEFAULT_FAMILY[kind], **term.params()}
    return {"game": "openness_regulation", "model": model,
            "regulation": {"theta": 0.0, "penalty": 0.0, "penalty_is_transfer": False},
            "bargaining": {"solution": "fixed", "delta": game.delta, "weights": [1.0, 1.0], "grid": 2001,
                           "search": "auto"},
            "solve": {}}


def normalized_data(file: GameFile) -> dict[str, Any]:
    """The file's tables merged over :func:`default_data` (term tables whose family changes keep only their own
    parameters, filled with that family's defaults)."""
    data = copy.deepcopy(file.data)
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise file.error(unknown[0], f"unknown key; valid top-level keys: {', '.join(sorted(TOP_KEYS))}")
    for table, keys in (("model", MODEL_KEYS), ("regulation", REGULATION_KEYS), ("bargaining", BARGAINING_KEYS)):
        if table in data and not isinstance(data[table], dict):
            raise file.error(table, "must be a table")
        bad = sorted(set(data.get(table, {})) - keys)
        if bad:
            raise file.error(f"{table}.{bad[0]}", f"unknown key; valid: {', '.join(sorted(keys))}")
    merged = default_data()
    model = data.get("model", {})
    for key in ("alpha0", "max_fine_tuning"):
        if key in model:
            merged["model"][key] = model[key]
    for kind in TERM_KINDS:
        given = model.get(kind)
        if given is None:
            continue
        if not isinstance(given, dict):
            raise file.error(f"model.{kind}", "must be a table with 'family' and its parameters")
        family = given.get("family", DEFAULT_FAMILY[kind])
        if family not in FAMILIES[kind]:
            raise file.error(f"model.{kind}.family", f"unknown family {family!r}; valid: {', '.join(FAMILIES[kind])}")
        defaults = {name: spec[0] for name, spec in FAMILIES[kind][family].PARAMS.items()}
        merged["model"][kind] = {"family": family, **defaults, **{k: v for k, v in given.items() if k != "family"}}
    merged["regulation"].update(data.get("regulation", {}))
    merged["bargaining"].update(data.get("bargaining", {}))
    merged["solve"] = dict(data.get("solve", {}))
    return merged


def game_from_data(data: dict[str, Any], file: GameFile | None = None) -> OpennessGame:
    """Build and validate the game; errors name the game-file key."""

    def fail(key: str, message: str) -> GameFileError:
        return file.error(key, message) if file is not None else GameFileError(f"{key}: {message}")

    model = data["model"]
    terms = {}
    for kind in TERM_KINDS:
        try:
            terms[kind] = make_term(kind, model[kind])
        except ParameterError as exc:
            key = f"model.{exc.parameter}" if exc.parameter else f"model.{kind}"
            raise fail(key, str(exc)) from None
        except TypeError as exc:
            raise fail(f"model.{kind}", str(exc)) from None
    reg = data["regulation"]
    try:
        regulation = Regulation(theta=reg["theta"], penalty=reg["penalty"],
                                penalty_is_transfer=reg["penalty_is_transfer"])
        return OpennessGame(alpha0=model["alpha0"], delta=data["bargaining"]["delta"], regulation=regulation,
                            max_fine_tuning=model.get("max_fine_tuning"), **terms)
    except ParameterError as exc:
        raise fail(exc.parameter or "model", str(exc)) from None


def bargaining_settings(data: dict[str, Any], file: GameFile | None = None) -> dict[str, Any]:
    from ..formulations.openness.bargaining import SOLUTIONS

    table = data["bargaining"]
    solution = table["solution"]
    if solution not in SOLUTIONS:
        message = f"unknown solution {solution!r}; valid: {', '.join(SOLUTIONS)}"
        raise file.error("bargaining.solution", message) if file else GameFileError(message)
    weights = table["weights"]
    if (not isinstance(weights, list) or len(weights) != 2
            or not all(isinstance(w, int | float) and w > 0 for w in weights)):
        message = f"weights must be two positive numbers [w_G, w_D], got {weights!r}"
        raise file.error("bargaining.weights", message) if file else GameFileError(message)
    grid = table["grid"]
    if not isinstance(grid, int) or grid < 3:
        message = f"grid must be an integer >= 3, got {grid!r}"
        raise file.error("bargaining.grid", message) if file else GameFileError(message)
    search = table["search"]
    if search not in ("auto", "exact", "grid"):
        message = f"search must be 'auto', 'exact' (default forms only) or 'grid', got {search!r}"
        raise file.error("bargaining.search", message) if file else GameFileError(message)
    return {"solution": solution, "weights": (float(weights[0]), float(weights[1])), "grid": grid, "search": search}


def load_game(file: GameFile) -> tuple[OpennessGame, dict[str, Any], dict[str, Any]]:
    """(game, bargaining settings, normalized data) of a game file."""
    data = normalized_data(file)
    return game_from_data(data, file), bargaining_settings(data, file), data


def _formulation(name: str | None, file: GameFile) -> tuple[str, str, str]:
    name = name or "enumeration"
    if name not in FORMULATIONS:
        raise file.error("solve.formulation", f"unknown formulation {name!r}; valid: {', '.join(FORMULATIONS)}")
    return FORMULATIONS[name]


# ----------------------------------------------------------------------------------------------- solving
def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def equilibrium_report(eq: Any) -> dict[str, Any]:
    return {
        "regime": eq.regime, "omega": _finite(eq.omega), "alpha0": eq.alpha0, "alpha1": _finite(eq.alpha1),
        "delta": eq.delta, "U_G": eq.U_G, "U_D": eq.U_D, "welfare": eq.welfare, "penalty_paid": eq.penalty_paid,
        "certified": eq.certified, "formulation": eq.formulation,
        "regimes": [{"regime": v.regime, "feasible": v.feasible, "omega": _finite(v.omega),
                     "alpha1": _finite(eq.alpha0 + v.step), "U_G": _finite(v.U_G), "U_D": _finite(v.U_D),
                     "certified": v.certified, "status": v.status} for v in eq.regimes],
    }


def solve_game(file: GameFile, *, formulation: str | None = None, solver: str | None = None) -> dict[str, Any]:
    """Solve a game file: the bargained (or fixed) δ, G's regime and ω, D's fine-tuning, utilities, the compliance
    loss (the comply/pay switching penalty at this θ) and the effect of the regulation against none."""
    from ..formulations.openness.bargaining import bargain
    from ..formulations.openness.effects import classify
    from ..formulations.openness.equilibrium import compliance_loss

    game, settings, data = load_game(file)
    config = SolveConfig.from_table({k: v for k, v in data["solve"].items()}, formulation=formulation, solver=solver)
    kind, encoding, via = _formulation(config.formulation, file)
    options = {"encoding": encoding, "config": config, "via": via} if kind == "kkt" else {}
    common = {"weights": settings["weights"], "grid": settings["grid"], "search": settings["search"],
              "formulation": kind, "solver": config.solver, **options}
    try:
        regulated = bargain(game, settings["solution"], **common)
        unregulated = bargain(game.unregulated(), settings["solution"], **common)
    except ValueError as exc:
        if "search='grid'" in str(exc):
            raise file.error("bargaining.search", str(exc)) from None
        raise
    eq, base = regulated.equilibrium, unregulated.equilibrium
    front = regulated.pareto_deltas
    return {
        "game": "openness_regulation",
        "file": file.path,
        "formulation": regulated.equilibrium.formulation,
        "solver": (config.solver or "scip") if kind == "kkt" else None,
        "terms": game.describe_terms(),
        "alpha0": game.alpha0,
        "regulation": {"theta": game.regulation.theta, "penalty": game.regulation.penalty,
                       "penalty_is_transfer": game.regulation.penalty_is_transfer},
        "bargaining": {"solution": settings["solution"], "delta": regulated.delta, "agreement": regulated.agreement,
                       "certified": regulated.certified,
                       "pareto_delta_range": [float(front.min()), float(front.max())] if len(front) else None},
        "equilibrium": equilibrium_report(eq),
        "compliance_loss": compliance_loss(game.with_delta(regulated.delta)),
        "unregulated": equilibrium_report(base),
        "effect": {"effect": classify(eq.U_G - base.U_G, eq.U_D - base.U_D), "change_U_G": eq.U_G - base.U_G,
                   "change_U_D": eq.U_D - base.U_D, "change_welfare": eq.welfare - base.welfare},
    }


def solve_batch(file: GameFile, points: list[dict[str, float]], *, formulation: str | None = None,
                solver: str | None = None) -> list[dict[str, Any]]:
    """Evaluate many parameter points of one file (for ``ftgames sweep``): each point maps dotted keys
    (``regulation.theta``, ``model.alpha0``, ``model.fine_tuning_cost.lam``, ``bargaining.delta``...) to values.
    Rows are flat scalars: the point, regime, omega, alpha0, alpha1, delta, U_G, U_D, welfare, penalty_paid,
    compliance_loss, the unregulated omega/U_G/U_D and the effect of the regulation.  δ is chosen with the exact
    (enumeration) SPE at each share; a "kkt" ``formulation`` re-solves each point's final SPE as KKT programs."""
    from ..formulations.openness.bargaining import bargain
    from ..formulations.openness.effects import classify
    from ..formulations.openness.equilibrium import compliance_loss

    base_data = normalized_data(file)
    config = SolveConfig.from_table(base_data["solve"], formulation=formulation, solver=solver)
    kind, encoding, via = _formulation(config.formulation, file)
    options = {"encoding": encoding, "config": config, "via": via, "solver": config.solver} if kind == "kkt" else {}
    cache: dict[Any, Any] = {}
    rows = []
    for point in points:
        data = copy.deepcopy(base_data)
        for key, value in point.items():
            set_dotted(data, key, value)
        game = game_from_data(data, file)
        settings = bargaining_settings(data, file)
        kwargs = {"weights": settings["weights"], "grid": settings["grid"], "pareto": False,
                  "search": settings["search"]}
        regulated = bargain(game, settings["solution"], formulation=kind, **kwargs, **options)
        key = (game.unregulated(), settings["solution"], settings["weights"], settings["grid"], settings["search"])
        if key not in cache:
            cache[key] = bargain(game.unregulated(), settings["solution"], formulation=kind, **kwargs, **options)
        eq, base = regulated.equilibrium, cache[key].equilibrium
        rows.append({
            **point,
            "theta": game.regulation.theta, "penalty": game.regulation.penalty,
            "regime": eq.regime, "omega": eq.omega, "alpha0": eq.alpha0, "alpha1": eq.alpha1, "delta": eq.delta,
            "U_G": eq.U_G, "U_D": eq.U_D, "welfare": eq.welfare, "penalty_paid": eq.penalty_paid,
            "compliance_loss": compliance_loss(game.with_delta(regulated.delta)),
            "omega_unregulated": base.omega, "U_G_unregulated": base.U_G, "U_D_unregulated": base.U_D,
            "effect": classify(eq.U_G - base.U_G, eq.U_D - base.U_D),
            "change_U_G": eq.U_G - base.U_G, "change_U_D": eq.U_D - base.U_D,
            "certified": eq.certified, "formulation": eq.formulation,
            "bargaining_search": "fixed" if settings["solution"] == "fixed" else regulated.certified,
        })
    return rows


# ----------------------------------------------------------------------------------------------- output
def render(report: dict[str, Any]) -> Any:
    from rich.console import Group
    from rich.table import Table

    def fmt(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, float):
            return f"{value:.6g}"
        return str(value)

    reg = report["regulation"]
    head = Table(title=f"openness-regulation game — {report['file']}", show_header=False)
    head.add_column("")
    head.add_column("")
    head.add_row("regulation", f"θ = {fmt(reg['theta'])}, p = {fmt(reg['penalty'])}")
    bargaining = report["bargaining"]
    search = "" if bargaining["solution"] == "fixed" else f" ({bargaining['certified']} search over δ)"
    head.add_row("bargaining", f"{bargaining['solution']}: δ (G's share) = {fmt(bargaining['delta'])}{search}")
    head.add_row("formulation", f"{report['formulation']} ({report['equilibrium']['certified']})")
    head.add_row("compliance loss", f"{fmt(report['compliance_loss'])} (G complies iff p ≥ this)")
    head.add_row("effect of regulation", f"{report['effect']['effect']}: ΔU_G = {fmt(report['effect']['change_U_G'])}, "
                 f"ΔU_D = {fmt(report['effect']['change_U_D'])}")
    for kind, text in report["terms"].items():
        head.add_row(kind, text)
    table = Table(title="outcomes")
    for column in ("", "regime", "ω", "α1", "U_G", "U_D", "certified"):
        table.add_column(column)
    eq, base = report["equilibrium"], report["unregulated"]
    table.add_row("equilibrium", eq["regime"], fmt(eq["omega"]), fmt(eq["alpha1"]), fmt(eq["U_G"]), fmt(eq["U_D"]),
                  eq["certified"])
    for value in eq["regimes"]:
        if value["feasible"]:
            table.add_row(f"  best if {value['regime']}", value["regime"], fmt(value["omega"]), fmt(value["alpha1"]),
                          fmt(value["U_G"]), fmt(value["U_D"]), value["certified"])
    table.add_row("unregulated", base["regime"], fmt(base["omega"]), fmt(base["alpha1"]), fmt(base["U_G"]),
                  fmt(base["U_D"]), base["certified"])
    return Group(head, table)


def plot(file: GameFile, report: dict[str, Any], path: str) -> None:
    """G's payoff over ω with the regimes, and the (θ, p) regime map with this file's definition marked."""
    from ..plots.openness import game_figure

    game, settings, _ = load_game(file)
    game_figure(game.with_delta(report["bargaining"]["delta"]), path)
