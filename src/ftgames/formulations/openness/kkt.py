"""G's release stage as a single-level program: D's problem replaced by its KKT conditions, solved globally.

For one regime with interval [lo, hi] and cost c_reg(ω) (p for "pay", the compliance term K(ω) for "comply" when
θ > 0), with G's contract revenue G(ω, α1) (δ R(α1) for the constant contract):

    max_{ω, Δ, μ}  G(ω, α0 + Δ) + B(ω) − P(α0) − O(ω; α0) − c_reg(ω)
    s.t.           lo ≤ ω ≤ hi,  0 ≤ Δ ≤ Δ_max,  μ ≥ 0
                   ∂/∂Δ [R(α0 + Δ) − G(ω, α0 + Δ) − C(Δ; ω)] + μ = 0     (D's stationarity)
                   μ ⊥ Δ                                                (complementarity, SOS1 or big-M)

With a named contract D's problem is concave, so its KKT conditions are necessary and sufficient and the
reformulation is exact.  A custom contract δ(ω, α1) may make D's problem non-concave: its KKT conditions are then
only necessary, and each regime's optimum is reported as ``local``.  The
stationarity condition is bilinear or polynomial in (ω, Δ): SCIP solves the program to global optimality by spatial
branch and bound.  Derivatives are taken symbolically by Pyomo, so any term written with plain arithmetic (and
``exp``/``log``) works, including Python callables.

The model is built with the generic leader–follower layer (``ftgames.formulations.bilevel``) when it is importable
(``via="bilevel"``), else written directly in Pyomo (``via="pyomo"``); both use the same terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

from ...models.openness import OpennessGame, RegimeValue
from ...solvers import Capability, SolveConfig, solve
from .enumeration import regime_interval
from .follower import fine_tuning_step, regime_cost, step_cap, utilities

ENCODINGS = ("sos1", "bigm")


def _pyomo_ops() -> Any:
    import pyomo.environ as pyo

    return SimpleNamespace(exp=pyo.exp, log=pyo.log)


def step_upper_bound(game: OpennessGame, lo: float, hi: float, delta: float) -> float:
    """A valid bound Δ_max ≥ Δ*(ω) on [lo, hi].

    Separable cost κ(ω) Δ^k with linear revenue and a constant marginal share: Δ* is monotone in κ, so the larger of
    the two ends' closed forms.
    Otherwise ``model.max_fine_tuning`` if set, else 4× the largest best response on a grid of ω (stated in docs)."""
    if game.max_fine_tuning is not None:
        return float(game.max_fine_tuning)
    if not game.contract.separable:  # a custom contract: the bound every best step satisfies
        return float(np.max(step_cap(game, np.linspace(lo, hi, 33))))
    monotone = game.closed_form_follower and game.contract.constant_marginal  # Δ* monotone in κ(ω)
    omegas = np.linspace(lo, hi, 2 if monotone else 33)
    largest = float(np.max(fine_tuning_step(game, omegas, delta)))
    return (1.0 if monotone else 4.0) * largest * (1.0 + 1e-6) + 1e-6


@dataclass(frozen=True)
class KKTProgram:
    """A built single-level program and the names of its variables."""

    model: Any
    omega: Any
    step: Any
    multiplier: Any
    requires: frozenset[Capability]


def build_regime_kkt(game: OpennessGame, regime: str, encoding: str = "sos1") -> KKTProgram | None:
    """The KKT program of one regime (None if the regime's interval is empty)."""
    import pyomo.environ as pyo
    from pyomo.core.expr.calculus.derivatives import Modes, differentiate

    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    interval = regime_interval(game, regime)
    if interval is None:
        return None
    lo, hi = interval
    delta = game.delta
    step_max = step_upper_bound(game, lo, hi, delta)
    m = pyo.ConcreteModel(name=f"openness_{regime}_kkt")
    m.omega = pyo.Var(bounds=(lo, hi), initialize=0.5 * (lo + hi))
    m.follower = pyo.Block()
    m.follower.step = pyo.Var(bounds=(0.0, step_max), initialize=0.5 * step_max)
    m.follower.mu = pyo.Var(domain=pyo.NonNegativeReals)
    step = m.follower.step
    follower_objective, leader_objective = _objectives(game, regime, m.omega, step)
    m.follower.objective_expr = pyo.Expression(expr=follower_objective)
    gradient = differentiate(follower_objective, wrt=step, mode=Modes.reverse_symbolic)
    m.follower.stationarity = pyo.Constraint(expr=gradient + m.follower.mu == 0)
    if encoding == "sos1":
        m.follower.complementarity = pyo.SOSConstraint(
            initialize=lambda b: ([b.mu, b.step], [1, 2]), sos=1)
        requires = frozenset({Capability.SOS1, Capability.NLP})
    else:
        mu_max = _multiplier_bound(game, lo, hi, delta)
        m.follower.mu.setub(mu_max)
        m.follower.at_bound = pyo.Var(domain=pyo.Binary)  # 1: Δ = 0 and μ free; 0: μ = 0 and Δ free
        m.follower.mu_off = pyo.Constraint(expr=m.follower.mu <= mu_max * m.follower.at_bound)
        m.follower.step_off = pyo.Constraint(expr=step <= step_max * (1 - m.follower.at_bound))
        requires = frozenset({Capability.MILP, Capability.NLP})
    m.objective = pyo.Objective(expr=leader_objective, sense=pyo.maximize)
    return KKTProgram(m, m.omega, step, m.follower.mu, requires)


def _regime_cost_expr(game: OpennessGame, regime: str, omega: Any, ops: Any, params: Any = None) -> Any:
    """The regime's cost as an expression of ω (see ``follower.regime_cost``); with ``params`` (a parametric model)
    the penalty and the switch of the compliance term (1 when θ > 0, else 0) are its mutable ``Param`` s."""
    if regime == "pay":
        return game.regulation.penalty if params is None else params.penalty
    if params is not None:
        return params.compliance_on * game.compliance_cost(omega, ops=ops)
    return game.compliance_cost(omega, ops=ops) if game.regulation.theta > 0.0 else 0.0


def _objectives(game: OpennessGame, regime: str, omega: Any, step: Any, params: Any = None) -> tuple[Any, Any]:
    """(D's objective, G's objective) of one regime as Pyomo expressions of ω and Δ (``params``: the contract's
    level, the penalty and the compliance switch as mutable ``Param`` s of a parametric model)."""
    ops = _pyomo_ops()
    alpha1 = game.alpha0 + step
    level = game.delta if params is None else params.delta
    try:
        to_g = game.contract.generalist_revenue(omega, game.alpha0, alpha1, level, game.revenue, ops=ops)
        follower = game.revenue(alpha1, ops=ops) - to_g - game.fine_tuning_cost(step, omega, ops=ops)
        leader = (to_g + game.benefit(omega, ops=ops) - float(game.production_cost(game.alpha0))
                  - game.operation_cost(omega, game.alpha0, ops=ops)
                  - _regime_cost_expr(game, regime, omega, ops, params))
    except Exception as exc:  # a custom callable that is not expressible in Pyomo
        raise ValueError(f"the KKT formulation needs terms written with arithmetic, exp and log; a term failed on a "
                         f"Pyomo expression ({type(exc).__name__}: {exc}); use formulation='enumeration'") from exc
    return follower, leader


def _proof(game: OpennessGame, is_global: bool) -> str:
    """"global" only for a solver's global optimum of an exact reformulation (D concave: a named contract)."""
    return "global" if is_global and game.contract.separable else "local"


def _multiplier_bound(game: OpennessGame, lo: float, hi: float, delta: float) -> float:
    """A big-M bound on μ.  μ = ∂C/∂Δ − (1 − δ) R' can be positive only at Δ = 0, where ∂C/∂Δ(0; ω) = 0 for k > 1,
    so μ = 0 there too for the families; 1 + (1 − δ) R'(α0) leaves room for custom terms."""
    return 1.0 + float((1.0 - delta) * np.max(np.abs(game.revenue.derivative(np.array([game.alpha0])))))


def solve_regime_kkt(game: OpennessGame, regime: str, *, encoding: str = "sos1", solver: str | None = None,
                     config: SolveConfig | None = None) -> RegimeValue:
    """Solve one regime's KKT program; report the status honestly (only SCIP/Gurobi optima are global)."""
    program = build_regime_kkt(game, regime, encoding)
    if program is None:
        return RegimeValue(regime, feasible=False)
    result = solve(program.model, requires=program.requires, solver=solver, config=config or SolveConfig(),
                   formulation=f"openness {regime}: kkt_direct:{encoding}")
    if not result.ok:  # a non-empty regime always has a solution: any other status is a failure, not "empty"
        return RegimeValue(regime, True, status=f"{result.status}: {result.message}")
    lo, hi = regime_interval(game, regime)
    omega = _sharpened(game, regime, min(max(float(program.omega.value), lo), hi), lo, hi)
    step = float(fine_tuning_step(game, omega))
    u_g, u_d = utilities(game, omega, step, game.delta, regime_cost(game, regime, omega))
    return RegimeValue(regime, True, omega, step, float(u_g), float(u_d),
                       proof=_proof(game, result.is_global), status=str(result.status), backend=result.backend)


def _sharpened(game: OpennessGame, regime: str, omega: float, lo: float, hi: float) -> float:
    """G's openness near the solver's ``omega`` to machine precision: V(ω) = U_G(ω, Δ*(ω)) − the regime's cost (D's
    exact best response substituted) maximized over ω ± 1e-3 of the regime's interval, kept only if it is no worse
    than V at ``omega``.  The solver's point is within its feasibility tolerance of D's response (ω was 1.2e-4
    off on the exemption example); the polish the bilevel layer applies is not run on this direct program."""
    from scipy.optimize import minimize_scalar

    from .follower import leader_value

    def value(w: float) -> float:
        return float(leader_value(game, w, penalty=regime_cost(game, regime, w)))

    width = 1e-3 * (hi - lo) if np.isfinite(hi - lo) else 1e-3
    a, b = max(lo, omega - width), min(hi, omega + width)
    if not b > a:
        return omega
    found = minimize_scalar(lambda w: -value(w), bounds=(a, b), method="bounded", options={"xatol": 1e-13})
    candidates = [omega, a, b] + ([float(found.x)] if found.success else [])
    return max(candidates, key=value)


# ------------------------------------------------------------------------------------ through the bilevel layer
def build_regime_bilevel(game: OpennessGame, regime: str, *, parametric: bool = False,
                         step_max: float | None = None) -> Any:
    """The regime as a :class:`~ftgames.formulations.bilevel.BilevelModel`: G (leader) chooses ω on the regime's
    interval, D (follower ``fine_tuning``) maximizes (1 − δ) R(α0 + Δ) − C(Δ; ω) over 0 ≤ Δ ≤ Δ_max.  The layer
    writes D's KKT conditions and the complementarity encoding.  None if the regime is empty.

    With ``parametric`` the contract's level δ, the threshold θ (an end of ω's interval), the penalty p and the
    switch of the compliance term (1 when θ > 0) are mutable ``Param`` s ``delta``, ``theta``, ``penalty`` and
    ``compliance_on``, and Δ_max is ``step_max`` (a bound valid for every value the program will be given:
    :class:`ftgames.formulations.openness.parametric.OpennessKKTProgram`); the pay regime is then built even when
    θ = 0 (ω ∈ [0, 0]: the program is not solved while θ = 0)."""
    import pyomo.environ as pyo

    from ..bilevel import BilevelModel

    interval = regime_interval(game, regime)
    if interval is None and not parametric:
        return None
    lo, hi = interval or (0.0, 0.0)
    if step_max is None:
        step_max = step_upper_bound(game, lo, hi, game.delta)
    bm = BilevelModel(f"openness_{regime}")
    m = bm.model
    params = None
    if parametric:
        m.delta = pyo.Param(mutable=True, initialize=game.delta, doc="the contract's level (G's share)")
        m.theta = pyo.Param(mutable=True, initialize=game.regulation.theta, doc="the openness threshold")
        m.penalty = pyo.Param(mutable=True, initialize=game.regulation.penalty, doc="the penalty short of θ")
        m.compliance_on = pyo.Param(mutable=True, initialize=1.0 if game.regulation.theta > 0.0 else 0.0,
                                    doc="1 when θ > 0 (the compliance term applies), else 0")
        params = m
        bounds = (m.theta, 1.0) if regime == "comply" else (0.0, m.theta)
    else:
        bounds = (lo, hi)
    m.omega = pyo.Var(bounds=bounds, initialize=0.5 * (lo + hi))
    follower = bm.add_follower("fine_tuning", sense="max", assume_convex=True)
    follower.block.step = pyo.Var(bounds=(0.0, step_max), initialize=0.5 * step_max)
    follower_objective, leader_objective = _objectives(game, regime, m.omega, follower.block.step, params)
    follower.set_objective(follower_objective)
    m.objective = pyo.Objective(expr=leader_objective, sense=pyo.maximize)
    return bm


def solve_regime_bilevel(game: OpennessGame, regime: str, *, encoding: str = "sos1", solver: str | None = None,
                         config: SolveConfig | None = None) -> RegimeValue:
    """Solve one regime with ``solve_bilevel``; "global" only for a certificate of level global."""
    from ..bilevel import solve_bilevel

    bm = build_regime_bilevel(game, regime)
    if bm is None:
        return RegimeValue(regime, feasible=False)
    result = solve_bilevel(bm, encoding=encoding, solver=solver, config=config or SolveConfig())
    return regime_value(game, regime, bm, result)


def regime_value(game: OpennessGame, regime: str, bm: Any, result: Any) -> RegimeValue:
    """The regime's record from its solved bilevel model (a fresh build or a parametric program's re-solve)."""
    if not result.ok:  # a non-empty regime always has a solution: any other status is a failure, not "empty"
        return RegimeValue(regime, True, status=f"{result.status}: {result.message}")
    if result.certificate is None or result.certificate.level == "none":
        reasons = "; ".join(result.certificate.reasons) if result.certificate else result.message
        return RegimeValue(regime, True, status=f"uncertified: {reasons}")
    lo, hi = regime_interval(game, regime)
    omega = min(max(float(bm.model.omega.value), lo), hi)
    step = max(float(bm.model.fine_tuning.step.value), 0.0)
    u_g, u_d = utilities(game, omega, step, game.delta, regime_cost(game, regime, omega))
    proof = _proof(game, result.certificate.level == "global")
    return RegimeValue(regime, True, omega, step, float(u_g), float(u_d), proof=proof, status=str(result.status),
                       backend=result.backend)
