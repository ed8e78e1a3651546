"""Big-M encoding:  binary ``z``,  ``mu <= M_mu * z``,  ``slack <= M_s * (1 - z)``.

M values, per pair and side, come from (in order, each only where the ones before proved nothing finite unless
``tighten="all"``): variable bounds (interval arithmetic), the vertices of a linear follower's dual region
(multipliers; :mod:`..dual_bounds`), an LP over the linear relaxation of the KKT system (all three proven valid),
then the user's hints (``bigm=`` a number or a dict keyed by pair key, values a number or ``(M_mu, M_slack)``) and
``bigm_default``.  Hints and defaults are not proven: a solution that makes such a bound active may have had the true
optimum cut off (catalogue #14) and is flagged; with only proven M values the encoding is exact.
``bigm_trusted=True`` declares the hints valid bounds.

``tighten``: ``True`` / ``"needed"`` (default) solves a bound LP only for a quantity that intervals and dual
vertices left unbounded; ``"all"`` solves one for every quantity (tighter M values, more LPs); ``False`` solves
none.  ``dual_bounds=False`` skips the dual-vertex bounds.  The LPs share one persistent HiGHS model
(:mod:`..bounds`).  What the tightening cost and proved is in ``report.extras["tightening"]``
(:class:`Tightening`).

``bigm="auto"``: no hints; when an unproven M is active at the solution, the program is solved again with that M
multiplied by ``AUTO_GROWTH`` (at most ``AUTO_ROUNDS`` times), and if one is still active, the caller
(:func:`..solve.solve_bilevel`) hands the model to the exact ``sos1`` encoding on a backend that can take it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import Capability, SolveConfig, SolveResult, solve

from ..analysis import program_requirements
from ..bounds import LinearRelaxation, interval_upper_bound
from ..dual_bounds import dual_vertex_bounds
from . import PROVEN_SOURCES, BigMValue, EncodingReport
from ._common import load_values

NAME = "bigm"
EXACT = True  # when every M is proven; add_complementarity reports exact=False otherwise
OPTIONS: tuple[str, ...] = ("bigm", "bigm_trusted", "bigm_default", "tighten", "tighten_solver", "dual_bounds")
DEFAULT_M = 1e4
ACTIVE_TOL = 1e-6
AUTO = "auto"
AUTO_GROWTH = 100.0  # bigm="auto": an active unproven M is multiplied by this before the next solve
AUTO_ROUNDS = 2  # ... at most this many times, then the exact encoding takes over
TIGHTEN_MODES = {True: "needed", False: "off", "needed": "needed", "all": "all", "off": "off"}


@dataclass
class Tightening:
    """What choosing the M values cost and proved: wall-clock seconds, LPs solved and skipped (already bounded by
    intervals or dual vertices), dual bases examined, and how many M values each source gave."""

    mode: str
    time: float = 0.0
    lps_solved: int = 0
    lps_skipped: int = 0
    lps_unbounded: int = 0  # of the skipped: multipliers a dual recession ray makes unbounded (no LP can bound)
    dual_bases: int = 0
    sources: dict[str, int] = field(default_factory=dict)  # source -> number of M values (both sides)
    notes: list[str] = field(default_factory=list)

    @property
    def proven(self) -> int:
        return sum(n for s, n in self.sources.items() if s in PROVEN_SOURCES)

    @property
    def unproven(self) -> int:
        return sum(n for s, n in self.sources.items() if s not in PROVEN_SOURCES)

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "time_s": self.time, "lps_solved": self.lps_solved,
                "lps_skipped": self.lps_skipped, "lps_unbounded": self.lps_unbounded, "dual_bases": self.dual_bases,
                "sources": dict(self.sources),
                "proven": self.proven, "unproven": self.unproven, "notes": list(self.notes)}


def requires(options: dict[str, Any]) -> set[Capability]:
    return {Capability.MILP}


def _bad(message: str) -> Exception:
    from ..interface import BilevelError

    return BilevelError(message)


def _hint(options: dict[str, Any], key: str) -> tuple[float | None, float | None]:
    hint = options.get("bigm")
    if isinstance(hint, str):
        if hint != AUTO:
            raise _bad(f"bigm: expected a number, a dict of numbers or {AUTO!r}, got {hint!r}")
        return None, None
    if isinstance(hint, dict):
        hint = next((v for k, v in hint.items() if key == k or key.startswith(k + ":") or key.endswith("." + k)),
                    hint.get("*"))
    if hint is None:
        return None, None
    if isinstance(hint, int | float):
        return float(hint), float(hint)
    mu, slack = hint
    return (None if mu is None else float(mu)), (None if slack is None else float(slack))


def _choose(proven: float, source: str, hint: float | None, options: dict[str, Any], what: str) -> tuple[float, str]:
    if hint is not None and not hint > 0:
        raise _bad(f"bigm: the M value for {what} must be > 0, got {hint}")
    trusted = bool(options.get("bigm_trusted", False))
    if hint is not None and hint < proven:
        return hint, "trusted_hint" if trusted else "hint"
    if math.isfinite(proven):
        return proven, source
    return float(options.get("bigm_default", DEFAULT_M)), "default"


def _mode(options: dict[str, Any]) -> str:
    value = options.get("tighten", True)
    try:
        return TIGHTEN_MODES[value]
    except (KeyError, TypeError):
        raise _bad(f"bigm: tighten must be True, False, 'needed', 'all' or 'off', got {value!r}") from None


def proven_bounds(model: Any, pairs: list[Any], options: dict[str, Any]) -> tuple[list[float], list[str],
                                                                                    list[float], list[str],
                                                                                    Tightening]:
    """The proven M of each pair's multiplier and slack with its source (``inf``, "bound" where none is proven)."""
    start = time.perf_counter()
    record = Tightening(_mode(options))
    mu_bounds = [interval_upper_bound(p.multiplier) for p in pairs]
    slack_bounds = [interval_upper_bound(p.slack) for p in pairs]
    mu_src = ["bound"] * len(pairs)
    slack_src = ["bound"] * len(pairs)
    kkt = options.get("_kkt")
    unbounded: set[str] = set()
    if options.get("dual_bounds", True) and kkt is not None:
        dual = dual_vertex_bounds(kkt, {p.key for p in pairs})
        unbounded = dual.unbounded
        record.dual_bases = dual.bases
        record.notes += [f"follower {f!r}: no dual-vertex bound: {why}" for f, why in dual.skipped.items()]
        for i, p in enumerate(pairs):
            bound = dual.bounds.get(p.key, math.inf)
            if bound < mu_bounds[i]:
                mu_bounds[i], mu_src[i] = float(bound), "dual_vertex"
    if record.mode != "off":
        targets = [(i, "mu") for i in range(len(pairs))] + [(i, "slack") for i in range(len(pairs))]
        bounds = {"mu": mu_bounds, "slack": slack_bounds}
        # an LP is skipped where a bound is proven already (unless "all"), and where a recession ray of the dual
        # region makes the multiplier unbounded over the relaxation (the LP would prove nothing)
        hopeless = {i for i, p in enumerate(pairs) if p.key in unbounded and not math.isfinite(mu_bounds[i])}
        wanted = [(i, side) for i, side in targets
                  if (record.mode == "all" or not math.isfinite(bounds[side][i]))
                  and not (side == "mu" and i in hopeless)]
        record.lps_skipped = len(targets) - len(wanted)
        record.lps_unbounded = len(hopeless)
        relaxation = LinearRelaxation(model, options.get("tighten_solver"))
        if not wanted:
            pass
        elif relaxation.available:
            exprs = [pairs[i].multiplier if side == "mu" else pairs[i].slack for i, side in wanted]
            tight = relaxation.maximize(exprs)
            record.lps_solved = relaxation.solves
            sources = {"mu": mu_src, "slack": slack_src}
            for (i, side), value in zip(wanted, tight, strict=True):
                if value < bounds[side][i]:
                    bounds[side][i], sources[side][i] = float(value), "tightened"
        else:
            record.notes.append("no LP backend available: big-M values not tightened")
    record.time = time.perf_counter() - start
    return mu_bounds, mu_src, slack_bounds, slack_src, record


def add_complementarity(block: Any, pairs: list[Any], options: dict[str, Any]) -> EncodingReport:
    default = options.get("bigm_default", DEFAULT_M)
    if isinstance(default, bool) or not isinstance(default, int | float) or not default > 0:
        raise _bad(f"bigm: bigm_default must be a number > 0, got {default!r}")
    model = block.model()
    mu_bounds, mu_src, slack_bounds, slack_src, record = proven_bounds(model, pairs, options)
    notes = list(record.notes)
    block.z = pyo.Var([p.key for p in pairs], within=pyo.Binary)
    block.multiplier_off = pyo.Constraint([p.key for p in pairs])
    block.slack_off = pyo.Constraint([p.key for p in pairs])
    values = []
    for i, p in enumerate(pairs):
        hint_mu, hint_slack = _hint(options, p.key)
        m_mu, s_mu = _choose(mu_bounds[i], mu_src[i], hint_mu, options, f"multiplier of {p.key}")
        m_s, s_s = _choose(slack_bounds[i], slack_src[i], hint_slack, options, f"slack of {p.key}")
        m_mu, m_s = max(m_mu, 0.0), max(m_s, 0.0)
        block.multiplier_off[p.key] = p.multiplier <= m_mu * block.z[p.key]
        block.slack_off[p.key] = p.slack <= m_s * (1 - block.z[p.key])
        values.append(BigMValue(p.key, float(m_mu), float(m_s), s_mu, s_s))
    for v in values:
        for source in (v.multiplier_source, v.slack_source):
            record.sources[source] = record.sources.get(source, 0) + 1
    exact = all(v.proven for v in values)
    if not exact:
        notes.append("some big-M values are hints or defaults (not proven): a solution where one is active is "
                     "flagged and not certified")
    return EncodingReport(NAME, exact, pairs=[p.key for p in pairs], bigm=values, notes=notes,
                          extras={"bigm_pairs": pairs, "tightening": record, "bigm_block": block})


def active_bounds(report: EncodingReport, tol: float = ACTIVE_TOL) -> list[tuple[str, bool]]:
    """The big-M bounds active at the loaded solution (``value >= M (1 - tol)``), each as (description, proven)."""
    from ..interface import BilevelError

    pairs = {p.key: p for p in report.extras.get("bigm_pairs", [])}
    out = []
    for v in report.bigm:
        p = pairs.get(v.pair)
        if p is None:
            raise BilevelError(f"bigm: no complementarity pair {v.pair!r} in the report")
        mu, slack = pyo.value(p.multiplier), pyo.value(p.slack)
        if mu > tol and mu >= v.multiplier_m * (1 - tol) - tol:
            out.append((f"{v.pair}: multiplier {mu:.6g} at its M = {v.multiplier_m:.6g} ({v.multiplier_source})",
                        v.multiplier_source in PROVEN_SOURCES))
        if slack > tol and slack >= v.slack_m * (1 - tol) - tol:
            out.append((f"{v.pair}: slack {slack:.6g} at its M = {v.slack_m:.6g} ({v.slack_source})",
                        v.slack_source in PROVEN_SOURCES))
    return out


def solve_encoded(reform: Any, solver: str, config: SolveConfig, options: dict[str, Any]) -> SolveResult:
    """Solve (:func:`solve_once`); with ``bigm="auto"``, while an unproven M is active at the solution, multiply
    it by ``AUTO_GROWTH`` (its source becomes "enlarged", still unproven) and solve again, at most ``AUTO_ROUNDS``
    times.  ``report.extras["auto_rounds"]`` counts the re-solves."""
    res = solve_once(reform, solver, config)
    if options.get("bigm") != AUTO:
        return res
    rounds = 0
    while res.ok and rounds < AUTO_ROUNDS:
        grown = _grow_active(reform)
        if not grown:
            break
        rounds += 1
        reform.report.notes.append(f"bigm='auto': active unproven M grown x{AUTO_GROWTH:g} and re-solved: "
                                   + "; ".join(grown))
        res = solve_once(reform, solver, config)
    reform.report.extras["auto_rounds"] = rounds
    return res


def _grow_active(reform: Any) -> list[str]:
    """Multiply every unproven M that is active at the loaded solution by ``AUTO_GROWTH``; describe each."""
    block = reform.report.extras["bigm_block"]
    pairs = {p.key: p for p in reform.report.extras.get("bigm_pairs", [])}
    grown = []
    for v in reform.report.bigm:
        p = pairs[v.pair]
        z = block.z[v.pair]
        mu, slack = pyo.value(p.multiplier), pyo.value(p.slack)
        if v.multiplier_source not in PROVEN_SOURCES and mu > ACTIVE_TOL and \
                mu >= v.multiplier_m * (1 - ACTIVE_TOL) - ACTIVE_TOL:
            v.multiplier_m, v.multiplier_source = v.multiplier_m * AUTO_GROWTH, "enlarged"
            block.multiplier_off[v.pair].set_value(p.multiplier <= v.multiplier_m * z)
            grown.append(f"{v.pair} multiplier -> {v.multiplier_m:g}")
        if v.slack_source not in PROVEN_SOURCES and slack > ACTIVE_TOL and \
                slack >= v.slack_m * (1 - ACTIVE_TOL) - ACTIVE_TOL:
            v.slack_m, v.slack_source = v.slack_m * AUTO_GROWTH, "enlarged"
            block.slack_off[v.pair].set_value(p.slack <= v.slack_m * (1 - z))
            grown.append(f"{v.pair} slack -> {v.slack_m:g}")
    return grown


def solve_once(reform: Any, solver: str, config: SolveConfig) -> SolveResult:
    """Solve; if an unproven M is active on a multiplier, re-choose the multipliers at the same primal point.

    Multipliers of a degenerate follower are not unique and a solver may park one at its M.  With every primal and
    binary variable fixed, ``min sum(flagged multipliers)`` s.t. the KKT rows and ``leader objective no worse`` finds
    other valid multipliers when they exist (an LP); the flag then disappears.  An active slack M (a primal
    quantity, catalogue #14) cannot be moved this way and stays flagged.
    """
    name = f"{reform.model.name}:kkt+bigm"
    res = solve(reform.model, requires=reform.requires(), solver=solver, config=config, formulation=name)
    if not res.ok:
        return res
    flagged = [v for v in reform.report.bigm if v.multiplier_source not in PROVEN_SOURCES]
    pairs = {p.key: p for p in reform.report.extras.get("bigm_pairs", [])}
    parked = [pairs[v.pair].multiplier for v in flagged
              if pyo.value(pairs[v.pair].multiplier) >= v.multiplier_m * (1 - ACTIVE_TOL) - ACTIVE_TOL]
    if not parked:
        return res
    model = reform.model
    free = {id(v) for fk in reform.kkt.followers for v in fk.multipliers()}
    fixed = [v for v in model.component_data_objects(pyo.Var, descend_into=True) if id(v) not in free and not v.fixed]
    leader = next(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
    current = pyo.value(leader.expr)
    for v in fixed:
        v.fix()
    leader.deactivate()
    slack = 1e-9 * (1 + abs(current))
    model._no_worse = pyo.Constraint(expr=leader.expr <= current + slack if leader.sense == pyo.minimize
                                     else leader.expr >= current - slack)
    model._relieve = pyo.Objective(expr=sum(parked))
    try:
        again = solve(model, requires=program_requirements(model), solver=solver, config=config,
                      formulation=name + " (multipliers re-chosen)")
    finally:
        model.del_component("_relieve")
        model.del_component("_no_worse")
        leader.activate()
        for v in fixed:
            v.unfix()
    if again.ok:
        reform.report.notes.append("multipliers parked at an unproven M were re-chosen at the same primal point")
        res.values = {**res.values, **{k: val for k, val in again.values.items()}}
    else:
        load_values(model, res.values)
    return res
