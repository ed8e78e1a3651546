"""Front end of ``game = "safety_regulation"`` files: parse and validate, solve, batch-solve for sweeps, render, plot.

File layout::

    game = "safety_regulation"
    [generalist]      cost = [[1, 0], [0, 1]]                      C0 (symmetric positive definite; or the table
                                                                    {aa = 1, ab = 0.1, bb = 1}, whose cross term ab
                                                                    can be swept as one key)
    [[specialists]]   cost = [[1, 0], [0, 1]], revenue = [1, 1]    one table per specialist (optional theta_D,
                                                                    delta overriding the shared ones)
    [regulation]      theta_G = 0.0, theta_D = 0.4                  θD: a number or one per specialist
    [bargaining]      delta = [0.5]                                 G's share (number or one per specialist), or
                      solutions = ["utilitarian", "nash", "egalitarian"]   δ bargained (common to all specialists)
    [solve]           formulation = "enumeration" (exact, default) | "kkt[:sos1]" | "kkt:indicator" | "kkt:bigm" |
                      "kkt:product" (bilevel layer; SCIP global, Ipopt local), solver, time_limit,
                      tolerance_classification = 1e-6
"""

from __future__ import annotations

import copy
import re
from typing import Any

import numpy as np

from ..formulations.grammar import Formulation
from ..formulations.safety.classify import CLASSIFICATION_TOL
from ..io.gamefile import GameFile, GameFileError, set_dotted
from ..models.costs import ModelError
from ..models.outcomes import Certificate, Level
from ..models.safety import SafetyEquilibrium, SafetyGame, Specialist
from ..solvers import SolveConfig, Status
from .base import FrontEnd, Request, Stage, Stopwatch, outcome

TOP_KEYS = {"game", "title", "description", "generalist", "specialists", "regulation", "bargaining", "solve", "plot",
            "figures"}
SPECIALIST_KEYS = {"cost", "revenue", "theta_D", "delta", "name"}
FORMULATIONS = ("enumeration", "kkt:sos1", "kkt:indicator", "kkt:bigm", "kkt:product")
#: The unregulated game every outcome is classified against is solved exactly, whatever the requested formulation:
#: it is the reference of the labels (backfiring, mutualism), and one reference makes them formulation-independent.
REFERENCE = Formulation("enumeration")
#: Point keys the batch solver applies directly to arrays (anything else re-parses the file per point).
FAST_KEYS = {"regulation.theta_G", "regulation.theta_D", "bargaining.delta"}


# ----------------------------------------------------------------------------------------------- parsing
def normalized_data(data: dict[str, Any], file: GameFile | None = None) -> dict[str, Any]:
    """The file's tables with defaults written out (θG = θD = 0, δ = 0.5), so every parameter can be swept."""

    def fail(key: str, message: str) -> GameFileError:
        return file.error(key, message) if file is not None else GameFileError(f"{key}: {message}")

    data = copy.deepcopy(data)
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key; valid top-level keys: {', '.join(sorted(TOP_KEYS))}")
    if "generalist" not in data or "cost" not in data.get("generalist", {}):
        raise fail("generalist", "a [generalist] table with cost = [[c_aa, c_ab], [c_ab, c_bb]] is required")
    specialists = data.get("specialists")
    if not isinstance(specialists, list) or not specialists:
        raise fail("specialists", "at least one [[specialists]] table with cost and revenue is required")
    for i, s in enumerate(specialists):
        bad = sorted(set(s) - SPECIALIST_KEYS)
        if bad:
            raise fail(f"specialists[{i}].{bad[0]}", f"unknown key; valid: {', '.join(sorted(SPECIALIST_KEYS))}")
        for key in ("cost", "revenue"):
            if key not in s:
                raise fail(f"specialists[{i}].{key}", "required")
    reg = data.setdefault("regulation", {})
    bad = sorted(set(reg) - {"theta_G", "theta_D"})
    if bad:
        raise fail(f"regulation.{bad[0]}", "unknown key; valid: theta_G, theta_D")
    reg.setdefault("theta_G", 0.0)
    reg.setdefault("theta_D", 0.0)
    barg = data.setdefault("bargaining", {})
    bad = sorted(set(barg) - {"delta", "solutions"})
    if bad:
        raise fail(f"bargaining.{bad[0]}", "unknown key; valid: delta, solutions")
    barg.setdefault("delta", 0.5)
    data.setdefault("solve", {})
    return data


def _per_specialist(value: Any, n: int, key: str, fail: Any) -> list[Any]:
    if isinstance(value, list):
        if len(value) == 1:
            return value * n
        if len(value) != n:
            raise fail(key, f"give one value or one per specialist ({n}), got {len(value)}")
        return value
    return [value] * n


def _error(file: GameFile | None, key: str, message: str) -> GameFileError:
    """A GameFileError naming ``key`` and its line; ``specialists[i].x`` is looked up in the i-th table."""
    if file is None:
        return GameFileError(f"{key}: {message}")
    match = re.fullmatch(r"specialists\[(\d+)\]\.(\w+).*", key)
    if match:
        index, name = int(match.group(1)), match.group(2)
        seen = -1
        for number, line in enumerate(file.text.splitlines(), start=1):
            if re.match(r"^\s*\[\[\s*specialists\s*\]\]", line):
                seen += 1
            elif seen == index and re.match(rf"^\s*{name}\s*=", line):
                return GameFileError(f"{file.path}, line {number}: {key}: {message}")
    return file.error(key, message)


def cost_value(value: Any) -> Any:
    """A cost given as a table {aa, ab, bb} (sweepable cross term) → the symmetric matrix; a list passes."""
    if isinstance(value, dict):
        unknown = set(value) - {"aa", "ab", "bb"}
        if unknown or not {"aa", "bb"} <= set(value):
            raise ModelError(f"a cost table needs keys aa, bb (and optionally ab), got {sorted(value)}")
        ab = value.get("ab", 0.0)
        return [[value["aa"], ab], [ab, value["bb"]]]
    return value


def game_from_data(data: dict[str, Any], file: GameFile | None = None) -> SafetyGame:
    """Build and validate the game (errors name the game-file key and its line)."""

    def fail(key: str, message: str) -> GameFileError:
        return _error(file, key, message)

    specs = data["specialists"]
    n = len(specs)
    theta_d = _per_specialist(data["regulation"]["theta_D"], n, "regulation.theta_D", fail)
    deltas = _per_specialist(data["bargaining"]["delta"], n, "bargaining.delta", fail)
    built = []
    for i, s in enumerate(specs):
        key = f"specialists[{i}]"
        try:
            built.append(Specialist(cost=cost_value(s["cost"]), revenue=s["revenue"], delta=s.get("delta", deltas[i]),
                                    theta_D=s.get("theta_D", theta_d[i]), name=s.get("name", f"D{i + 1}")))
        except ModelError as exc:
            words = str(exc).split()
            field = words[1] if len(words) > 1 and words[1] in ("cost", "revenue", "delta", "theta_D") else "cost"
            if field == "theta_D" and "theta_D" not in s:
                raise fail("regulation.theta_D", str(exc)) from None
            if field == "delta" and "delta" not in s:
                raise fail("bargaining.delta", str(exc)) from None
            raise fail(f"{key}.{field}", str(exc)) from None
    try:
        return SafetyGame(cost_value(data["generalist"]["cost"]), tuple(built), theta_G=data["regulation"]["theta_G"])
    except ModelError as exc:
        key = "regulation.theta_G" if "theta_G" in str(exc) else "generalist.cost"
        raise fail(key, str(exc)) from None


def load_game(file: GameFile) -> tuple[SafetyGame, dict[str, Any]]:
    data = normalized_data(file.data, file)
    return game_from_data(data, file), data


def _solutions(data: dict[str, Any], file: GameFile | None) -> list[str]:
    from ..formulations.safety.bargaining import rule_name

    names = data["bargaining"].get("solutions")
    if names is None:
        return []
    if isinstance(names, str):
        names = [names]
    try:
        return [rule_name(s) for s in names]
    except ModelError as exc:
        if file is not None:
            raise file.error("bargaining.solutions", str(exc)) from None
        raise


# ----------------------------------------------------------------------------------------------- solving
def _solve_one(game: SafetyGame, form: Formulation, config: SolveConfig, stage: str) -> tuple[SafetyEquilibrium,
                                                                                               Stage]:
    watch = Stopwatch()
    if form.kind == "enumeration":
        from ..formulations.safety.enumeration import solve_enumeration

        eq = solve_enumeration(game)
    else:
        from ..formulations.safety.kkt import solve_kkt

        eq = solve_kkt(game, encoding=form.encoding, config=config)
    return eq, Stage(stage, str(form), eq.backend, Status(eq.status), eq.certificate, watch.elapsed, eq.build_time)



def _classification(eq: SafetyEquilibrium, anarchy: SafetyEquilibrium, tol: float) -> dict[str, Any]:
    from ..formulations.safety.classify import classify_arrays, regime_names

    def arrays(e: SafetyEquilibrium) -> dict[str, np.ndarray]:
        return {"beta": e.gamma[None, :, 1], "participates": e.participates[None], "abstain": np.array([e.abstain]),
                "U_G": np.array([e.U_G]), "U_D": e.U_D[None]}

    flags = classify_arrays(arrays(eq), arrays(anarchy), tol)
    return {"regime": str(regime_names(flags["regime_code"])[0]), "abstain": bool(flags["abstain"][0]),
            "backfiring": bool(flags["backfiring"][0]), "mutualism": bool(flags["mutualism"][0]), "tolerance": tol}


def equilibrium_outcome(game: SafetyGame, eq: SafetyEquilibrium, anarchy: SafetyEquilibrium, tol: float,
                        stages: list[Stage], total: float, main: int = 0, **extras: Any) -> dict[str, Any]:
    """One outcome: δ, γ0 = [α0, β0], γ = [[α_i, β_i]], U_G, U_D, the classification against the unregulated game
    (same δ rule), and the stages that produced them."""
    return outcome(
        delta=[float(d) for d in game.deltas],
        U_G=float(eq.U_G), U_D=[float(u) for u in eq.U_D],
        values={"gamma0": None if eq.abstain else [float(v) for v in eq.gamma0],
                "gamma": [None if not p else [float(v) for v in g]
                          for g, p in zip(eq.gamma, eq.participates, strict=True)],
                "participates": [bool(p) for p in eq.participates], "abstain": bool(eq.abstain),
                "classification": _classification(eq, anarchy, tol)},
        stages=stages, formulation=stages[main].formulation,
        total_s=total, main=main,
        anarchy={"U_G": float(anarchy.U_G), "U_D": [float(u) for u in anarchy.U_D],
                 "safety": [float(b) for b in anarchy.safety], "abstain": bool(anarchy.abstain)},
        **extras)


def fixed_outcome(game: SafetyGame, form: Formulation, config: SolveConfig, tol: float) -> dict[str, Any]:
    """The outcome at the game's own shares: its equilibrium by ``form``, classified against the exact unregulated
    equilibrium."""
    watch = Stopwatch()
    eq, stage = _solve_one(game, form, config, "equilibrium")
    anarchy, free_stage = _solve_one(game.unregulated(), REFERENCE, config, "unregulated equilibrium")
    return equilibrium_outcome(game, eq, anarchy, tol, [stage, free_stage], watch.elapsed)


def _bargaining_stage(game: SafetyGame, rule: str, stage: str) -> tuple[Any, Stage]:
    from ..formulations.safety.bargaining import bargain

    watch = Stopwatch()
    agreed = bargain(game, rule)
    certificate = Certificate(Level.LOCAL, "grid", {"grid_points": 98, "refined": True},
                              ("δ is the best of an exact grid, refined by golden section: global up to the grid's "
                               "resolution where U(δ) jumps",))
    return agreed, Stage(stage, "grid", None, Status.LOCALLY_OPTIMAL, certificate, watch.elapsed)


def _parameters(game: SafetyGame) -> dict[str, Any]:
    return {"generalist": {"cost": game.generalist_cost.tolist()},
            "specialists": [{"name": s.name, "cost": s.cost.tolist(), "revenue": s.revenue.tolist(),
                             "delta": s.delta, "theta_D": s.theta_D} for s in game.specialists],
            "regulation": {"theta_G": game.theta_G, "theta_D": [float(t) for t in game.theta_D]}}


def solve_batch(file: GameFile, points: list[dict[str, float]],
                request: Request | None = None) -> list[dict[str, Any]]:
    """Sweep hook: one flat row per point (dotted game-file keys → values), solved in bulk by the exact batched
    enumeration (the "kkt" formulations solve each point separately).  Rows: delta, alpha0, beta0, alpha_i, beta_i,
    U_G, U_D_i, participates_i, abstain, backfiring, mutualism, classification, status, certificate."""
    request = request or FRONT_END.request(file)
    base_data = normalized_data(file.data, file)
    tol = request.extras["tolerance_classification"]
    form = request.formulation
    solutions = _solutions(base_data, file)
    if not points:
        return []
    exact = form.kind == "enumeration"
    if exact and not solutions and all(set(p) <= FAST_KEYS for p in points):
        return _rows_fast(game_from_data(base_data, file), base_data, points, tol)
    theta_keys = {"regulation.theta_G", "regulation.theta_D"}
    if (exact and solutions and all(set(p) <= theta_keys for p in points)
            and not any("theta_D" in s for s in base_data["specialists"])):
        return _rows_bargained_fast(game_from_data(base_data, file), points, solutions, tol)
    games = [_point_game(base_data, p, file) for p in points]
    if not exact:
        return [_row_from_outcome(fixed_outcome(game, form, request.config, tol)) for game in games]
    if not solutions:
        return _rows_fixed(games, tol)
    rows = [{} for _ in games]
    for rule in solutions:
        prefix = "" if len(solutions) == 1 else f"{rule}."
        for row, r in zip(rows, _rows_bargained(games, rule, tol), strict=True):
            row.update({prefix + k: v for k, v in r.items()})
    return rows


def _rows_fast(base: SafetyGame, data: dict[str, Any], points: list[dict[str, float]], tol: float
               ) -> list[dict[str, Any]]:
    """Points that change only θG, the shared θD or the shared δ: arrays built directly from the base game
    (a specialist's own theta_D / delta in its table still overrides the shared value, as in the file)."""
    from ..formulations.safety.classify import classify_arrays
    from ..formulations.safety.enumeration import GameArrays, solve_arrays

    n, N = base.n, len(points)
    own_theta = np.array(["theta_D" in s for s in data["specialists"]])
    own_delta = np.array(["delta" in s for s in data["specialists"]])

    def column(key: str, default: np.ndarray, own: np.ndarray) -> np.ndarray:
        shared = np.array([float(p.get(key, np.nan)) for p in points])
        values = np.where(np.isnan(shared)[:, None] | own[None, :], default[None, :], shared[:, None])
        return values

    theta_g = np.array([float(p.get("regulation.theta_G", base.theta_G)) for p in points])
    theta_d = column("regulation.theta_D", base.theta_D, own_theta)
    delta = column("bargaining.delta", base.deltas, own_delta)
    if np.any(theta_g < 0) or np.any(theta_d < 0):
        raise GameFileError("regulation.theta_G / regulation.theta_D: must be >= 0 at every point")
    if np.any((delta < 0) | (delta > 1)):
        raise GameFileError("bargaining.delta: G's share must be in [0, 1] at every point")
    costs = np.array([s.cost for s in base.specialists])
    revenues = np.array([s.revenue for s in base.specialists])
    arrays = GameArrays(np.broadcast_to(base.generalist_cost, (N, 2, 2)), np.broadcast_to(costs, (N, n, 2, 2)),
                        np.broadcast_to(revenues, (N, n, 2)), delta, theta_g, theta_d)
    res = solve_arrays(arrays)
    unique, index = np.unique(delta, axis=0, return_inverse=True)
    free = GameArrays(np.broadcast_to(base.generalist_cost, (len(unique), 2, 2)),
                      np.broadcast_to(costs, (len(unique), n, 2, 2)), np.broadcast_to(revenues, (len(unique), n, 2)),
                      unique, np.zeros(len(unique)), np.zeros((len(unique), n)))
    anarchy = {k: v[index.reshape(-1)] for k, v in solve_arrays(free).items()}
    return _rows(res, classify_arrays(res, anarchy, tol), delta)


def _point_game(base: dict[str, Any], point: dict[str, float], file: GameFile) -> SafetyGame:
    data = base if not point else copy.deepcopy(base)
    for key, value in point.items():
        set_dotted(data, key, value)
    return game_from_data(data, file)


def _batch(games: list[SafetyGame]) -> dict[str, np.ndarray]:
    from ..formulations.safety.enumeration import GameArrays, solve_arrays

    return solve_arrays(GameArrays.from_games(games))


def _rows_fixed(games: list[SafetyGame], tol: float) -> list[dict[str, Any]]:
    from ..formulations.safety.classify import classify_arrays

    res = _batch(games)
    keys = [_anarchy_key(g) for g in games]
    unique = {k: i for i, k in enumerate(keys)}
    anarchy_games = [games[i].unregulated() for i in unique.values()]
    anarchy = _batch(anarchy_games)
    index = np.array([list(unique).index(k) for k in keys]) if len(unique) > 1 else np.zeros(len(games), int)
    anarchy = {k: v[index] for k, v in anarchy.items()}
    flags = classify_arrays(res, anarchy, tol)
    deltas = np.array([g.deltas for g in games])
    return _rows(res, flags, deltas)


def _anarchy_key(game: SafetyGame) -> tuple:
    return (game.generalist_cost.tobytes(), tuple((s.cost.tobytes(), s.revenue.tobytes(), s.delta)
                                                  for s in game.specialists))


def _rows_bargained_fast(base: SafetyGame, points: list[dict[str, float]], solutions: list[str], tol: float
                         ) -> list[dict[str, Any]]:
    """Bargained δ at points that change only θG and the shared θD: one batched grid solve per rule."""
    from ..formulations.safety.bargaining import bargain_grid
    from ..formulations.safety.classify import classify_arrays

    theta_g = np.array([float(p.get("regulation.theta_G", base.theta_G)) for p in points])
    theta_d = np.array([float(p.get("regulation.theta_D", base.theta_D[0])) for p in points])
    if np.any(theta_g < 0) or np.any(theta_d < 0):
        raise GameFileError("regulation.theta_G / regulation.theta_D: must be >= 0 at every point")
    rows: list[dict[str, Any]] = [{} for _ in points]
    for rule in solutions:
        reg = bargain_grid(base, rule, theta_g, theta_d)
        free = bargain_grid(base, rule, np.zeros(1), np.zeros(1))
        flags = classify_arrays(reg, {k: v[0] for k, v in free.items()}, tol)
        prefix = "" if len(solutions) == 1 else f"{rule}."
        for row, r in zip(rows, _rows(reg, flags, np.repeat(reg["delta"][:, None], base.n, axis=1)), strict=True):
            row.update({prefix + k: v for k, v in r.items()})
    return rows


def _rows_bargained(games: list[SafetyGame], rule: str, tol: float) -> list[dict[str, Any]]:
    from ..formulations.safety.bargaining import bargain_grid
    from ..formulations.safety.classify import classify_arrays

    out = []
    for game in games:
        reg = bargain_grid(game, rule, np.array([game.theta_G]), np.array([game.theta_D[0]]))
        free = bargain_grid(game, rule, np.array([0.0]), np.array([0.0]))
        flags = classify_arrays(reg, free, tol)
        out.extend(_rows(reg, flags, np.repeat(reg["delta"][:, None], game.n, axis=1)))
    return out


def _rows(res: dict[str, np.ndarray], flags: dict[str, np.ndarray], deltas: np.ndarray) -> list[dict[str, Any]]:
    from ..formulations.safety.classify import regime_names

    names = regime_names(flags["regime_code"])
    rows = []
    for k in range(res["U_G"].shape[0]):
        row: dict[str, Any] = {"delta": float(deltas[k, 0]), "alpha0": _nan_none(res["alpha0"][k]),
                               "beta0": _nan_none(res["beta0"][k])}
        for i in range(res["alpha"].shape[1]):
            row[f"alpha_{i + 1}"] = _nan_none(res["alpha"][k, i])
            row[f"beta_{i + 1}"] = _nan_none(res["beta"][k, i])
        row["U_G"] = float(res["U_G"][k])
        for i in range(res["U_D"].shape[1]):
            row[f"U_D_{i + 1}"] = float(res["U_D"][k, i])
            row[f"participates_{i + 1}"] = bool(res["participates"][k, i])
        row.update(abstain=bool(res["abstain"][k]), backfiring=bool(flags["backfiring"][k]),
                   mutualism=bool(flags["mutualism"][k]), classification=str(names[k]), status="optimal",
                   certificate="global" if res["certified"][k] else "none")
        rows.append(row)
    return rows


def _nan_none(v: float) -> float | None:
    return None if not np.isfinite(v) else float(v)


def _row_from_outcome(out: dict[str, Any]) -> dict[str, Any]:
    labels = out["classification"]
    row: dict[str, Any] = {"delta": out["delta"][0],
                           "alpha0": out["gamma0"][0] if out["gamma0"] else None,
                           "beta0": out["gamma0"][1] if out["gamma0"] else None}
    for i, g in enumerate(out["gamma"]):
        row[f"alpha_{i + 1}"] = g[0] if g else None
        row[f"beta_{i + 1}"] = g[1] if g else None
    row["U_G"] = out["U_G"]
    for i, u in enumerate(out["U_D"]):
        row[f"U_D_{i + 1}"] = u
        row[f"participates_{i + 1}"] = out["participates"][i]
    row.update(abstain=out["abstain"], backfiring=labels["backfiring"], mutualism=labels["mutualism"],
               classification=labels["regime"], status=out["status"],
               certificate=out["certificate"]["level"])
    return row


# ----------------------------------------------------------------------------------------------- output
def render(report: dict[str, Any]) -> Any:
    from rich.table import Table

    reg = report["regulation"]
    floors = ", ".join(f"{t:g}" for t in reg["theta_D"])
    table = Table(title=f"safety regulation: θG = {reg['theta_G']:g}, θD = {floors}"
                        f"  [formulation {report['request']['formulation']}]")
    for col in ("bargaining", "δ", "γ0 = (α0, β0)", "γ_i = (α_i, β_i)", "U_G", "U_D", "regime", "certificate",
                "status", "backend"):
        table.add_column(col)

    def pair(v: Any) -> str:
        return "—" if v is None else f"({v[0]:.5f}, {v[1]:.5f})"

    for name, o in report["outcomes"].items():
        table.add_row(name, ", ".join(f"{d:.4f}" for d in o["delta"]), pair(o["gamma0"]),
                      "; ".join(pair(g) for g in o["gamma"]), f"{o['U_G']:.5f}",
                      ", ".join(f"{u:.5f}" for u in o["U_D"]), o["classification"]["regime"],
                      o["certificate"]["level"], o["status"], o["backend"] or "—")
    return table


def plot(file: GameFile, report: dict[str, Any], path: str) -> list[str]:
    """β0, β_i and the utilities against θD at the file's θG (Figure-3 style), the file's θD marked."""
    from ..plots.safety import equilibrium_path

    game, _ = load_game(file)
    equilibrium_path(game, path, mark=float(report["regulation"]["theta_D"][0]))
    return [path]


class SafetyFrontEnd(FrontEnd):
    name = "safety_regulation"
    formulations = FORMULATIONS
    description = "two attributes (performance, safety) and regulatory safety floors"

    def parse(self, file: GameFile) -> SafetyGame:
        return load_game(file)[0]

    def request(self, file: GameFile, **kwargs: Any) -> Request:  # type: ignore[override]
        solve_table = dict(normalized_data(file.data, file)["solve"])
        tol = solve_table.pop("tolerance_classification", CLASSIFICATION_TOL)
        if isinstance(tol, bool) or not isinstance(tol, int | float) or not 0 <= tol < 1:
            raise file.error("solve.tolerance_classification", f"must be a number in [0, 1), got {tol!r}")
        return super().request(file, solve_table=solve_table, extras={"tolerance_classification": float(tol)},
                               **kwargs)

    def solve(self, file: GameFile, request: Request) -> dict[str, Any]:
        """At the fixed δ, or at δ bargained by each rule in ``[bargaining] solutions``; each outcome is classified
        against the unregulated game."""
        game, data = load_game(file)
        tol = request.extras["tolerance_classification"]
        form, config = request.formulation, request.config
        solutions = _solutions(data, file)
        outcomes: dict[str, dict[str, Any]] = {}  # keyed like the fine-tuning game: "fixed" or the bargaining rule
        if not solutions:
            outcomes["fixed"] = fixed_outcome(game, form, config, tol)
        else:
            for rule in solutions:
                watch = Stopwatch()
                agreed, b_stage = _bargaining_stage(game, rule, "bargaining")
                free, fb_stage = _bargaining_stage(game.unregulated(), rule, "unregulated bargaining")
                g1, g0 = game.with_delta(agreed.delta), game.unregulated().with_delta(free.delta)
                eq, stage = _solve_one(g1, form, config, "equilibrium")
                anarchy, free_stage = _solve_one(g0, REFERENCE, config, "unregulated equilibrium")
                record = equilibrium_outcome(g1, eq, anarchy, tol, [b_stage, stage, fb_stage, free_stage],
                                             watch.elapsed, main=1, solution=rule, welfare=_nan_none(agreed.welfare),
                                             agreement=agreed.agreement)
                record["anarchy"]["delta"] = free.delta
                outcomes[rule] = record
        return self.report(file, request, parameters=_parameters(game), outcomes=outcomes,
                           regulation={"theta_G": game.theta_G, "theta_D": [float(t) for t in game.theta_D]})

    solve_batch = staticmethod(solve_batch)
    render = staticmethod(render)
    plot = staticmethod(plot)


FRONT_END = SafetyFrontEnd()
