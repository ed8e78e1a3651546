"""G's release stage as a single-level program: D's problem replaced by its KKT conditions, solved globally.

For one regime with interval [lo, hi] and penalty p_reg (p for "pay", 0 for "comply"):

    max_{ω, Δ, μ}  δ R(α0 + Δ) + B(ω) − P(α0) − O(ω; α0) − p_reg
    s.t.           lo ≤ ω ≤ hi,  0 ≤ Δ ≤ Δ_max,  μ ≥ 0
                   ∂/∂Δ [(1 − δ) R(α0 + Δ) − C(Δ; ω)] + μ = 0        (D's stationarity)
                   μ ⊥ Δ                                            (complementarity, SOS1 or big-M)

D's problem is concave, so its KKT conditions are necessary and sufficient and the reformulation is exact.  The
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
from .enumeration import regime_interval, regime_penalty
from .follower import fine_tuning_step

ENCODINGS = ("sos1", "bigm")


def _pyomo_ops() -> Any:
    import pyomo.environ as pyo

    return SimpleNamespace(exp=pyo.exp, log=pyo.log)


def step_upper_bound(game: OpennessGame, lo: float, hi: float, delta: float) -> float:
    """A valid bound Δ_max ≥ Δ*(ω) on [lo, hi].

    Separable cost κ(ω) Δ^k with linear revenue: Δ* is monotone in κ, so the larger of the two ends' closed forms.
    Otherwise ``model.max_fine_tuning`` if set, else 4× the largest best response on a grid of ω (stated in docs)."""
    if game.max_fine_tuning is not None:
        return float(game.max_fine_tuning)
    omegas = np.linspace(lo, hi, 2 if game.closed_form_follower else 33)
    largest = float(np.max(fine_tuning_step(game, omegas, delta)))
    return (1.0 if game.closed_form_follower else 4.0) * largest * (1.0 + 1e-6) + 1e-6


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
    ops = _pyomo_ops()
    step_max = step_upper_bound(game, lo, hi, delta)
    m = pyo.ConcreteModel(name=f"openness_{regime}_kkt")
    m.omega = pyo.Var(bounds=(lo, hi), initialize=0.5 * (lo + hi))
    m.follower = pyo.Block()
    m.follower.step = pyo.Var(bounds=(0.0, step_max), initialize=0.5 * step_max)
    m.follower.mu = pyo.Var(domain=pyo.NonNegativeReals)
    step = m.follower.step
    try:
        follower_objective = ((1.0 - delta) * game.revenue(game.alpha0 + step, ops=ops)
                              - game.fine_tuning_cost(step, m.omega, ops=ops))
        leader_objective = (delta * game.revenue(game.alpha0 + step, ops=ops) + game.benefit(m.omega, ops=ops)
                            - float(game.production_cost(game.alpha0))
                            - game.operation_cost(m.omega, game.alpha0, ops=ops) - regime_penalty(game, regime))
    except Exception as exc:  # a custom callable that is not expressible in Pyomo
        raise ValueError(f"the KKT formulation needs terms written with arithmetic, exp and log; a term failed on a "
                         f"Pyomo expression ({type(exc).__name__}: {exc}); use formulation='enumeration'") from exc
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
    omega = min(max(float(program.omega.value), lo), hi)  # clip the solver's feasibility tolerance
    step = max(float(program.step.value), 0.0)
    from .follower import utilities

    u_g, u_d = utilities(game, omega, step, game.delta, regime_penalty(game, regime))
    return RegimeValue(regime, True, omega, step, float(u_g), float(u_d),
                       proof="global" if result.is_global else "local", status=str(result.status),
                       backend=result.backend)


# ------------------------------------------------------------------------------------ through the bilevel layer
def build_regime_bilevel(game: OpennessGame, regime: str) -> Any:
    """The regime as a :class:`~ftgames.formulations.bilevel.BilevelModel`: G (leader) chooses ω on the regime's
    interval, D (follower ``fine_tuning``) maximizes (1 − δ) R(α0 + Δ) − C(Δ; ω) over 0 ≤ Δ ≤ Δ_max.  The layer
    writes D's KKT conditions and the complementarity encoding.  None if the regime is empty."""
    import pyomo.environ as pyo

    from ..bilevel import BilevelModel

    interval = regime_interval(game, regime)
    if interval is None:
        return None
    lo, hi = interval
    delta = game.delta
    ops = _pyomo_ops()
    step_max = step_upper_bound(game, lo, hi, delta)
    bm = BilevelModel(f"openness_{regime}")
    m = bm.model
    m.omega = pyo.Var(bounds=(lo, hi), initialize=0.5 * (lo + hi))
    follower = bm.add_follower("fine_tuning", sense="max", assume_convex=True)
    follower.block.step = pyo.Var(bounds=(0.0, step_max), initialize=0.5 * step_max)
    step = follower.block.step
    try:
        follower.set_objective((1.0 - delta) * game.revenue(game.alpha0 + step, ops=ops)
                               - game.fine_tuning_cost(step, m.omega, ops=ops))
        m.objective = pyo.Objective(
            expr=delta * game.revenue(game.alpha0 + step, ops=ops) + game.benefit(m.omega, ops=ops)
            - float(game.production_cost(game.alpha0)) - game.operation_cost(m.omega, game.alpha0, ops=ops)
            - regime_penalty(game, regime), sense=pyo.maximize)
    except Exception as exc:
        raise ValueError(f"the KKT formulation needs terms written with arithmetic, exp and log; a term failed on a "
                         f"Pyomo expression ({type(exc).__name__}: {exc}); use formulation='enumeration'") from exc
    return bm


def solve_regime_bilevel(game: OpennessGame, regime: str, *, encoding: str = "sos1", solver: str | None = None,
                         config: SolveConfig | None = None) -> RegimeValue:
    """Solve one regime with ``solve_bilevel``; "global" only for a certificate of level global."""
    from ..bilevel import solve_bilevel
    from .follower import utilities

    bm = build_regime_bilevel(game, regime)
    if bm is None:
        return RegimeValue(regime, feasible=False)
    result = solve_bilevel(bm, encoding=encoding, solver=solver, config=config or SolveConfig())
    if not result.ok:  # a non-empty regime always has a solution: any other status is a failure, not "empty"
        return RegimeValue(regime, True, status=f"{result.status}: {result.message}")
    if result.certificate is None or result.certificate.level == "none":
        reasons = "; ".join(result.certificate.reasons) if result.certificate else result.message
        return RegimeValue(regime, True, status=f"uncertified: {reasons}")
    lo, hi = regime_interval(game, regime)
    omega = min(max(float(bm.model.omega.value), lo), hi)
    step = max(float(bm.model.fine_tuning.step.value), 0.0)
    u_g, u_d = utilities(game, omega, step, game.delta, regime_penalty(game, regime))
    proof = "global" if result.certificate.level == "global" else "local"
    return RegimeValue(regime, True, omega, step, float(u_g), float(u_d), proof=proof, status=str(result.status),
                       backend=result.backend)
