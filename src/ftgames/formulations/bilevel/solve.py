"""``solve_bilevel``: reformulate, check the backend, solve, load the solution back, and certify it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import SolveConfig, SolveResult, Status, check_backend, resolve_solver, solve
from ftgames.solvers.capabilities import Layer

from ...errors import OptionError, SolveError
from ...models.outcomes import LEVEL_ORDER, Level, reported_status
from .certificate import UNCERTIFIED, Certificate, certify
from .encodings import EncodingReport, encoding_module
from .model import BilevelModel
from .polish import load_values, polish_active_set
from .reformulate import Reformulation, build_kkt, encode, encoding_requirements, normalize_requirements
from .unbounded import check_unbounded

#: Encodings that only add rows, variables and SOS sets in ``model.complementarity`` (no objective, nothing outside
#: the block): with the block deactivated the single-level program is the unencoded KKT program again.
CONSTRAINT_ONLY_ENCODINGS = ("sos1", "bigm", "indicator")


class NotCertified(SolveError):
    """An uncertified bilevel result was asked for as an equilibrium."""


@dataclass
class BilevelResult(SolveResult):
    """A :class:`SolveResult` of the single-level program plus the certificate and the encoding's report.

    ``duals``: the single-level program's duals of the **leader's** rows (rows of ``bm.model`` outside every
    follower block), by full Pyomo name, in the one convention of ``SolveResult.duals`` (d(leader's optimal value) /
    d(rhs), leader's sense; local to the solved active set).  A MIP encoding (sos1, bigm, indicator) has no duals
    of its own; when the solution's piece is an LP (linear leader over linear followers) and HiGHS is installed,
    the duals come from the active-set polish's LP (the followers' active sets fixed; the message says so).  Empty
    otherwise (a nonlinear piece on a backend without duals, such as SCIP: the message says why) and, for now, with
    ``enumeration`` (its driver does not pass the winning piece's duals on).
    ``multipliers``: every follower row's KKT multiplier at the solution, by the row's full name (``lower.c1``,
    ``lower.balance[2]``), with the sign of :meth:`Follower.dual`: d(follower's optimal value) / d(rhs) in the
    follower's own sense (a minimizing follower's ``<=`` row <= 0, ``>=`` row >= 0).  Rows without follower variables
    (no multiplier in the KKT system) and variable bounds are left out.
    """

    encoding: str = ""
    certificate_time: float = 0.0  # wall-clock seconds of the certificate (every follower re-solved)
    certificate: Certificate | None = None
    report: EncodingReport | None = None
    reformulation: Reformulation | None = field(default=None, repr=False)
    multipliers: dict[str, float] = field(default_factory=dict)

    @property
    def total_time(self) -> float:
        """Wall clock of the whole ``solve_bilevel`` call: build, solve and certificate."""
        return self.build_time + self.solve_time + self.certificate_time

    @property
    def certified(self) -> bool:
        """True iff the certificate's level is global."""
        return self.certificate is not None and self.certificate.certified

    @property
    def label(self) -> str:
        return self.certificate.label if self.certificate is not None else UNCERTIFIED

    def require_certified(self, level: str = "local") -> BilevelResult:
        """Return self if the certificate's level is at least ``level`` ("local": every follower checked, an
        equilibrium; "global": also proved optimal for the leader), else raise :class:`NotCertified`."""
        have = self.certificate.level if self.certificate is not None else Level.NONE
        if LEVEL_ORDER.index(have) < LEVEL_ORDER.index(Level(level)):
            why = "; ".join(self.certificate.reasons) if self.certificate else self.message
            raise NotCertified(f"{self.formulation}: status {self.status}, certificate {have}, not {level}: {why}")
        return self

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["encoding"] = self.encoding
        out["certificate_time"] = self.certificate_time
        out["multipliers"] = dict(self.multipliers)
        out["certificate"] = self.certificate.to_dict() if self.certificate else None
        if self.report is not None:
            out["bigm"] = [vars(v) for v in self.report.bigm]
            tightening = self.report.extras.get("tightening")
            if tightening is not None:  # what choosing the big-M values cost and proved
                out["tightening"] = tightening.to_dict()
        return out


# SCIP's presolve aggregates variables that sit in SOS1 sets unsoundly: on a random bilevel instance the
# indicator encoding (SOS1{slack, w} with w = 1 - z aggregated away) came back "optimal" at -4 while -12 was feasible
# (tests/bilevel/test_random_instances.py, general seed 4); forbidding (multi-)aggregation restores the optimum.
# SCIP's SOS1 separator (bound cuts derived from the SOS1 sets) cuts off optima: with a max-sense LP follower whose
# row multipliers the leader reads (Follower.dual), 45 of 1,200 random sos1/indicator solves (linear seeds
# 5000-5299) came back certified "optimal" at a worse value or "infeasible" (seed 5292: 1.7358 instead of
# -0.2353), with presolve off too; without that separator none did.
SCIP_SOS_OPTIONS = {"presolving/donotaggr": True, "presolving/donotmultaggr": True,
                    "constraints/SOS1/sepafreq": -1}
#: SCIP's NLP components (NLP heuristics and relaxation solves) only look for incumbents; the branch and bound on LP
#: relaxations proves the optimum without them.  On the pure MIP encodings they cost most of the time: over the
#: bilevel catalogue, the scalable families and random fine-tuning games, sos1 and indicator were at most 2 ms slower
#: with them off and up to 17x faster (strategic bidding 595 -> 35 ms), with the same optima and labels
#: (benchmarks/scip_nlp.py; docs/benchmarks.md, "SCIP's NLP components").  The bilinear pairs of ``product`` and
#: ``strong_duality`` (and of a ``mixed`` choice of products) need them: Anandalingam-White by products took 34 ms
#: with them, 3.9 s without.
SCIP_MIP_OPTIONS = {"nlp/disable": True}
MIP_ENCODINGS = ("sos1", "indicator")
#: With SCIP's trivial presolver and its dual-fixing presolve, presolve declared the strong-duality program
#: (bilinear ν·x terms in the duality equation) of feasible linear bilevel problems infeasible: 6 of 400 random
#: solves with both on (linear seeds 5000-5199, both senses, e.g. 5069: optimum 3.83), 2 of 400 with the trivial one
#: off (seeds 9000-9199: 9050), none of 800 with both off (the product encoding was unaffected).
SCIP_STRONG_DUALITY_OPTIONS = {"presolving/trivial/maxrounds": 0, "propagating/dualfix/maxprerounds": 0}


def scip_config(model: Any, solver: str, config: SolveConfig, encoding: str, options: dict[str, Any]) -> SolveConfig:
    """The configuration SCIP gets for an encoded program: without variable aggregation and SOS1 separation when it
    has SOS1 sets, without NLP components for a pure MIP encoding (``sos1``, ``indicator``, or ``mixed`` without
    product pairs), without the trivial presolver for ``strong_duality``.  Options the user set win."""
    if solver != "scip":
        return config
    defaults: dict[str, Any] = {}
    if any(True for _ in model.component_data_objects(pyo.SOSConstraint, active=True, descend_into=True)):
        defaults.update(SCIP_SOS_OPTIONS)
    chosen = {encoding} if encoding != "mixed" else {options.get("default", "sos1"),
                                                     *dict(options.get("choices") or {}).values()}
    if chosen <= set(MIP_ENCODINGS):
        defaults.update(SCIP_MIP_OPTIONS)
    if "strong_duality" in chosen:
        defaults.update(SCIP_STRONG_DUALITY_OPTIONS)
    return config.with_(options={**defaults, **config.options}) if defaults else config


def leader_duals(bm: BilevelModel, duals: dict[str, Any]) -> dict[str, Any]:
    """The entries of the single-level ``duals`` that belong to the leader's rows (rows of ``bm.model`` that are not
    on a follower block); the KKT, link and encoding rows and the followers' primal rows are left out."""
    blocks = {id(f.block) for f in bm.followers}

    def on_follower(row: Any) -> bool:
        parent = row.parent_block()
        while parent is not None:
            if id(parent) in blocks:
                return True
            parent = parent.parent_block()
        return False

    leader = {c.name for c in bm.model.component_data_objects(pyo.Constraint, active=True, descend_into=True)
              if not on_follower(c)}
    return {k: v for k, v in duals.items() if k in leader}


def follower_multipliers(reform: Reformulation, values: dict[str, Any]) -> dict[str, float]:
    """Each follower row's multiplier ``s * (mu_lb - mu_ub - nu)`` (``s`` +1 min, -1 max) read from the solution
    ``values``: d(follower's optimal value)/d(rhs), the sign of ``Follower.dual`` (see ``kkt.py``)."""
    out: dict[str, float] = {}
    for fk in reform.kkt.followers:
        combo: dict[str, float] = {}
        for p in fk.pairs:
            if p.row is None:
                continue  # a variable bound, not a row
            mu = values.get(p.multiplier.name)
            if mu is None:
                continue
            combo[p.row.name] = combo.get(p.row.name, 0.0) + (mu if p.side == "lb" else -mu)
        for key, nu_var in fk.equality_multipliers.items():
            nu = values.get(nu_var.name)
            row = fk.equality_rows[key]
            if nu is not None:
                combo[row.name] = combo.get(row.name, 0.0) - nu
        out.update({name: float(fk.sign * val) for name, val in combo.items()})
    return out


def solve_bilevel(
    bm: BilevelModel,
    *,
    encoding: str = "sos1",
    solver: str | None = None,
    config: SolveConfig | None = None,
    certificate_solver: str | None = None,
    tolerance: float = 1e-5,
    polish: bool = True,
    **options: Any,
) -> BilevelResult:
    """Solve ``bm`` through the KKT reformulation with ``encoding`` and certify the answer.

    The backend is ``solver``, else ``FTGAMES_SOLVER``, else ``config.solver``, else the default policy for the
    encoded program (:mod:`ftgames.solvers.policy`: SCIP for every encoding while the program is small).  Times are
    wall clock: ``build_time`` (KKT system and encoding, bound tightening included), ``solve_time`` (every solve),
    ``certificate_time`` (the rest of the call: loading the solution, the followers' re-solves); ``total_time`` is
    their sum, the whole call.

    ``options`` go to the encoding (e.g. ``bigm=50``, ``bigm_default``, ``tighten``, ``choices``/``default`` for
    ``mixed``, ``eps_schedule`` for ``product``).  With ``polish`` (default) a solution is sharpened on its active set
    (:mod:`ftgames.formulations.bilevel.polish`) before it is certified, so that the arguments, not only the
    objective, are accurate.  The solution is also loaded into ``bm.model``'s variables.
    """
    t0 = time.perf_counter()
    config = config or SolveConfig()
    module = encoding_module(encoding)
    unknown = sorted(set(options) - set(module.OPTIONS))
    if unknown:
        raise OptionError(f"solve_bilevel: unknown option(s) {', '.join(unknown)} for encoding {encoding!r}; valid: "
                          f"{', '.join(module.OPTIONS) or 'none'} (and solver, config, certificate_solver, tolerance)")
    formulation = f"{bm.name}: kkt:{encoding}"
    reform = build_kkt(bm)
    needs = normalize_requirements(reform.requires() | encoding_requirements(encoding, options))
    if encoding == "enumeration":
        needs = reform.requires()
    choice = resolve_solver(Layer.PYOMO, needs, solver=solver, config=config, formulation=formulation,
                            size=sum(1 for _ in reform.model.component_data_objects(pyo.Var, descend_into=True)))
    name = choice.name
    check_backend(name, Layer.PYOMO, needs, formulation, choice.source)  # before any tightening solve
    if encoding == "enumeration":
        build_time = time.perf_counter() - t0
        t1 = time.perf_counter()
        raw = module.solve_pieces(reform, name, config, options)
        raw.solve_time = time.perf_counter() - t1  # wall clock over every piece, not the last piece's report
        exact = raw.is_global
        report = EncodingReport("enumeration", exact, pairs=[p.key for p in reform.kkt.pairs],
                                notes=raw.message.splitlines())
    else:
        encode(reform, encoding, options)
        report = reform.report
        build_time = time.perf_counter() - t0
        config = scip_config(reform.model, name, config, encoding, options)
        driver = getattr(module, "solve_encoded", None)
        t1 = time.perf_counter()
        if driver is not None:
            raw = driver(reform, name, config, options)
        else:
            raw = solve(reform.model, requires=reform.requires(), solver=name, config=config,
                        formulation=formulation)
        raw.solve_time = max(raw.solve_time, time.perf_counter() - t1)
    raw.backend_source = choice.source
    raw.build_time += build_time
    return finish(bm, reform, raw, report, encoding=encoding, backend=name, config=config, options=options,
                  polish=polish, certificate_solver=certificate_solver, tolerance=tolerance, start=t0)


def finish(bm: BilevelModel, reform: Reformulation, raw: SolveResult, report: EncodingReport | None, *,
           encoding: str, backend: str, config: SolveConfig, options: dict[str, Any], polish: bool,
           certificate_solver: str | None, tolerance: float, start: float, polish_kkt: Reformulation | None = None,
           resolver: Any = None) -> BilevelResult:
    """The part of :func:`solve_bilevel` after the single-level solve: wrap ``raw`` as a :class:`BilevelResult`,
    polish it on its active set, load it into ``bm.model`` and certify it.  A parametric program
    (:class:`ftgames.formulations.bilevel.parametric.ParametricBilevel`) calls it too, with the unencoded KKT
    program it keeps for the polish (``polish_kkt``) and the followers' re-solve models it keeps (``resolver``), so
    that a re-solve and a fresh build give the same result and certificate."""
    name, t0 = backend, start
    formulation = f"{bm.name}: kkt:{encoding}"
    if encoding != "enumeration":  # each piece of the enumeration is an LP or QP whose solver reports a ray
        raw = check_unbounded(reform.model, raw, requires=reform.requires, backend=name, config=config,
                              formulation=formulation, tolerance=tolerance)
    single_level = {k: getattr(raw, k) for k in SolveResult.__dataclass_fields__}
    single_level["duals"] = leader_duals(bm, raw.duals)
    result = BilevelResult(**single_level, encoding=encoding, report=report, reformulation=reform,
                           multipliers=follower_multipliers(reform, raw.values) if raw.ok else {})
    result.formulation = formulation
    if not raw.ok:
        reasons = [f"single-level solve ended with status {raw.status}: {raw.message}"]
        if raw.status is Status.INFEASIBLE:
            reasons.append("no leader decision satisfies the leader's rows with every follower at a finite optimum "
                           "(check that each follower's problem is feasible and bounded for the leader's choices)")
        result.certificate = Certificate(UNCERTIFIED, reasons=reasons)
        result.certificate_time = _rest(t0, result)
        return result
    if polish and encoding != "enumeration":  # enumeration solves each piece's smooth program already
        block = reform.model.component("complementarity")
        if polish_kkt is None and encoding in CONSTRAINT_ONLY_ENCODINGS and block is not None:
            # the solved program without its encoding block is the unencoded KKT program: polish on it rather
            # than building that program a second time
            polish_kkt = reform
            block.deactivate()
        else:
            block = None
        try:
            polished = polish_active_set(bm, raw.values, config=config, kkt=polish_kkt)
        finally:
            if block is not None:
                block.activate()
        if polished is not None:
            result.values.update(polished.values)
            result.multipliers = follower_multipliers(reform, result.values)
            load_values(reform.model, polished.values)  # the certificate reads multipliers and slacks there
            result.message += "; polished on its active set"
            if polished.duals and not result.duals:  # an LP piece: its leader rows' duals, local to the piece
                result.duals = leader_duals(bm, polished.duals)
                result.message += "; leader-row duals from the active-set LP"
    bm.load_values(result.values)
    result.objective = _leader_objective(bm, result.objective)
    active: list[str] = []
    unproven_active = False
    if report is not None and report.bigm:
        from .encodings.bigm import active_bounds

        flagged = active_bounds(report)
        active = [text for text, _ in flagged]
        unproven_active = any(not proven for _, proven in flagged)
    result.certificate = certify(
        bm,
        reform.kkt.pairs,
        solved_globally=raw.status is Status.OPTIMAL and raw.is_global,
        exact_encoding=report.exact if report is not None else False,
        bigm_active=active,
        unproven_bigm_active=unproven_active,
        solver=certificate_solver or "auto",
        tolerance=tolerance,
        resolver=resolver,
    )
    result.status = Status(reported_status(result.status, result.certificate.level))
    result.certificate_time = _rest(t0, result)
    if unproven_active and encoding == "bigm" and options.get("bigm") == "auto":
        return _hand_over(bm, result, name, config, certificate_solver, tolerance, polish, options, t0)
    return result


def _hand_over(bm: BilevelModel, bigm: BilevelResult, backend: str, config: SolveConfig,
               certificate_solver: str | None, tolerance: float, polish: bool, options: dict[str, Any],
               start: float) -> BilevelResult:
    """``bigm="auto"`` with an unproven M still active: solve again with the exact ``sos1`` encoding, on the same
    backend if it takes SOS1 constraints, else on the default policy's backend for that program.  Without such a
    backend the big-M result is returned, flagged, with the reason."""
    from ftgames.solvers import Capability, CapabilityError, capable_backends, policy_choice

    reform = build_kkt(bm)
    needs = normalize_requirements(reform.requires() | encoding_requirements("sos1", {}))
    if backend in capable_backends(Layer.PYOMO, needs):
        exact_backend = backend
    else:
        try:
            exact_backend = policy_choice(Layer.PYOMO, needs | {Capability.SOS1}, formulation=bigm.formulation).name
        except CapabilityError as err:
            bigm.certificate.reasons.append(f"bigm='auto': an unproven M stays active and no backend can take the "
                                            f"exact sos1 encoding ({err})")
            return bigm
    kept = {k: v for k, v in options.items() if k in encoding_module("sos1").OPTIONS}
    # the backend options in config belong to the first backend
    exact = solve_bilevel(bm, encoding="sos1", solver=exact_backend, config=replace(config, options={}),
                          certificate_solver=certificate_solver, tolerance=tolerance, polish=polish, **kept)
    active = "; ".join(bigm.certificate.bigm_active) or "an unproven M"
    exact.message = (f"bigm='auto' handed over to kkt:sos1 on {exact_backend} (big-M on {backend}: {active} "
                     f"active after {bigm.report.extras.get('auto_rounds', 0)} enlargement(s)); " + exact.message)
    if exact.report is not None:
        exact.report.notes.insert(0, exact.message)
        exact.report.extras["handed_over_from"] = bigm.report
    exact.build_time += bigm.build_time
    exact.solve_time += bigm.solve_time
    exact.certificate_time = max(time.perf_counter() - start - exact.build_time - exact.solve_time, 0.0)
    return exact


def _leader_objective(bm: BilevelModel, fallback: float | None) -> float | None:
    objectives = list(bm.model.component_data_objects(pyo.Objective, active=True, descend_into=False))
    return float(pyo.value(objectives[0])) if len(objectives) == 1 else fallback


def _rest(start: float, result: BilevelResult) -> float:
    """The part of the wall clock since ``start`` that build and solve do not account for."""
    return max(time.perf_counter() - start - result.build_time - result.solve_time, 0.0)
