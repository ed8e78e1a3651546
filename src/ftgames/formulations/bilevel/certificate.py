"""Certificate of a bilevel solution: fix the leader's decision, re-solve every follower on its own, and measure.

Reported per follower: its objective at the solution ``f(y*)``, its best response value ``f*`` (a global re-solve)
and the gap ``|f(y*) - f*| / (1 + |f*|)``; for the whole solution: the complementarity residual
``max_pairs min(|mu|, |slack|)`` and the largest primal violation of any leader or follower row or bound.

Levels (the vocabulary of every ftgames certificate, :class:`ftgames.models.outcomes.Level`): ``global`` (every
check passes, the single-level program was solved to proven global optimality by an exact encoding), ``local``
(every check passes: an equilibrium of the followers at a leader decision that is only locally optimal or not proven
optimal), ``none`` (anything else; never an equilibrium).  ``label`` spells the same as ``certified_global`` /
``certified_local`` / ``uncertified``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from ftgames.models.outcomes import Certificate as CommonCertificate, Level
from ftgames.solvers import SolveConfig, Status, capable_backends, solve
from ftgames.solvers.capabilities import Layer

from .analysis import program_requirements
from .model import BilevelModel

CERTIFIED_GLOBAL = "certified_global"
CERTIFIED_LOCAL = "certified_local"
UNCERTIFIED = "uncertified"
RELAXATION = 1e-6  # relative relaxation of follower rows when the exact re-solve is infeasible by round-off
LARGE_MULTIPLIER = 1e5  # a failed check with a multiplier above this is flagged as probable numerical trouble
CERTIFICATE_SOLVER_TOLERANCE = 1e-7  # feasibility tolerance of the re-solves (tighter makes SCIP presolve fragile)


@dataclass
class FollowerCheck:
    follower: str
    value_at_solution: float | None
    best_response_value: float | None
    gap: float | None
    status: str
    backend: str


LEVEL_OF_LABEL = {CERTIFIED_GLOBAL: Level.GLOBAL, CERTIFIED_LOCAL: Level.LOCAL, UNCERTIFIED: Level.NONE}


@dataclass
class Certificate:
    """The checks of one bilevel solution; :attr:`level` is the library-wide verdict."""

    label: str
    followers: list[FollowerCheck] = field(default_factory=list)
    complementarity_residual: float | None = None
    primal_infeasibility: float | None = None
    bigm_active: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why the level is not global

    @property
    def level(self) -> Level:
        return LEVEL_OF_LABEL[self.label]

    @property
    def is_global(self) -> bool:
        return self.level is Level.GLOBAL

    @property
    def certified(self) -> bool:
        """True iff the level is global (the one meaning of "certified" in ftgames)."""
        return self.level is Level.GLOBAL

    @property
    def checks(self) -> dict[str, Any]:
        return {
            "followers": [vars(f) for f in self.followers],
            "complementarity_residual": self.complementarity_residual,
            "primal_infeasibility": self.primal_infeasibility,
            "bigm_active": list(self.bigm_active),
        }

    def common(self, method: str = "") -> CommonCertificate:
        """The same verdict as the library-wide frozen record."""
        return CommonCertificate(self.level, method, self.checks, tuple(self.reasons))

    def to_dict(self) -> dict[str, Any]:
        return {"level": str(self.level), "label": self.label, "checks": self.checks, "reasons": list(self.reasons)}


def primal_infeasibility(model: Any) -> float:
    """Largest violation of an active row or a variable bound of ``model`` at its current values."""
    worst = 0.0
    for c in model.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        body = pyo.value(c.body, exception=False)
        if body is None:
            return float("inf")
        if c.has_lb():
            worst = max(worst, pyo.value(c.lower) - body)
        if c.has_ub():
            worst = max(worst, body - pyo.value(c.upper))
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        if v.value is None:
            continue
        if v.has_lb():
            worst = max(worst, v.lb - v.value)
        if v.has_ub():
            worst = max(worst, v.value - v.ub)
    return worst


def complementarity_residual(pairs: list[Any]) -> float:
    worst = 0.0
    for p in pairs:
        mu = pyo.value(p.multiplier, exception=False)
        slack = pyo.value(p.slack, exception=False)
        if mu is None or slack is None:
            return float("inf")
        worst = max(worst, min(abs(mu), abs(slack)))
    return worst


def _only_follower_active(clone: Any, fblock: Any) -> Any:
    """Leave only the follower block's rows and objective active on ``clone``; return that objective."""
    for c in clone.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        c.deactivate()
    for c in fblock.component_data_objects(pyo.Constraint, descend_into=True):
        c.activate()
    for o in clone.component_data_objects(pyo.Objective, active=True, descend_into=True):
        o.deactivate()
    objective = fblock.component("objective")
    objective.activate()
    return objective


def best_response(bm: BilevelModel, follower_name: str, solver: str, config: SolveConfig) -> tuple[Any, Any]:
    """Solve follower ``follower_name`` alone with every other variable fixed at its current value in ``bm.model``.
    Returns (value of its objective at the current point, SolveResult of the re-solve)."""
    clone = bm.model.clone()
    fblock = clone.find_component(bm.follower(follower_name).block.name)
    own = {id(v) for v in fblock.component_data_objects(pyo.Var, descend_into=True)}
    for v in clone.component_data_objects(pyo.Var, descend_into=True):
        if id(v) not in own and not v.fixed:
            # A parameter now: drop its bounds and domain so round-off just outside them cannot make it infeasible.
            value = v.value if v.value is not None else 0.0
            v.domain = pyo.Reals
            v.setlb(None)
            v.setub(None)
            v.fix(value)
    objective = _only_follower_active(clone, fblock)
    current = pyo.value(objective.expr, exception=False)
    needs = program_requirements(clone)
    # "auto": the first capable backend that does not fail numerically (HiGHS' QP solver can end in "solve error"
    # on tiny bounds where SCIP or Ipopt succeed), so a solver hiccup is not mistaken for a failed certificate.
    candidates = [solver] if solver != "auto" else _backends_for(needs)
    for solver in candidates:
        result = solve(clone, requires=needs, solver=solver, config=config, convex=True,
                       formulation=f"best response of {follower_name}")
        if result.status is not Status.ERROR:
            break
    if result.status is Status.INFEASIBLE:
        # The leader's decision is feasible only up to round-off (e.g. a follower set that is a single point):
        # re-solve with every follower row relaxed by RELAXATION (1 + |rhs|).
        _relax_rows(clone, fblock)
        result = solve(clone, requires=needs, solver=solver, config=config, convex=True,
                       formulation=f"best response of {follower_name} (rows relaxed by {RELAXATION:g})")
        result.message += f"; rows relaxed by {RELAXATION:g} (1 + |rhs|)"
    return current, result


class FollowerResolver:
    """The certificate's follower re-solves for a model that is solved many times (a parametric program).

    :func:`best_response` clones ``bm.model`` for every follower at every certificate; this builds each follower's
    clone once, and at each call sets the clone's parameters (every other variable, fixed; every mutable ``Param``)
    to ``bm.model``'s current values and re-solves it through a persistent backend session
    (:class:`ftgames.solvers.persistent.PersistentSolve`).  The same backends are tried in the same order as in
    :func:`best_response`, which it falls back to (a fresh clone) when a follower's rows must be relaxed.
    """

    def __init__(self, bm: BilevelModel) -> None:
        self.bm = bm
        self._prepared: dict[str, dict[str, Any]] = {}

    def _prepare(self, follower_name: str) -> dict[str, Any]:
        clone = self.bm.model.clone()
        fblock = clone.find_component(self.bm.follower(follower_name).block.name)
        own = {id(v) for v in fblock.component_data_objects(pyo.Var, descend_into=True)}
        originals = {v.name: v for v in self.bm.model.component_data_objects(pyo.Var, descend_into=True)}
        own_pairs, parameter_pairs = [], []
        for v in clone.component_data_objects(pyo.Var, descend_into=True):
            if id(v) in own:
                own_pairs.append((v, originals[v.name]))
                continue
            if not v.fixed:  # a parameter now, as in best_response
                v.domain = pyo.Reals
                v.setlb(None)
                v.setub(None)
                v.fix(0.0)
            parameter_pairs.append((v, originals[v.name]))
        params = {p.name: p for p in self.bm.model.component_data_objects(pyo.Param, descend_into=True)
                  if p.parent_component().mutable}
        param_pairs = [(p, params[p.name]) for p in clone.component_data_objects(pyo.Param, descend_into=True)
                       if p.name in params]
        objective = _only_follower_active(clone, fblock)
        return {"model": clone, "objective": objective, "own": own_pairs, "fixed": parameter_pairs,
                "params": param_pairs, "needs": program_requirements(clone), "sessions": {}}

    def best_response(self, follower_name: str, solver: str, config: SolveConfig) -> tuple[Any, Any]:
        """Same as :func:`best_response` (value at the current point, re-solve result), on the kept clone."""
        from ftgames.solvers.persistent import PersistentSolve

        prepared = self._prepared.get(follower_name)
        if prepared is None:
            prepared = self._prepared[follower_name] = self._prepare(follower_name)
        for clone_var, var in prepared["fixed"]:
            clone_var.fix(var.value if var.value is not None else 0.0)
        for clone_var, var in prepared["own"]:
            clone_var.set_value(var.value, skip_validation=True)
        for clone_param, param in prepared["params"]:
            clone_param.set_value(param.value)
        current = pyo.value(prepared["objective"].expr, exception=False)
        needs = prepared["needs"]
        candidates = [solver] if solver != "auto" else _backends_for(needs)
        for name in candidates:
            session = prepared["sessions"].get(name)
            if session is None:
                session = prepared["sessions"][name] = PersistentSolve(
                    prepared["model"], requires=needs, solver=name, config=config, convex=True,
                    formulation=f"best response of {follower_name}")
            result = session.solve(config)
            if result.status is not Status.ERROR:
                break
        if result.status is Status.INFEASIBLE:  # relax the rows on a fresh clone, as best_response does
            return best_response(self.bm, follower_name, solver, config)
        return current, result


def _relax_rows(model: Any, fblock: Any) -> None:
    model._relaxed_rows = pyo.ConstraintList()
    for c in list(fblock.component_data_objects(pyo.Constraint, active=True, descend_into=True)):
        c.deactivate()
        if c.has_lb():
            lo = pyo.value(c.lower)
            model._relaxed_rows.add(c.body >= lo - RELAXATION * (1 + abs(lo)))
        if c.has_ub():
            up = pyo.value(c.upper)
            model._relaxed_rows.add(c.body <= up + RELAXATION * (1 + abs(up)))


def _backends_for(needs: set) -> list[str]:
    """HiGHS for LP / convex QP followers, then SCIP (global), then Ipopt (the follower is convex: local = global)."""
    capable = capable_backends(Layer.PYOMO, needs)
    names = [name for name in ("highs", "scip", "ipopt") if name in capable]
    if not names:
        raise RuntimeError(f"certificate: no available backend can re-solve a follower needing {sorted(needs)}")
    return names


def certify(
    bm: BilevelModel,
    pairs: list[Any],
    *,
    solved_globally: bool,
    exact_encoding: bool,
    bigm_active: list[str],
    unproven_bigm_active: bool,
    solver: str = "auto",
    config: SolveConfig | None = None,
    tolerance: float = 1e-5,
    resolver: FollowerResolver | None = None,
) -> Certificate:
    """Check the solution currently loaded in ``bm.model`` (and the multipliers in ``pairs``); ``resolver`` keeps
    the followers' re-solve programs between calls (:class:`FollowerResolver`)."""
    config = config or SolveConfig(time_limit=60, tolerance=CERTIFICATE_SOLVER_TOLERANCE)
    cert = Certificate(UNCERTIFIED, bigm_active=list(bigm_active))
    cert.primal_infeasibility = primal_infeasibility(bm.model)
    cert.complementarity_residual = complementarity_residual(pairs)
    failed = []
    for f in bm.followers:
        current, res = (resolver.best_response(f.name, solver, config) if resolver is not None
                        else best_response(bm, f.name, solver, config))
        gap = None
        if res.status is Status.OPTIMAL and current is not None and res.objective is not None:
            gap = abs(current - res.objective) / (1 + abs(res.objective))
        cert.followers.append(FollowerCheck(f.name, current, res.objective, gap, str(res.status), res.backend))
        if gap is None:
            failed.append(f"follower {f.name!r}: re-solve ended with status {res.status} ({res.message})")
        elif gap > tolerance:
            failed.append(f"follower {f.name!r}: not a best response (gap {gap:.3g} > {tolerance:g})")
    if cert.primal_infeasibility > tolerance:
        failed.append(f"primal infeasibility {cert.primal_infeasibility:.3g} > {tolerance:g}")
    if cert.complementarity_residual > tolerance * 10:
        failed.append(f"complementarity residual {cert.complementarity_residual:.3g} > {10 * tolerance:g}")
    if unproven_bigm_active:
        failed.append("an unproven big-M bound is active: the true optimum may have been cut off")
    if failed:
        largest = max((abs(pyo.value(p.multiplier, exception=False) or 0.0) for p in pairs), default=0.0)
        if largest > LARGE_MULTIPLIER:
            failed.append(f"numerical: a multiplier is {largest:.3g}; the solver's feasibility tolerance times such a "
                          "multiplier can fake complementarity or strong duality (bound the leader's variables "
                          "tightly, or try encoding='sos1' or 'enumeration')")
        cert.reasons = failed
        return cert
    reasons = []
    if not solved_globally:
        reasons.append("the single-level program was not solved to proven global optimality")
    if not exact_encoding:
        reasons.append("the encoding is not exact here (unproven big-M values, or a local method)")
    cert.reasons = reasons
    cert.label = CERTIFIED_LOCAL if reasons else CERTIFIED_GLOBAL
    return cert
