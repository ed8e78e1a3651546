"""The investment stage through the leader–follower layer: G leads with α0, each D_i follows with α_i ≥ α0.

    G:    max_{0 ≤ α0 ≤ ᾱ}  Σ_i δ_i r_i(α_i) − φ0(α0)
    D_i:  max_{α_i}         (1 − δ_i) r_i(α_i) − φ_i(α_i − α0)     s.t.  α_i ≥ α0      (δ fixed: parameters)

Each follower is concave, so its KKT conditions are exact; :func:`ftgames.formulations.bilevel.solve_bilevel`
reformulates them with a complementarity encoding: ``sos1``, ``bigm``, ``indicator`` (SCIP: global) or ``product``
(Ipopt: local; SCIP: global).  Entry costs are a discrete participation choice that KKT conditions cannot express:
use the ``enumeration`` formulation for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyomo.environ as pyo

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import Equilibrium
from ...solvers import SolveConfig
from .certificate import make_equilibrium

ENCODINGS = ("sos1", "bigm", "indicator", "product")
DEFAULT_SOLVER = {"sos1": "scip", "bigm": "scip", "indicator": "scip", "product": "ipopt"}


def _power(x: Any, p: float) -> Any:
    return x if p == 1.0 else x ** p


def build_bilevel(game: FineTuningGame, delta: Sequence[float]) -> Any:
    """The leader–follower model at shares δ (a :class:`~ftgames.formulations.bilevel.BilevelModel`)."""
    from ..bilevel import BilevelModel

    if game.has_entry_decisions:
        raise ModelError("formulation 'kkt' needs entry_cost = 0 and outside_option = 0 (participation is a "
                         "discrete choice the followers' KKT conditions cannot express); use 'enumeration'")
    delta = game.check_delta(delta)
    bm = BilevelModel("fine_tuning_investment")
    m = bm.model
    upper = game.scale_hint()
    m.alpha0 = pyo.Var(bounds=(0.0, upper), initialize=0.0)
    g = game.generalist_cost
    income = []
    for i, (d, cost, rev) in enumerate(zip(delta, game.specialist_costs, game.revenues, strict=True)):
        reach = upper + game.follower_response(i, 0.0, upper).increment
        quadratic_follower = cost.exponent == 2.0 and rev.is_linear
        f = bm.add_follower(f"specialist_{i}", sense="max", assume_convex=not quadratic_follower)
        b = f.block
        b.alpha = pyo.Var(bounds=(0.0, reach), initialize=0.0)
        b.above_generalist = pyo.Constraint(expr=b.alpha - m.alpha0 >= 0)
        own_revenue = rev.rate * _power(b.alpha, rev.power)
        f.set_objective((1.0 - d) * own_revenue - cost.coefficient * _power(b.alpha - m.alpha0, cost.exponent)
                        - cost.linear * (b.alpha - m.alpha0))
        income.append(d * own_revenue)
    m.leader_objective = pyo.Objective(expr=sum(income) - g.coefficient * _power(m.alpha0, g.exponent),
                                       sense=pyo.maximize)
    return bm


def solve_kkt(game: FineTuningGame, delta: float | Sequence[float], *, encoding: str = "sos1",
              solver: str | None = None, config: SolveConfig | None = None, polish: bool = True,
              **options: Any) -> Equilibrium:
    """The SPE at δ from the KKT single-level program; the equilibrium's certificate is global only if the bilevel
    layer certified a proven global optimum and every follower re-solves to the same answer.

    A global solver stops within its feasibility tolerance, which on G's flat optimum leaves α0 accurate to about
    √tolerance; with ``polish`` the answer is re-solved locally (``product`` encoding on Ipopt) from the global
    solution and kept if G's utility is at least as high (the global solve located the basin, Ipopt sharpens it).
    """
    from ..bilevel import CERTIFIED_GLOBAL, solve_bilevel

    if encoding not in ENCODINGS:
        raise ModelError(f"kkt encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")
    delta = game.check_delta(delta)
    bm = build_bilevel(game, delta)
    name = solver or (config.solver if config else None) or DEFAULT_SOLVER[encoding]
    result = solve_bilevel(bm, encoding=encoding, solver=name, config=config, **options)
    result.raise_for_status()
    proved = result.certificate is not None and result.certificate.label == CERTIFIED_GLOBAL
    alpha0, alpha = _read(bm, game.n)
    used = name
    if polish and name != "ipopt":
        refined = _polish(game, delta, alpha0, alpha, config)
        if refined is not None:
            alpha0, alpha = refined
            used = f"{name}+ipopt-polish"
    return make_equilibrium(game, delta, alpha0, alpha, [True] * game.n, formulation=f"kkt+{encoding}", solver=used,
                            global_method=proved)


def _read(bm: Any, n: int) -> tuple[float, list[float]]:
    alpha0 = float(bm.model.alpha0.value)
    return alpha0, [float(bm.follower(f"specialist_{i}").block.alpha.value) for i in range(n)]


def _polish(game: FineTuningGame, delta: tuple[float, ...], alpha0: float, alpha: list[float],
            config: SolveConfig | None) -> tuple[float, list[float]] | None:
    from ...solvers import get_backend
    from ...solvers.capabilities import Layer
    from ..bilevel import solve_bilevel

    if not get_backend("ipopt").availability(Layer.PYOMO).available:
        return None
    bm = build_bilevel(game, delta)
    bm.model.alpha0.value = alpha0
    for i, a in enumerate(alpha):
        bm.follower(f"specialist_{i}").block.alpha.value = a
    local = solve_bilevel(bm, encoding="product", solver="ipopt", config=(config or SolveConfig()).with_(
        solver="ipopt"))
    if not local.ok or local.certificate is None or not local.certificate.certified:
        return None
    new0, new = _read(bm, game.n)
    participating = [True] * game.n
    before = game.generalist_utility(delta, alpha0, alpha, participating)
    after = game.generalist_utility(delta, new0, new, participating)
    return (new0, new) if after >= before - 1e-9 * max(1.0, abs(before)) else None
