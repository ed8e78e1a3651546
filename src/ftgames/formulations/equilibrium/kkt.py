"""The investment stage through the leader–follower layer: G leads with α0, each D_i follows with α_i ≥ α0.

    G:    max_{0 ≤ α0 ≤ ᾱ}  Σ_i δ_i r_i(α_i) − φ0(α0)
    D_i:  max_{α_i}         (1 − δ_i) r_i(α_i) − φ_i(α_i − α0)     s.t.  α_i ≥ α0      (δ fixed: parameters)

Each follower is concave, so its KKT conditions are exact; :func:`ftgames.formulations.bilevel.solve_bilevel`
reformulates them with a complementarity encoding: ``sos1``, ``bigm``, ``indicator`` or ``product``; the backend
comes from ``solver=``, ``FTGAMES_SOLVER``, ``config`` or the default policy (SCIP, global, while the program is
small; Ipopt, local, for a large ``product`` program).  Entry costs are a discrete participation choice that KKT
conditions cannot express: use the ``enumeration`` formulation for them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pyomo.environ as pyo

from ...errors import OptionError
from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import Equilibrium, Level
from ...solvers import SolveConfig
from .certificate import make_equilibrium

ENCODINGS = ("sos1", "bigm", "indicator", "product")


def _power(x: Any, p: float) -> Any:
    return x if p == 1.0 else x ** p


def build_bilevel(game: FineTuningGame, delta: Sequence[float], *, parametric: bool = False) -> Any:
    """The leader–follower model at shares δ (a :class:`~ftgames.formulations.bilevel.BilevelModel`).

    With ``parametric`` the shares are a mutable ``Param`` ``model.delta[i]`` (set to ``delta``) instead of numbers
    written into the expressions, so that the program can be re-solved for new shares
    (:class:`ftgames.formulations.equilibrium.parametric.EquilibriumProgram`)."""
    from ..bilevel import BilevelModel

    if game.has_entry_decisions:
        raise ModelError("formulation 'kkt' needs entry_cost = 0 and outside_option = 0 (participation is a "
                         "discrete choice the followers' KKT conditions cannot express); use 'enumeration'")
    delta = game.check_delta(delta)
    bm = BilevelModel("fine_tuning_investment")
    m = bm.model
    upper = game.scale_hint()
    start = 0.1 * min(upper, 1.0)  # an interior start: r(α) = α^ρ has an infinite slope at 0
    m.alpha0 = pyo.Var(bounds=(0.0, upper), initialize=start)
    g = game.generalist_cost
    if parametric:
        m.delta = pyo.Param(range(game.n), mutable=True, initialize=dict(enumerate(delta)),
                            doc="G's revenue share of each domain")
    income = []
    for i, (value, cost, rev) in enumerate(zip(delta, game.specialist_costs, game.revenues, strict=True)):
        d = m.delta[i] if parametric else value
        reach = upper + game.follower_response(i, 0.0, upper).increment
        quadratic_follower = cost.exponent == 2.0 and rev.is_linear
        f = bm.add_follower(f"specialist_{i}", sense="max", assume_convex=not quadratic_follower)
        b = f.block
        floor = 0.0 if rev.is_linear else 1e-9  # keeps α^ρ differentiable
        b.alpha = pyo.Var(bounds=(floor, reach),
                          initialize=start + game.follower_response(i, value, start).increment)
        b.above_generalist = pyo.Constraint(expr=b.alpha - m.alpha0 >= 0)
        own_revenue = rev.rate * _power(b.alpha, rev.power)
        f.set_objective((1.0 - d) * own_revenue - cost.coefficient * _power(b.alpha - m.alpha0, cost.exponent)
                        - cost.linear * (b.alpha - m.alpha0))
        income.append(d * own_revenue)
    m.leader_objective = pyo.Objective(expr=sum(income) - g.coefficient * _power(m.alpha0, g.exponent),
                                       sense=pyo.maximize)
    return bm


#: Largest game the KKT program is built for (seconds at 16 specialists, minutes at 40).
MAX_SPECIALISTS = 16


def solve_kkt(game: FineTuningGame, delta: float | Sequence[float], *, encoding: str = "sos1",
              solver: str | None = None, config: SolveConfig | None = None, polish: bool = True,
              **options: Any) -> Equilibrium:
    """The SPE at δ from the KKT single-level program; the equilibrium's certificate is global only if the bilevel
    layer certified a proven global optimum and every follower re-solves to the same answer.

    A solver stops within its feasibility tolerance, which on G's flat optimum leaves α0 accurate to about
    √tolerance; with ``polish`` the bilevel layer re-solves the answer on its active set
    (:mod:`ftgames.formulations.bilevel.polish`).
    """
    from ..bilevel import solve_bilevel
    from ..bilevel.encodings import encoding_module

    if encoding not in ENCODINGS:
        raise ModelError(f"kkt encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    valid = ("solver", "config", "polish", "certificate_solver", "tolerance", *encoding_module(encoding).OPTIONS)
    unknown = sorted(set(options) - set(valid))
    if unknown:
        raise OptionError(f"solve_equilibrium(formulation='kkt:{encoding}'): unknown option(s) {', '.join(unknown)}; "
                          f"valid: {', '.join(valid)}")
    if game.n > MAX_SPECIALISTS:
        raise ModelError(f"formulation 'kkt:{encoding}' handles at most {MAX_SPECIALISTS} specialists (its branch "
                         f"and bound grows exponentially), got {game.n}; use closed_form or enumeration")
    delta = game.check_delta(delta)
    t0 = time.perf_counter()
    bm = build_bilevel(game, delta)
    build_time = time.perf_counter() - t0
    result = solve_bilevel(bm, encoding=encoding, solver=solver, config=config, polish=polish, **options)
    return equilibrium_of(game, delta, bm, result, encoding, build_time)


def equilibrium_of(game: FineTuningGame, delta: Sequence[float], bm: Any, result: Any, encoding: str,
                   build_time: float = 0.0) -> Equilibrium:
    """The equilibrium record of a solved bilevel model of the game (:func:`solve_kkt` and the parametric program
    :class:`~ftgames.formulations.equilibrium.parametric.EquilibriumProgram` both end here)."""
    result.raise_for_status()
    proved = result.certificate is not None and result.certificate.level is Level.GLOBAL
    alpha0, alpha = _read(bm, game.n)
    name = result.backend
    used = f"{name}+active-set-polish" if "polished" in result.message else name
    return make_equilibrium(game, delta, alpha0, alpha, [True] * game.n, formulation=f"kkt:{encoding}", solver=used,
                            global_method=proved, status=str(result.status), backend=name,
                            build_time=build_time + result.build_time)


def _read(bm: Any, n: int) -> tuple[float, list[float]]:
    alpha0 = float(bm.model.alpha0.value)
    return alpha0, [float(bm.follower(f"specialist_{i}").block.alpha.value) for i in range(n)]
