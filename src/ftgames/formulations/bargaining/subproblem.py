"""The decomposition's subproblem as an explicit Pyomo program: the bargain over δ at a fixed S = Σ_j δ_j r_j.

With linear revenue, k_i ≥ 2 and b_i = 0, G's investment is α0 = A(S) once S is fixed, so the program below has
the game's utilities as expressions of δ alone (``U_G``, ``U_D[i]``), the coupling ``coupling: Σ r_i δ_i = S`` and
the criterion as its objective:

    max  criterion(U_G, U_D)   s.t.  Σ_i r_i δ_i = S,   0 ≤ δ_i ≤ 1

It is the program each point of :mod:`.decomposition`'s search solves (there by per-domain Newton steps on its
dual, vectorised), written out so that it can be inspected (``model.pprint()``), extended with constraints and
solved with any NLP backend.  For Nash it is concave (g_i concave, U_Di − d_i log-concave), for the max–min criteria
its feasible set is convex (each U_Di is monotone in δ_i), so a local solver's optimum is the fixed-S optimum; the
global optimum over S is the decomposition's search, not this program.

    >>> from ftgames.models import FineTuningGame
    >>> game = FineTuningGame.quadratic(1.0, [1.0, 1.0, 1.0], [1.0, 2.0, 3.0])
    >>> model = fixed_s_program(game, "nash", s=2.0)
    >>> sorted(c.name for c in model.component_objects(pyo.Constraint))
    ['coupling']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyomo.environ as pyo

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from .decomposition import Domains, why_not

CRITERIA = ("nash", "egalitarian", "kalai_smorodinsky", "utilitarian", "generalist_optimal")


def fixed_s_program(game: FineTuningGame, solution: str, s: float, *, weights: Sequence[float] | None = None,
                    disagreement: Sequence[float] | None = None, ideal: Sequence[float] | None = None
                    ) -> pyo.ConcreteModel:
    """The bargain ``solution`` at S = ``s`` as a Pyomo model: variables ``delta[i]`` (and ``t`` for the max–min
    criteria), mutable parameters ``S``, ``alpha0`` (= A(S)) and ``psi`` (= Ψ(S), G's income from its own
    investment), expressions ``U_G`` and ``U_D[i]``, constraint ``coupling``.  Change S with :func:`set_s`.
    Kalai–Smorodinsky needs the ``ideal`` point (n + 1 utilities)."""
    if solution not in CRITERIA:
        raise ModelError(f"fixed_s_program: solution must be one of {', '.join(CRITERIA)}, got {solution!r}")
    n = game.n
    w = np.ones(n + 1) if weights is None else np.asarray(weights, dtype=float)
    d = np.zeros(n + 1) if disagreement is None else np.asarray(disagreement, dtype=float)
    reason = why_not(game, solution, w, d)
    if reason is not None:
        raise ModelError(f"fixed_s_program does not apply: {reason}")
    if solution == "kalai_smorodinsky" and (ideal is None or len(ideal) != n + 1):
        raise ModelError(f"fixed_s_program: kalai_smorodinsky needs the ideal point (n + 1 = {n + 1} utilities)")
    dom = Domains.of(game)
    m = pyo.ConcreteModel(name=f"fixed_S_{solution}")
    m.D = pyo.RangeSet(0, n - 1)
    m.delta = pyo.Var(m.D, bounds=(0.0, 1.0), initialize=0.5)
    m.S = pyo.Param(mutable=True, initialize=0.0)
    m.alpha0 = pyo.Param(mutable=True, initialize=0.0)
    m.psi = pyo.Param(mutable=True, initialize=0.0)
    share = {i: (1.0 - m.delta[i]) * float(dom.r[i]) for i in range(n)}  # m_i = (1 − δ_i) r_i
    m.increment = pyo.Expression(m.D, rule=lambda _, i: float(dom.K[i]) * share[i] ** float(dom.p[i]))
    m.U_G = pyo.Expression(expr=m.psi + sum(m.delta[i] * float(dom.r[i]) * m.increment[i] for i in range(n)))
    m.U_D = pyo.Expression(m.D, rule=lambda _, i: share[i] * m.alpha0 + (1.0 - 1.0 / float(dom.k[i]))
                           * share[i] * m.increment[i] - float(dom.F[i]))
    m.coupling = pyo.Constraint(expr=sum(float(dom.r[i]) * m.delta[i] for i in range(n)) == m.S)
    utilities = [m.U_G, *(m.U_D[i] for i in range(n))]
    if solution == "nash":
        m.objective = pyo.Objective(expr=sum(float(w[j]) * pyo.log(utilities[j] - float(d[j])) for j in range(n + 1)),
                                    sense=pyo.maximize)
    elif solution in ("egalitarian", "kalai_smorodinsky"):
        scale = np.ones(n + 1) if solution == "egalitarian" else np.asarray(ideal, dtype=float) - d
        m.t = pyo.Var(initialize=0.0)
        m.floor = pyo.Constraint(range(n + 1), rule=lambda _, j: utilities[j] - float(d[j]) >= float(scale[j]) * m.t)
        m.objective = pyo.Objective(expr=m.t, sense=pyo.maximize)
    elif solution == "utilitarian":
        m.objective = pyo.Objective(expr=sum(utilities), sense=pyo.maximize)
    else:
        m.objective = pyo.Objective(expr=m.U_G, sense=pyo.maximize)
    set_s(m, game, s)
    return m


def set_s(model: pyo.ConcreteModel, game: FineTuningGame, s: float) -> None:
    """Write S (and A(S), Ψ(S)) into the model's parameters; a start inside the coupling for δ."""
    total = float(np.sum(game.arrays().revenue))
    if not 0.0 <= s <= total:
        raise ModelError(f"S must be in [0, Σ r_i = {total:g}], got {s!r}")
    dom = Domains.of(game)
    model.S.set_value(float(s))
    model.alpha0.set_value(dom.alpha0(s))
    model.psi.set_value(dom.psi(s))
    for i in model.D:
        model.delta[i].set_value(s / total)
