"""Front end of ``game = "fine_tuning"`` files: parse and validate, solve, render a table, draw the figures.

```toml
game = "fine_tuning"
exponent = 2                  # default cost exponent k > 1
[generalist]
cost = 1.0                    # c0 > 0;  optional: exponent, outside_option
[[specialists]]
cost = 2.0                    # c_i > 0; optional: revenue (1), exponent, marginal_cost, entry_cost,
revenue = 1.0                 #          outside_option, revenue_power (ρ in (0, 1])
[bargaining]
solutions = ["nash", "kalai_smorodinsky", "egalitarian", "utilitarian", "max_performance"]
# or: delta = [0.6]           (fixed shares, one per specialist: δ_i is G's share)
# optional: weights, disagreement (players G, D_1, .., D_n), aggregate = "mean" | "min"
[solve]
formulation = "closed_form"   # equilibrium: closed_form | enumeration | kkt[:sos1] | kkt:bigm | kkt:indicator |
solver = "scip"               #   kkt:product;  bargaining: conic[:log | :geo_mean] | vertices | single_level |
                              #   frontier | decomposition
[plot]                        # optional: the regime map's axes (specialist, x, y, x_range, y_range)
```
"""

from __future__ import annotations

import re
from typing import Any

from ..formulations.grammar import Formulation
from ..formulations.parametric import scoped_answer
from ..io.gamefile import GameFile, GameFileError
from ..models.costs import ModelError
from ..models.fine_tuning import FineTuningGame, Generalist, Specialist
from ..solvers import SolveConfig, Status
from .base import FrontEnd, Request, Stage, Stopwatch, outcome

TOP_KEYS = {"game", "exponent", "generalist", "specialists", "bargaining", "solve", "plot", "name", "description"}
GENERALIST_KEYS = {"cost", "exponent", "outside_option"}
SPECIALIST_KEYS = {"cost", "revenue", "exponent", "marginal_cost", "entry_cost", "outside_option", "revenue_power",
                   "name"}
BARGAINING_KEYS = {"solutions", "delta", "weights", "disagreement", "aggregate"}
PLOT_KEYS = {"specialist", "x", "y", "x_range", "y_range", "points"}
EQUILIBRIUM_FORMULATIONS = ("closed_form", "enumeration", "kkt:sos1", "kkt:bigm", "kkt:indicator", "kkt:product")
BARGAINING_FORMULATIONS = ("conic", "conic:log", "conic:geo_mean", "vertices", "single_level", "frontier",
                           "decomposition")
EQUILIBRIUM_KINDS = ("closed_form", "enumeration", "kkt")
BARGAINING_KINDS = ("conic", "vertices", "single_level", "frontier", "decomposition")
DEFAULT_SOLUTIONS = ["nash", "kalai_smorodinsky", "egalitarian", "utilitarian", "max_performance"]


# ------------------------------------------------------------------------------------------------ parsing
def _line_in_table(file: GameFile, header: str, index: int, key: str | None) -> int | None:
    """Line of ``key`` inside the ``index``-th ``[header]``/``[[header]]`` table (or of the header itself)."""
    lines = file.text.splitlines()
    head = re.compile(rf"^\s*\[\[?\s*{re.escape(header)}\s*\]\]?\s*(#.*)?$")
    other = re.compile(r"^\s*\[")
    seen = -1
    for number, line in enumerate(lines, start=1):
        if head.match(line):
            seen += 1
            if seen == index:
                if key is None:
                    return number
                for offset, inner in enumerate(lines[number:], start=number + 1):
                    if other.match(inner):
                        break
                    if re.match(rf"^\s*{re.escape(key)}\s*=", inner):
                        return offset
                return number
    return None


def _error(file: GameFile, dotted: str, message: str) -> GameFileError:
    match = re.fullmatch(r"(generalist|specialists|bargaining|solve|plot)(?:\[(\d+)\])?(?:\.(\w+))?", dotted)
    if match:
        line = _line_in_table(file, match.group(1), int(match.group(2) or 0), match.group(3))
        if line is not None:
            return GameFileError(f"{file.path}, line {line}: {dotted}: {message}")
    return file.error(dotted, message)


def _formulation_error(file: GameFile, request: Request, message: str) -> GameFileError:
    """An error of the requested formulation, naming where it was chosen: the flag, the file's key or the default."""
    source = request.formulation_source
    if source.startswith("--") or source.startswith("keyword"):
        return GameFileError(f"{file.path}: {source} {str(request.formulation)!r}: {message}")
    if "solve.formulation" in source:
        return _error(file, "solve.formulation", message)
    return _error(file, "specialists", f"{message} (formulation {str(request.formulation)!r}, the game's default)")


def _model_error(file: GameFile, exc: ModelError) -> GameFileError:
    text = str(exc)
    key = text.split(" ", 1)[0]
    key = {"specialist.cost": "specialists"}.get(key, key)
    return _error(file, key, text.split(" ", 1)[1] if " " in text else text)


def _table(file: GameFile, key: str, required: bool = False) -> dict[str, Any]:
    value = file.data.get(key)
    if value is None:
        if required:
            raise _error(file, key, f"missing [{key}] table")
        return {}
    if not isinstance(value, dict):
        raise _error(file, key, f"must be a table [{key}], got {type(value).__name__}")
    return value


def _unknown(file: GameFile, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise _error(file, f"{where}.{extra[0]}" if where else extra[0],
                     f"unknown key; valid keys: {', '.join(sorted(allowed))}")


def _number(file: GameFile, where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _error(file, where, f"must be a number, got {value!r}")
    return float(value)


def parse_game(file: GameFile) -> FineTuningGame:
    """The :class:`FineTuningGame` described by ``file`` (errors name the key and its line)."""
    data = file.data
    _unknown(file, "", data, TOP_KEYS)
    gen = _table(file, "generalist", required=True)
    _unknown(file, "generalist", gen, GENERALIST_KEYS)
    if "cost" not in gen:
        raise _error(file, "generalist", "missing key 'cost' (c0 > 0)")
    specs = data.get("specialists")
    if not isinstance(specs, list) or not specs or not all(isinstance(s, dict) for s in specs):
        raise _error(file, "specialists", "needs at least one [[specialists]] table with a 'cost'")
    try:
        exponent = _number(file, "exponent", data.get("exponent", 2.0))
        generalist = Generalist(**{k: _number(file, f"generalist.{k}", v) for k, v in gen.items()})
        built = []
        for i, s in enumerate(specs):
            _unknown(file, f"specialists[{i}]", s, SPECIALIST_KEYS)
            if "cost" not in s:
                raise _error(file, f"specialists[{i}]", "missing key 'cost' (c_i > 0)")
            values = {k: _number(file, f"specialists[{i}].{k}", v) for k, v in s.items() if k != "name"}
            built.append(Specialist(label=f"specialists[{i}]", **values))
        return FineTuningGame(generalist, tuple(built), exponent)
    except ModelError as exc:
        raise _model_error(file, exc) from None


def _vector(file: GameFile, key: str, value: Any, size: int) -> list[float]:
    if not isinstance(value, list) or len(value) != size:
        raise _error(file, f"bargaining.{key}", f"must be a list of {size} numbers")
    return [_number(file, f"bargaining.{key}", v) for v in value]


# ------------------------------------------------------------------------------------------------ solving
def _equilibrium_stage(game: FineTuningGame, delta: Any, form: Formulation,
                       config: SolveConfig) -> tuple[Any, Stage]:
    """The investment stage at ``delta`` by ``form`` (the exact default when ``form`` names a bargaining program)."""
    from ..formulations.equilibrium import default_formulation, solve_equilibrium

    clipped = [min(max(float(d), 0.0), 1.0) for d in delta]
    name = str(form) if form.kind in EQUILIBRIUM_KINDS else default_formulation(game)
    watch = Stopwatch()
    eq = solve_equilibrium(game, clipped, name, config=config)
    return eq, Stage("equilibrium", name, eq.backend, Status(eq.status), eq.certificate, watch.elapsed,
                     eq.build_time)


def _bargaining_stage(game: FineTuningGame, name: str, form: Formulation, config: SolveConfig,
                      options: dict[str, Any]) -> tuple[Any, Stage]:
    from ..formulations.bargaining import bargain

    watch = Stopwatch()
    outcome = bargain(game, name, formulation=str(form) if form.kind in BARGAINING_KINDS else None, config=config,
                      **options)
    return outcome, Stage("bargaining", outcome.formulation, outcome.backend, Status(outcome.status),
                          outcome.certificate, watch.elapsed)


def _outcome(eq: Any, stages: list[Stage], main: int, total: float, **extras: Any) -> dict[str, Any]:
    return outcome(delta=list(eq.delta), U_G=eq.U_G, U_D=list(eq.U_D),
                   values={"alpha0": eq.alpha0, "alpha": list(eq.alpha), "regimes": [str(r) for r in eq.regimes]},
                   stages=stages, formulation=stages[main].formulation, total_s=total, main=main, **extras)


def pareto_set_report(game: FineTuningGame) -> dict[str, Any]:
    """Pareto set of δ: exact ends [argmax U_D, argmax U_G] (conic) for one quadratic specialist, else the
    components of a sampled set (intervals for one specialist; for several, each component's sample count and its
    projection on every δ_i), with ``pareto``: whether the description is exact, how membership is decided, the
    sample's size and the projections of the whole set."""
    from ..formulations.bargaining import bargain, pareto_set
    from ..formulations.bargaining.pareto import EXACT_METHOD, exact_test_applies

    if game.n == 1 and game.is_quadratic:
        low = bargain(game, "specialist_optimal").delta[0]
        high = bargain(game, "generalist_optimal").delta[0]
        return {"components": [[low, high]], "method": "exact: conic argmax U_D and argmax U_G",
                "pareto": {"exact": True, "membership": EXACT_METHOD, "projections": [[[low, high]]]}}
    try:
        pareto = pareto_set(game)
    except ModelError as exc:  # too many specialists for a sampled grid: say so instead of failing the solve
        reason = exact_test_applies(game)
        return {"components": [], "method": f"not computed: {exc}",
                "pareto": {"exact": False, "membership": "not computed" if reason else
                           f"{EXACT_METHOD} (ftgames.formulations.bargaining.pareto.dominated_by_search)",
                           "projections": None}}
    described = pareto.to_dict()
    extra = {key: described[key] for key in ("exact", "membership", "resolution", "sampled",
                                             "nondominated_samples", "projections")}
    if game.n == 1:
        return {"components": pareto.intervals(), "method": f"{pareto.method} (resolution {pareto.resolution:.1e})",
                "pareto": extra}
    return {"components": [{"samples": c["samples"], "of": described["sampled"], "projections": c["projections"]}
                           for c in described["components"]],
            "method": pareto.method, "pareto": extra}


def first_best_report(game: FineTuningGame) -> dict[str, Any]:
    """The first best and the efficiency of the best contract (the utilitarian bargain); when either is beyond
    the exact methods' size limits (many specialists with entry decisions), every number is null and ``method``
    says why."""
    from ..formulations.bargaining import bargain, first_best

    try:
        fb = first_best(game)
        contract = bargain(game, "utilitarian")
    except ModelError as exc:
        return {"alpha0": None, "alpha": None, "participating": None, "surplus": None, "efficiency_ratio": None,
                "best_contract_surplus": None, "method": f"not computed: {exc}", "is_global": False}
    first = fb.to_dict(contract.equilibrium.total_surplus)
    first["best_contract_surplus"] = contract.equilibrium.total_surplus
    return first


def _parameters(game: FineTuningGame) -> dict[str, Any]:
    return {"exponent": game.exponent,
            "generalist": {"cost": game.generalist.cost, "exponent": game.generalist_cost.exponent},
            "specialists": [{"cost": s.cost, "revenue": s.revenue, "exponent": c.exponent,
                             "marginal_cost": s.marginal_cost, "entry_cost": s.entry_cost,
                             "revenue_power": s.revenue_power}
                            for s, c in zip(game.specialists, game.specialist_costs, strict=True)]}


# ------------------------------------------------------------------------------------------------ output
def render(report: dict[str, Any]) -> Any:
    from rich.console import Group
    from rich.table import Table

    def fmt(x: Any) -> str:
        if isinstance(x, list):
            return ", ".join(fmt(v) for v in x)
        return f"{x:.6g}" if isinstance(x, float) else str(x)

    n = len(report["parameters"]["specialists"])
    table = Table(title=f"fine-tuning game: {n} specialist(s), δ = G's share "
                        f"[formulation {report['request']['formulation']}]")
    for col in ("solution", "δ", "α0", "α", "U_G", "U_D", "regimes", "certificate", "method"):
        table.add_column(col, justify="right" if col not in ("solution", "regimes", "method") else "left")
    for name, out in report["outcomes"].items():
        method = " → ".join(f"{s['formulation']}" + (f" ({s['backend']})" if s["backend"] else "")
                            for s in out["stages"])
        table.add_row(name, fmt(out["delta"]), fmt(out["alpha0"]), fmt(out["alpha"]), fmt(out["U_G"]),
                      fmt(out["U_D"]), fmt(out["regimes"]), out["certificate"]["level"], method)
    fb = report["first_best"]
    lines = [table]
    lines.extend(_pareto_lines(report))
    lines.append(f"first best (integrated firm): α0 = {fmt(fb['alpha0'])}, α = {fmt(fb['alpha'])}, surplus = "
                 f"{fmt(fb['surplus'])}; best contract / first best = {fmt(fb.get('efficiency_ratio'))}")
    return Group(*lines)


def _pareto_lines(report: dict[str, Any]) -> list[str]:
    """The Pareto set in words: intervals (one specialist), or per component its share of the sample and its
    projection on each δ_i; then whether it is exact and how membership is decided."""
    pareto = report["pareto_set"]
    about = report.get("pareto") or {}

    def union(intervals: list[list[float]]) -> str:
        return " ∪ ".join(f"[{a:.4g}, {b:.4g}]" for a, b in intervals)

    if pareto and isinstance(pareto[0], list):
        lines = [f"Pareto set of δ ({len(pareto)} component(s)): {union(pareto)}"]
    elif pareto:
        lines = [f"Pareto set of δ ({len(pareto)} component(s), sampled, not exact):"]
        for number, c in enumerate(pareto, start=1):
            where = "; ".join(f"δ{i + 1} ∈ {union(p)}" for i, p in enumerate(c["projections"]))
            lines.append(f"  component {number}: {c['samples']:,} of {c['of']:,} sampled δ "
                         f"({100 * c['samples'] / c['of']:.0f} %) dominated by no other sample; projections {where}")
    else:
        lines = [f"Pareto set of δ: {report.get('pareto_method', '')}"]
    if pareto:
        lines.append(f"  how: {report.get('pareto_method', '')}")
    if about.get("membership"):
        lines.append(f"  membership test (ftgames.formulations.bargaining.pareto_set(game).contains): "
                     f"{about['membership']}")
    return lines


def plot(file: GameFile, report: dict[str, Any], path: str) -> list[str]:
    """Utility frontier with every outcome marked (``path``), the regime map of one specialist
    (``<stem>-regimes.png``) and, for two or three specialists, the Pareto set (``<stem>-pareto.png``: the set in
    the δ plane and the frontier in utility space; or frontier slices at levels of U_G)."""
    from ..formulations.bargaining import pareto_set
    from ..plots.fine_tuning import pareto_path, plot_frontier, plot_pareto, plot_regime_map, regime_path

    game = parse_game(file)
    options = _table(file, "plot")
    plot_frontier(game, report, path)
    second = regime_path(path)
    try:
        plot_regime_map(game, second, **options)
    except (ModelError, ValueError) as exc:
        raise _error(file, "plot", str(exc)) from None
    paths = [path, second]
    if game.n in (2, 3):
        try:
            pareto = pareto_set(game)
        except ModelError:  # beyond the sampled grid's limit: the report says "not computed"
            return paths
        paths.append(plot_pareto(pareto, pareto_path(path), report.get("outcomes")))
    return paths


class FineTuningFrontEnd(FrontEnd):
    name = "fine_tuning"
    formulations = EQUILIBRIUM_FORMULATIONS + BARGAINING_FORMULATIONS
    description = "one generalist, n specialists, revenue shares bargained or fixed"

    def default_formulation(self, file: GameFile) -> str:
        from ..formulations.equilibrium import default_formulation

        return default_formulation(self.parse(file))  # closed form where it applies, else enumeration

    def parse(self, file: GameFile) -> FineTuningGame:
        return parse_game(file)

    def solve(self, file: GameFile, request: Request) -> dict[str, Any]:
        """Every outcome the file asks for (``fixed`` shares or each bargaining solution), the Pareto set of δ and
        the first best."""
        from ..formulations.bargaining import SOLUTIONS, canonical
        from ..formulations.bargaining.solutions import ALIASES

        game = parse_game(file)
        bargaining = _table(file, "bargaining")
        _unknown(file, "bargaining", bargaining, BARGAINING_KEYS)
        _unknown(file, "plot", _table(file, "plot"), PLOT_KEYS)
        form = request.formulation
        on_bargaining = form.kind in BARGAINING_KINDS
        players = game.n + 1
        options = {
            "weights": _vector(file, "weights", bargaining["weights"], players) if "weights" in bargaining else None,
            "disagreement": (_vector(file, "disagreement", bargaining["disagreement"], players)
                             if "disagreement" in bargaining else None),
            "aggregate": bargaining.get("aggregate", "mean"),
        }
        if options["aggregate"] not in ("mean", "min"):
            raise _error(file, "bargaining.aggregate", f"must be 'mean' or 'min', got {options['aggregate']!r}")
        outcomes: dict[str, Any] = {}
        try:
            if "delta" in bargaining:
                if "solutions" in bargaining:
                    raise _error(file, "bargaining.delta", "give either 'delta' (fixed shares) or 'solutions', "
                                 "not both")
                if on_bargaining:
                    raise _error(file, "solve.formulation", f"{str(form)!r} is a bargaining formulation, but the "
                                 "file fixes the shares (bargaining.delta); use an equilibrium formulation: "
                                 f"{', '.join(EQUILIBRIUM_FORMULATIONS)}")
                delta = _vector(file, "delta", bargaining["delta"], game.n)
                try:
                    game.check_delta(delta)
                except ModelError as exc:
                    raise _error(file, "bargaining.delta", str(exc)) from None
                watch = Stopwatch()
                eq, stage = _equilibrium_stage(game, delta, form, request.config)
                outcomes["fixed"] = _outcome(eq, [stage], 0, watch.elapsed)
            else:
                names = bargaining.get("solutions", DEFAULT_SOLUTIONS)
                if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                    raise _error(file, "bargaining.solutions", "must be a list of solution names")
                for name in names:
                    if name not in SOLUTIONS and name not in ALIASES:
                        raise _error(file, "bargaining.solutions", f"unknown solution {name!r}; valid: "
                                     f"{', '.join(SOLUTIONS + tuple(ALIASES))}")
                for name in names:
                    watch = Stopwatch()
                    try:
                        agreed, b_stage = _bargaining_stage(game, name, form, request.stage_config(on_bargaining),
                                                            options)
                    except ModelError as exc:
                        if on_bargaining:
                            raise _formulation_error(file, request, str(exc)) from None
                        raise _error(file, "bargaining.solutions", f"{name!r}: {exc}") from None
                    eq, e_stage = _equilibrium_stage(game, agreed.delta, form, request.stage_config(not on_bargaining))
                    outcomes[name] = _outcome(eq, [b_stage, e_stage], 0 if on_bargaining else 1, watch.elapsed,
                                              solution=canonical(name), objective=agreed.objective,
                                              contract_labels=list(agreed.labels))
            # neither depends on the shares: a sweep over δ computes them once per worker (reuse_programs)
            pareto = scoped_answer(("pareto_set_report", game), lambda: pareto_set_report(game))
            first = scoped_answer(("first_best_report", game), lambda: first_best_report(game))
        except ModelError as exc:
            raise _formulation_error(file, request, str(exc)) from None
        return self.report(file, request, parameters=_parameters(game), outcomes=outcomes,
                           convention="delta_i is the generalist's (G's) revenue share of domain i",
                           pareto_set=pareto["components"], pareto_method=pareto["method"],
                           pareto=pareto["pareto"], first_best=first)

    render = staticmethod(render)
    plot = staticmethod(plot)


FRONT_END = FineTuningFrontEnd()
