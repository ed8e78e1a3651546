"""``solve_bilevel``: reformulate, check the backend, solve, load the solution back, and certify it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import SolveConfig, SolveResult, Status, check_backend, solve
from ftgames.solvers.capabilities import Layer

from .certificate import UNCERTIFIED, Certificate, certify
from .encodings import EncodingReport, encoding_module
from .model import BilevelModel
from .reformulate import Reformulation, build_kkt, encode, encoding_requirements, normalize_requirements

DEFAULT_SOLVER = "scip"


class NotCertified(RuntimeError):
    """An uncertified bilevel result was asked for as an equilibrium."""


@dataclass
class BilevelResult(SolveResult):
    """A :class:`SolveResult` of the single-level program plus the certificate and the encoding's report."""

    encoding: str = ""
    certificate: Certificate | None = None
    report: EncodingReport | None = None
    reformulation: Reformulation | None = field(default=None, repr=False)

    @property
    def certified(self) -> bool:
        return self.certificate is not None and self.certificate.certified

    @property
    def label(self) -> str:
        return self.certificate.label if self.certificate is not None else UNCERTIFIED

    def require_certified(self) -> BilevelResult:
        """Return self if the solution is a certified equilibrium, else raise :class:`NotCertified`."""
        if not self.certified:
            why = "; ".join(self.certificate.reasons) if self.certificate else self.message
            raise NotCertified(f"{self.formulation}: status {self.status}, not certified: {why}")
        return self

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["encoding"] = self.encoding
        out["certificate"] = self.certificate.to_dict() if self.certificate else None
        if self.report is not None:
            out["bigm"] = [vars(v) for v in self.report.bigm]
        return out


# SCIP 9's presolve aggregates variables that sit in SOS1 sets unsoundly: on a random bilevel instance the
# indicator encoding (SOS1{slack, w} with w = 1 - z aggregated away) came back "optimal" at -4 while -12 was feasible
# (tests/bilevel/test_random_instances.py, general seed 4); forbidding (multi-)aggregation restores the optimum.
SCIP_SOS_OPTIONS = {"presolving/donotaggr": True, "presolving/donotmultaggr": True}


def sos_safe_config(model: Any, solver: str, config: SolveConfig) -> SolveConfig:
    """On SCIP, a model with SOS1 sets is solved without variable aggregation (unless the user set those options)."""
    if solver != "scip" or not any(True for _ in model.component_data_objects(pyo.SOSConstraint, active=True,
                                                                                descend_into=True)):
        return config
    return config.with_(options={**SCIP_SOS_OPTIONS, **config.options})


def solve_bilevel(
    bm: BilevelModel,
    *,
    encoding: str = "sos1",
    solver: str | None = None,
    config: SolveConfig | None = None,
    certificate_solver: str | None = None,
    tolerance: float = 1e-5,
    **options: Any,
) -> BilevelResult:
    """Solve ``bm`` through the KKT reformulation with ``encoding`` on backend ``solver`` and certify the answer.

    ``options`` go to the encoding (e.g. ``bigm=50``, ``bigm_default``, ``tighten``, ``choices``/``default`` for
    ``mixed``, ``eps_schedule`` for ``product``).  The solution is also loaded into ``bm.model``'s variables.
    """
    config = config or SolveConfig()
    name = solver or config.solver or DEFAULT_SOLVER
    module = encoding_module(encoding)
    formulation = f"{bm.name}:kkt+{encoding}"
    t0 = time.perf_counter()
    reform = build_kkt(bm)
    needs = normalize_requirements(reform.requires() | encoding_requirements(encoding, options))
    if encoding == "enumeration":
        needs = reform.requires()
    check_backend(name, Layer.PYOMO, needs, formulation)  # fails before the encoding's tightening solves
    if encoding == "enumeration":
        build_time = time.perf_counter() - t0
        raw = module.solve_pieces(reform, name, config, options)
        exact = raw.is_global
        report = EncodingReport("enumeration", exact, pairs=[p.key for p in reform.kkt.pairs],
                                notes=raw.message.splitlines())
    else:
        encode(reform, encoding, options)
        report = reform.report
        build_time = time.perf_counter() - t0
        config = sos_safe_config(reform.model, name, config)
        driver = getattr(module, "solve_encoded", None)
        if driver is not None:
            raw = driver(reform, name, config, options)
        else:
            raw = solve(reform.model, requires=reform.requires(), solver=name, config=config,
                        formulation=formulation)
    raw.build_time += build_time
    result = BilevelResult(**{k: getattr(raw, k) for k in SolveResult.__dataclass_fields__},
                           encoding=encoding, report=report, reformulation=reform)
    result.formulation = formulation
    if not raw.ok:
        reasons = [f"single-level solve ended with status {raw.status}: {raw.message}"]
        if raw.status is Status.INFEASIBLE:
            reasons.append("no leader decision satisfies the leader's rows with every follower at a finite optimum "
                           "(check that each follower's problem is feasible and bounded for the leader's choices)")
        result.certificate = Certificate(UNCERTIFIED, reasons=reasons)
        return result
    bm.load_values(raw.values)
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
    )
    return result
