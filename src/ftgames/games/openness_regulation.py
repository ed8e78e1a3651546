"""Front end of ``game = "openness_regulation"`` files: parse and validate, solve, batch-evaluate for sweeps,
render and plot.

File layout (every table optional; missing values take the model's defaults)::

    game = "openness_regulation"
    [model]                 alpha0, max_fine_tuning
    [model.<term>]          family = "...", parameters   (terms: revenue, fine_tuning_cost, benefit,
                                                          production_cost, operation_cost, compliance_cost)
    [regulation]            theta, penalty, penalty_is_transfer
    [bargaining]            solution ("fixed", "nash", ...), delta (G's share, or the contract's level, when
                            fixed), weights, grid, search ("auto", "exact", "grid"),
                            contract (a family name, or a table [bargaining.contract] family = "...", parameters)
    [solve]                 formulation ("enumeration", "kkt[:sos1]", "kkt:bigm", "kkt:indicator", "kkt:product"
                            through the bilevel layer; "kkt_direct:sos1", "kkt_direct:bigm" written directly in
                            Pyomo), solver, time_limit, ...
"""

from __future__ import annotations

import copy
import math
from typing import Any

from ..io.gamefile import GameFile, GameFileError, set_dotted
from ..models.contracts import ContractError, make_contract
from ..models.openness import (
    DEFAULT_FAMILY,
    FAMILIES,
    TERM_KINDS,
    OpennessEquilibrium,
    OpennessGame,
    ParameterError,
    Regulation,
    make_term,
)
from ..models.outcomes import Certificate, Level
from ..solvers import Status
from .base import FrontEnd, Request, Stage, Stopwatch, outcome

TOP_KEYS = {"game", "title", "description", "model", "regulation", "bargaining", "solve", "figures"}
MODEL_KEYS = {"alpha0", "max_fine_tuning", *TERM_KINDS}
REGULATION_KEYS = {"theta", "penalty", "penalty_is_transfer"}
BARGAINING_KEYS = {"solution", "delta", "weights", "grid", "search", "contract"}
FORMULATIONS = ("enumeration", "kkt:sos1", "kkt:bigm", "kkt:indicator", "kkt:product", "kkt_direct:sos1",
                "kkt_direct:bigm")


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
                           "search": "auto", "contract": {"family": "constant"}},
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
    if isinstance(merged["bargaining"]["contract"], str):  # contract = "two_part": the family with its defaults
        merged["bargaining"]["contract"] = {"family": merged["bargaining"]["contract"]}
    if "delta" not in data.get("bargaining", {}):  # an unwritten level: the default share, moved into the range
        try:
            low, high = make_contract(merged["bargaining"]["contract"]).level_range()
        except (ContractError, TypeError):
            pass  # reported with its key when the game is built
        else:
            merged["bargaining"]["delta"] = min(max(merged["bargaining"]["delta"], low), high)
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
        contract = make_contract(data["bargaining"]["contract"])
        regulation = Regulation(theta=reg["theta"], penalty=reg["penalty"],
                                penalty_is_transfer=reg["penalty_is_transfer"])
        return OpennessGame(alpha0=model["alpha0"], delta=data["bargaining"]["delta"], regulation=regulation,
                            max_fine_tuning=model.get("max_fine_tuning"), contract=contract, **terms)
    except (ParameterError, ContractError) as exc:
        raise fail(exc.parameter or "model", str(exc)) from None
    except TypeError as exc:  # a contract parameter of the wrong type
        raise fail("bargaining.contract", str(exc)) from None


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


# ----------------------------------------------------------------------------------------------- solving
def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _regimes(eq: Any) -> list[dict[str, Any]]:
    return [{"regime": v.regime, "feasible": v.feasible, "omega": _finite(v.omega),
             "alpha1": _finite(eq.alpha0 + v.step), "U_G": _finite(v.U_G), "U_D": _finite(v.U_D),
             "proof": v.proof, "status": v.status, "backend": v.backend} for v in eq.regimes]


def final_equilibrium(game: OpennessGame, agreed: Any, formulation: str, config: Any) -> tuple[Any, bool]:
    """The SPE at the agreed δ by ``formulation`` and whether there is a deal.  A bargained δ at which G abstains is
    no deal (both get 0, the regime values of ``formulation`` kept); a fixed δ always stands."""
    from ..formulations.openness.equilibrium import solve_equilibrium

    eq = solve_equilibrium(game.with_delta(agreed.delta), formulation, config=config)
    agreement = agreed.agreement and (agreed.solution == "fixed" or eq.regime != "abstain")
    if not agreement:
        eq = OpennessEquilibrium("abstain", math.nan, game.alpha0, math.nan, agreed.delta, 0.0, 0.0, 0.0, 0.0,
                                 eq.regimes, eq.formulation, eq.proof)
    return eq, agreement


def _decide(game: OpennessGame, settings: dict[str, Any], request: Request,
            stage: str) -> tuple[Any, Any, bool, list[Stage]]:
    """δ by the file's bargaining solution (exact equilibria at every candidate δ), then the final SPE at that δ by
    the requested formulation, timed as its own stage: (bargaining outcome, SPE, agreement, stages)."""
    from ..formulations.openness.bargaining import bargain

    stages = []
    watch = Stopwatch()
    agreed = bargain(game, settings["solution"], weights=settings["weights"], grid=settings["grid"],
                     search=settings["search"], formulation="enumeration", pareto=stage == "equilibrium")
    if settings["solution"] != "fixed":
        level = Level.GLOBAL if agreed.search == "exact" else Level.LOCAL
        reasons = () if level is Level.GLOBAL else ("δ is the best point of a grid, refined locally",)
        kind = "closed_form" if agreed.search == "exact" else "grid"  # roots of the first-order condition
        stages.append(Stage(stage.replace("equilibrium", "bargaining"), kind, None,
                            Status.OPTIMAL if level is Level.GLOBAL else Status.LOCALLY_OPTIMAL,
                            Certificate(level, kind, {"search": agreed.search}, reasons), watch.elapsed))
    watch = Stopwatch()
    eq, agreement = final_equilibrium(game, agreed, str(request.formulation), request.config)
    status = Status.OPTIMAL if eq.certificate.is_global else Status.LOCALLY_OPTIMAL
    stages.append(Stage(stage, str(request.formulation), eq.backend, status, eq.certificate, watch.elapsed))
    return agreed, eq, agreement, stages


def revenue_share(game: OpennessGame, eq: Any) -> float | None:
    """G's share of revenue at the release, δ(ω, α1) (the contract's level for a constant share; None when G
    abstains or revenue is 0)."""
    if eq.regime == "abstain":
        return None
    total = float(game.revenue(eq.alpha1))
    to_g = float(game.contract.generalist_revenue(eq.omega, game.alpha0, eq.alpha1, eq.delta, game.revenue))
    return to_g / total if total > 0 else None


def _outcome(eq: Any, stages: list[Stage], total: float, **extras: Any) -> dict[str, Any]:
    return outcome(delta=[eq.delta], U_G=eq.U_G, U_D=[eq.U_D],
                   values={"regime": eq.regime, "omega": _finite(eq.omega), "alpha0": eq.alpha0,
                           "alpha1": _finite(eq.alpha1), "welfare": eq.welfare},
                   stages=stages, formulation=str(stages[-1].formulation),
                   total_s=total, main=len(stages) - 1, penalty_paid=eq.penalty_paid, regime_values=_regimes(eq),
                   **extras)


def _regulation(game: OpennessGame) -> dict[str, Any]:
    return {"theta": game.regulation.theta, "penalty": game.regulation.penalty,
            "penalty_is_transfer": game.regulation.penalty_is_transfer}


def solve_batch(file: GameFile, points: list[dict[str, float]],
                request: Request | None = None) -> list[dict[str, Any]]:
    """Evaluate many parameter points of one file (for ``ftgames sweep``): each point maps dotted keys
    (``regulation.theta``, ``model.alpha0``, ``model.fine_tuning_cost.lam``, ``bargaining.delta``...) to values.
    Rows are flat scalars: the point, regime, omega, alpha0, alpha1, delta, U_G, U_D, welfare, penalty_paid,
    compliance_loss, the unregulated omega/U_G/U_D and the effect of the regulation.  δ is chosen with the exact
    (enumeration) SPE at each share; a "kkt" formulation re-solves each point's final SPE as KKT programs."""
    request = request or FRONT_END.request(file)
    from ..formulations.openness.bargaining import bargain
    from ..formulations.openness.effects import classify, lever, mechanism
    from ..formulations.openness.equilibrium import compliance_loss

    base_data = normalized_data(file)
    form = str(request.formulation)
    cache: dict[Any, Any] = {}
    rows = []
    for point in points:
        data = copy.deepcopy(base_data)
        for key, value in point.items():
            set_dotted(data, key, value)
        game = game_from_data(data, file)
        settings = bargaining_settings(data, file)
        kwargs = {"weights": settings["weights"], "grid": settings["grid"], "pareto": False,
                  "search": settings["search"], "formulation": "enumeration"}
        regulated = bargain(game, settings["solution"], **kwargs)
        eq = regulated.equilibrium
        if form != "enumeration":  # δ was bargained with enumeration: its SPE is already the requested one
            eq = final_equilibrium(game, regulated, form, request.config)[0]
        key = (game.unregulated(), settings["solution"], settings["weights"], settings["grid"], settings["search"])
        if key not in cache:  # the unregulated outcome does not depend on (θ, p): once per other parameters
            free = bargain(game.unregulated(), settings["solution"], **kwargs)
            cache[key] = (free.equilibrium if form == "enumeration"
                          else final_equilibrium(game.unregulated(), free, form, request.config)[0])
        base = cache[key]
        explained = mechanism(game, eq, base)
        share = revenue_share(game, eq)
        rows.append({
            **point,
            "theta": game.regulation.theta, "penalty": game.regulation.penalty,
            "regime": eq.regime, "omega": eq.omega, "alpha0": eq.alpha0, "alpha1": eq.alpha1, "delta": eq.delta,
            "U_G": eq.U_G, "U_D": eq.U_D, "welfare": eq.welfare, "penalty_paid": eq.penalty_paid,
            "compliance_loss": compliance_loss(game.with_delta(regulated.delta)),
            "omega_unregulated": base.omega, "U_G_unregulated": base.U_G, "U_D_unregulated": base.U_D,
            "effect": classify(eq.U_G - base.U_G, eq.U_D - base.U_D),
            "change_U_G": eq.U_G - base.U_G, "change_U_D": eq.U_D - base.U_D,
            "channels": "+".join(explained["channels"]), "improvement_source": explained["source"] or "",
            "lever": lever(eq, base, game.regulation.theta),
            "revenue_share": math.nan if share is None else share,
            "certificate": str(eq.certificate.level), "formulation": form,
            "bargaining_search": regulated.search,
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
    (solution, record), = report["outcomes"].items()
    head = Table(title=f"openness-regulation game — {report['file']}", show_header=False)
    head.add_column("")
    head.add_column("")
    head.add_row("regulation", f"θ = {fmt(reg['theta'])}, p = {fmt(reg['penalty'])}")
    search = "".join(f" ({s['formulation']})" for s in record["stages"] if s["stage"] == "bargaining")
    head.add_row("bargaining", f"{solution}: δ (G's share) = {fmt(record['delta'][0])}{search}")
    head.add_row("formulation", f"{record['formulation']} (certificate: {record['certificate']['level']})")
    head.add_row("compliance loss", f"{fmt(report['compliance_loss'])} (G complies iff p ≥ this)")
    effect = report["effect"]
    how = ", ".join(effect["channels"]) or "nothing binds"
    source = f"; improvement from {effect['source']}" if effect["source"] else ""
    head.add_row("effect of regulation", f"{effect['effect']}: ΔU_G = {fmt(effect['change_U_G'])}, "
                 f"ΔU_D = {fmt(effect['change_U_D'])} (channels: {how}{source})")
    for kind, text in report["parameters"]["terms"].items():
        head.add_row(kind, text)
    table = Table(title="outcomes")
    for column in ("", "regime", "ω", "α1", "U_G", "U_D", "proof / certificate"):
        table.add_column(column)
    for label, out in (("equilibrium", record), ("unregulated", report["unregulated"])):
        table.add_row(label, out["regime"], fmt(out["omega"]), fmt(out["alpha1"]), fmt(out["U_G"]),
                      fmt(out["U_D"][0]), out["certificate"]["level"])
        if label == "equilibrium":
            for value in out["regime_values"]:
                if value["feasible"]:
                    table.add_row(f"  best if {value['regime']}", value["regime"], fmt(value["omega"]),
                                  fmt(value["alpha1"]), fmt(value["U_G"]), fmt(value["U_D"]), value["proof"])
    return Group(head, table)


def plot(file: GameFile, report: dict[str, Any], path: str) -> list[str]:
    """G's payoff over ω with the regimes, and the (θ, p) regime map with this file's definition marked."""
    from ..plots.openness import game_figure

    game, settings, _ = load_game(file)
    (record,) = report["outcomes"].values()
    game_figure(game.with_delta(record["delta"][0]), path)
    return [path]


class OpennessFrontEnd(FrontEnd):
    name = "openness_regulation"
    formulations = FORMULATIONS
    description = "an open-source definition (threshold θ, penalty p) and G's release decision (reconstructed)"

    def parse(self, file: GameFile) -> OpennessGame:
        return load_game(file)[0]

    def solve(self, file: GameFile, request: Request) -> dict[str, Any]:
        """The bargained (or fixed) δ, G's regime and ω, D's fine-tuning, utilities, the compliance loss (the
        comply/pay switching penalty at this θ) and the effect of the regulation against none."""
        from ..formulations.openness.effects import classify, lever, mechanism
        from ..formulations.openness.equilibrium import compliance_loss

        game, settings, _ = load_game(file)
        try:
            watch = Stopwatch()
            regulated, eq, agreement, stages = _decide(game, settings, request, "equilibrium")
            total = watch.elapsed  # the regulated outcome's wall clock, without the unregulated solve
            watch = Stopwatch()
            _, base, base_agreement, base_stages = _decide(game.unregulated(), settings, request,
                                                           "unregulated equilibrium")
            base_total = watch.elapsed
        except ValueError as exc:
            if "search='grid'" in str(exc):
                raise file.error("bargaining.search", str(exc)) from None
            raise
        front = regulated.pareto_deltas
        effect = classify(eq.U_G - base.U_G, eq.U_D - base.U_D)
        record = _outcome(eq, stages, total, solution=settings["solution"], agreement=agreement,
                          pareto_delta_range=[float(front.min()), float(front.max())] if len(front) else None,
                          revenue_share=revenue_share(game, eq))
        record["effect"] = effect
        return self.report(
            file, request, parameters={"terms": game.describe_terms(), "alpha0": game.alpha0,
                                       "regulation": _regulation(game)},
            outcomes={settings["solution"]: record},
            regulation=_regulation(game), compliance_loss=compliance_loss(game.with_delta(regulated.delta)),
            unregulated=_outcome(base, base_stages, base_total, agreement=base_agreement,
                                 revenue_share=revenue_share(game, base)),
            effect={"effect": effect, "change_U_G": eq.U_G - base.U_G, "change_U_D": eq.U_D - base.U_D,
                    "change_welfare": eq.welfare - base.welfare, **mechanism(game, eq, base),
                    "lever": lever(eq, base, game.regulation.theta)})

    solve_batch = staticmethod(solve_batch)
    render = staticmethod(render)
    plot = staticmethod(plot)


FRONT_END = OpennessFrontEnd()
