"""Formulation (b) for the openness game: the regulator's problem over (θ, p) as a few small programs whose global
optima (SCIP) bound the design optimum.

At a fixed δ the subgame-perfect outcome at a rule (θ, p) is G's comparison of regimes (``formulations.openness``):

    comply   W_c(θ) = max_{ω ∈ [θ, 1]} V_c(ω),     V_c = V − K (the compliance term K applies when θ > 0)
    pay      W_p(θ) = max_{ω ∈ [0, θ]} V(ω),       G's value W_p(θ) − p (empty when θ = 0)
    abstain  when max(W_c, W_p − p) < 0;   G complies iff W_c ≥ W_p − p,

with V(ω) = U_G(ω, Δ*(ω)) G's payoff with D's closed-form step substituted.  For the forms where the library proves
``leader_concave_convex`` (V‴ ≥ 0: linear revenue, a cost κ(ω)Δ^k, a constant marginal share, the named benefit,
leak and compliance families) V′ (and V_c′ = V′ − K′, K′ constant) is convex on [0, 1], so {V′ ≤ 0} is an interval
and V has at most one interior local maximum on [0, 1]: the point s where V′ first falls to 0 (it exists iff
V′(0) > 0 and V′ reaches 0 before 1).  Hence, exactly (derived here):

    argmax over [θ, 1] of V_c  ∈ {θ, 1} ∪ {s_c  if θ ≤ s_c},      argmax over [0, θ] of V  ∈ {0, θ} ∪ {s_p  if θ ≥ s_p},

where s_c, s_p are *constants* of the game (they depend on δ, not on the rule).  Splitting the θ-range at s_c and
s_p gives intervals on which the candidate sets are fixed, and on each interval every outcome is one of a few
**pieces**: (regime, G's ω among its regime's candidates) — plus, when the objective needs the compliance loss
L(θ) = max(W_p − W_c, 0), the other regime's argmax.  Within a piece every field of the outcome is an explicit
function of (θ, p): ω is θ or a constant, D's step is ((1 − s) r / (k κ(ω)))^(1/(k − 1)), U_G, U_D, welfare follow.
The piece's validity conditions are finitely many inequalities: G's ω is at least as good as each other candidate
of its regime, the chosen regime's value is at least each candidate of the other one (p included), and it is ≥ 0
(abstain: every candidate ≤ 0).  The closure of every piece's set (strict inequalities of the tie-breaking become
non-strict) contains every outcome with its rule, so the best of the pieces' global optima is a **proved bound** on
the design optimum.  θ = 0 (no definition: no compliance term, no penalty) is its own piece, the unregulated
outcome (constants).  Each piece is a program in (θ, p) (and an SOS1 pair for ``min_utility`` or L(θ)), solved by
SCIP's spatial branch and bound; ``penalty_is_transfer``, θ or p given as finite sets are enumerated.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pyomo.environ as pyo

from ..formulations.openness.enumeration import TIE, value_derivatives
from ..formulations.openness.equilibrium import solve_equilibrium
from ..formulations.openness.follower import fine_tuning_step, utilities
from ..games.openness_regulation import load_game
from ..models.openness import OpennessGame
from ..solvers import Capability, SolveConfig, Status, get_backend, solve
from .expression import DesignError
from .games import Evaluator
from .problem import DesignProblem
from .result import PROGRAM_TOLERANCE, ProgramResult

KEYS = {"regulation.theta": "theta", "regulation.penalty": "penalty", "regulation.penalty_is_transfer": "transfer"}
FIELDS = {"openness", "omega", "welfare", "total", "U_G", "U_D", "min_utility", "alpha1", "delta", "penalty_paid",
          "compliance_loss", "change_U_G", "change_U_D", "comply", "pay", "abstain"}
#: Fields undefined where G abstains (an objective or constraint using them never wins there).
UNDEFINED_IF_ABSTAIN = {"openness", "omega", "alpha1"}
#: A user constraint holds within this (the exact search's comparisons allow 1e-9).
USER_TOL = 1e-9
#: Most combinations of discrete values (θ, p given as sets, penalty_is_transfer) enumerated by the program.
MAX_COMBINATIONS = 16
#: Slack of every row when the best piece is re-solved for a rule strictly inside it (above SCIP's feasibility
#: tolerance, PROGRAM_TOLERANCE = 1e-7).
INSIDE = 3e-7
PYOMO_OPS = SimpleNamespace(exp=pyo.exp, log=pyo.log)


def applicability(problem: DesignProblem) -> str:
    """Why the openness program does not apply ('' if it does)."""
    if problem.bargaining != "fixed":
        return ("written at fixed δ (a bargained δ adds a level: the bargaining solution over the regime "
                "comparison, whose candidates then move with δ)")
    for v in problem.variables:
        if v.key not in KEYS:
            return f"the decision variable {v.key} is not regulation.theta, regulation.penalty or " \
                   "regulation.penalty_is_transfer"
    combos = 1
    for v in problem.discrete:
        combos *= len(v.choices)
    if combos > MAX_COMBINATIONS:
        return f"{combos} combinations of discrete values (at most {MAX_COMBINATIONS} are enumerated)"
    why = problem.not_writable(FIELDS)
    if why:
        return why
    game, _, _ = load_game(problem.file)
    if not game.leader_concave_convex:
        return ("G's payoff over ω is not known to be concave-then-convex (V‴ ≥ 0) for these forms (needs linear "
                "revenue, a cost κ(ω)Δ^k, a constant marginal share and the named benefit, leak and compliance "
                "families), so a regime's optimum is not one of finitely many candidates")
    return ""


def stationary_point(game: OpennessGame, regime: str) -> float | None:
    """The interior local maximum of V (regime "pay") or V_c (regime "comply", with the compliance slope) on
    [0, 1]: the first point where the convex V′ falls to 0, by Newton's method from 0 (monotone, as in the
    enumeration); None when V′(0) ≤ 0 or V′ stays positive."""
    g = game.with_regulation(1.0, 0.0) if regime == "comply" else game
    d = np.array([game.delta])
    x = np.zeros(1)
    d1, _ = value_derivatives(g, regime, x, d)
    if not d1[0] > 0:
        return None
    for _ in range(200):
        d1, d2 = value_derivatives(g, regime, x, d)
        if not (d1[0] > 0 and d2[0] < 0 and x[0] < 1.0):
            break
        step = -d1[0] / d2[0]
        x = np.minimum(x + step, 1.0)
        if step <= 4 * np.finfo(float).eps * max(1.0, abs(x[0])):
            break
    d1, d2 = value_derivatives(g, regime, x, d)
    if x[0] >= 1.0 or (d1[0] > 1e-12 * (1 + abs(d2[0])) and d2[0] >= 0):
        return None  # V′ > 0 up to 1, or V′ turned upwards before reaching 0: V increases on [0, 1]
    return float(x[0])


@dataclass
class Point:
    """The outcome's ingredients at one candidate ω (a number, or the θ variable): G's payoff V(ω) before the
    regime's cost, the compliance term K(ω), D's utility and α1."""

    omega: Any
    V: Any
    K: Any
    U_D: Any
    alpha1: Any


def point(game: OpennessGame, omega: Any) -> Point:
    if isinstance(omega, float | int):
        w = float(omega)
        step = float(fine_tuning_step(game, w, game.delta))
        V, U_D = utilities(game, w, step, game.delta, 0.0)
        return Point(w, float(V), float(game.compliance_cost(w)), float(U_D), game.alpha0 + step)
    ops = PYOMO_OPS
    cost = game.fine_tuning_cost
    share = float(game.contract.marginal_share(0.0, game.delta))
    marginal = max((1.0 - share) * game.revenue.r / cost.k, 0.0)
    ratio = marginal / cost.kappa(omega, ops)
    step = ratio if cost.k == 2.0 else ratio ** (1.0 / (cost.k - 1.0))
    alpha1 = game.alpha0 + step
    to_g = game.contract.generalist_revenue(omega, game.alpha0, alpha1, game.delta, game.revenue, ops=ops)
    V = (to_g + game.benefit(omega, ops=ops) - float(game.production_cost(game.alpha0))
         - game.operation_cost(omega, game.alpha0, ops=ops))
    U_D = game.revenue(alpha1, ops=ops) - to_g - cost(step, omega, ops=ops)
    return Point(omega, V, game.compliance_cost(omega, ops=ops), U_D, alpha1)


def _constant(x: Any) -> bool:
    return isinstance(x, float | int | np.floating)


class _Rows:
    """Constraints of one piece: constant ones are checked at once (``ok`` false: the piece is empty)."""

    def __init__(self, m: pyo.ConcreteModel, margin: float = 0.0) -> None:
        self.m = m
        m.rows = pyo.ConstraintList()
        self.ok = True
        self.margin = margin  # > 0: every non-constant row held with this slack (a rule strictly inside the piece)

    def geq(self, left: Any, right: Any, tol: float = 0.0) -> None:
        diff = left - right
        if _constant(diff):
            self.ok &= float(diff) >= -tol
        else:
            self.m.rows.add(diff >= self.margin - tol)

    def eq(self, left: Any, right: Any, tol: float = 0.0) -> None:
        self.geq(left, right, tol)
        self.geq(right, left, tol)


def _max_pair(m: pyo.ConcreteModel, name: str, a: Any, b: Any, pairs: list, sense: str) -> Any:
    """A variable equal to max(a, b) (``sense`` "max") or min(a, b), exactly: two slacks ≥ 0, one of them 0 (SOS1)."""
    z = pyo.Var()
    sa, sb = pyo.Var(within=pyo.NonNegativeReals), pyo.Var(within=pyo.NonNegativeReals)
    m.add_component(name, z)
    m.add_component(f"{name}_sa", sa)
    m.add_component(f"{name}_sb", sb)
    sign = 1.0 if sense == "max" else -1.0
    m.add_component(f"{name}_da", pyo.Constraint(expr=sign * (z - a) == sa))
    m.add_component(f"{name}_db", pyo.Constraint(expr=sign * (z - b) == sb))
    pairs.append((sa, sb))
    return z


@dataclass(frozen=True)
class Piece:
    """One piece on θ ∈ [lo, hi]: the chosen regime ("comply", "pay", "abstain", or "none" for θ = 0), G's ω in it
    (an index into the regime's candidates), and the other regime's argmax when pinned (for L(θ))."""

    lo: float
    hi: float
    regime: str
    comply: int | None
    pay: int | None
    comply_candidates: tuple[Any, ...]  # "theta" or a number
    pay_candidates: tuple[Any, ...]

    @property
    def label(self) -> str:
        def c(x: Any) -> str:
            return "θ" if x == "theta" else f"{x:.6g}"

        parts = [self.regime]
        if self.comply is not None:
            parts.append(f"ω_c={c(self.comply_candidates[self.comply])}")
        if self.pay is not None:
            parts.append(f"ω_p={c(self.pay_candidates[self.pay])}")
        return f"θ∈[{self.lo:.6g},{self.hi:.6g}] " + " ".join(parts)


def crossing(game: OpennessGame, s_p: float | None) -> float | None:
    """Past the pay side's local maximum s_p, the point r > s_p where V climbs back to V(s_p) (V falls after s_p to
    its local minimum, then rises: V′ is convex), or None when V(1) < V(s_p).  On [s_p, 1] the end θ of the pay
    interval [0, θ] beats s_p only at θ = s_p or θ ≥ r."""
    if s_p is None:
        return None
    target = point(game, s_p).V

    def gap(x: float) -> float:
        return point(game, x).V - target

    if gap(1.0) < 0.0:
        return None
    lo, hi = s_p, 1.0  # the local minimum of V on [s_p, 1] (V falls, then rises: unimodal), by golden section
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(100):
        c, e = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if gap(c) <= gap(e):
            hi = e
        else:
            lo = c
    a, b = 0.5 * (lo + hi), 1.0
    if gap(a) >= 0.0:
        return s_p  # V does not fall below V(s_p): no restriction
    for _ in range(200):  # bisection of the rising part: gap(a) < 0 <= gap(b); b ends within an ulp of the root
        mid = 0.5 * (a + b)
        if mid in (a, b):
            break
        if gap(mid) < 0.0:
            a = mid
        else:
            b = mid
    return b


def pieces(theta_lo: float, theta_hi: float, s_c: float | None, s_p: float | None, r_p: float | None,
           pin: bool, flat: float | None = None, penalty: tuple[float, float] = (0.0, math.inf)) -> list[Piece]:
    """Every piece of θ ∈ [theta_lo, theta_hi] ∩ (0, 1] (θ = 0 is handled apart).  ``pin``: also fix the other
    regime's argmax (needed for the compliance loss).

    Argmaxes that can hold only where they coincide with another candidate are left out (exact, and it keeps
    SCIP's feasibility tolerance from admitting a first-order neighbourhood of a flat maximum): V_c′ > 0 on
    [0, s_c), so ω_c = θ < s_c never beats s_c; V′ > 0 on [0, s_p), so ω_p = 0 never beats a θ > 0 when s_p exists;
    on θ ∈ (s_p, r_p) the end θ loses to s_p.

    ``flat``: the compliance term's constant K0 when it does not depend on ω (then s_c = s_p = s and V_c = V − K0);
    ``penalty`` the range of p.  Two comparisons are then tangent (they hold only at θ = s, where a flat maximum
    would let the solver's feasibility tolerance admit a first-order neighbourhood), and are written at θ = s:
    paying at ω = θ < s needs p + V(s) − V(θ) ≤ K0, impossible when K0 ≤ p_min unless θ = s; complying at ω = θ
    ∈ (s, r_p) needs p ≥ K0 + V(s) − V(θ), impossible when p_max ≤ K0 unless θ = s."""
    lo = max(theta_lo, 0.0)
    if theta_hi <= 0.0:
        return []
    cuts = sorted({lo, theta_hi, *(s for s in (s_c, s_p, r_p) if s is not None and lo < s < theta_hi)})
    out = []
    for a, b in itertools.pairwise(cuts) if len(cuts) > 1 else [(lo, theta_hi)]:
        cc = ("theta", 1.0, *((s_c,) if s_c is not None and b <= s_c else ()))
        pc = (0.0, "theta", *((s_p,) if s_p is not None and a >= s_p else ()))
        arg_c = [i for i in range(len(cc)) if not (cc[i] == "theta" and len(cc) == 3)]
        arg_p = [j for j in range(len(pc)) if not (pc[j] == 0.0 and s_p is not None)
                 and not (pc[j] == "theta" and len(pc) == 3 and (r_p is None or a < r_p))]
        others_c = arg_c if pin else [None]
        others_p = arg_p if pin else [None]
        tangent = flat is not None and s_c is not None and s_c == s_p
        for i in arg_c:
            lo_i, hi_i = a, b
            if tangent and cc[i] == "theta" and len(pc) == 3 and (r_p is None or b <= r_p) and penalty[1] <= flat:
                if a != s_p:
                    continue
                hi_i = a
            out += [Piece(lo_i, hi_i, "comply", i, j, cc, pc) for j in others_p]
        for j in arg_p:
            lo_j, hi_j = a, b
            if tangent and pc[j] == "theta" and len(cc) == 3 and flat <= penalty[0]:
                if b != s_c:
                    continue
                lo_j = b
            out += [Piece(lo_j, hi_j, "pay", i, j, cc, pc) for i in others_c]
        out += [Piece(a, b, "abstain", i, j, cc, pc) for i in others_c for j in others_p]
    return out


@dataclass
class Setting:
    """The game and the fixed values of one combination of discrete decision variables."""

    game: OpennessGame
    theta: tuple[float, float]
    penalty: tuple[float, float]
    transfer: bool
    discrete: dict[str, Any]


def _settings(problem: DesignProblem, game: OpennessGame) -> list[Setting]:
    base = {"theta": (game.regulation.theta,) * 2, "penalty": (game.regulation.penalty,) * 2,
            "transfer": game.regulation.penalty_is_transfer}
    for v in problem.continuous:
        base[KEYS[v.key]] = (v.lower, v.upper)
    out = []
    for combo in itertools.product(*[v.choices for v in problem.discrete]):
        values = dict(base)
        chosen = {}
        for v, x in zip(problem.discrete, combo, strict=True):
            name = KEYS[v.key]
            if name == "transfer":
                if not isinstance(x, bool):
                    raise DesignError(f"--vary {v.key}: the values must be true or false, got {x!r}")
                values[name] = x
            else:
                values[name] = (float(x), float(x))
            chosen[v.key] = x
        out.append(Setting(game, values["theta"], values["penalty"], bool(values["transfer"]), chosen))
    for s in out:
        if s.theta[0] < 0 or s.theta[1] > 1:
            raise DesignError("--vary regulation.theta: the threshold must be in [0, 1]")
        if s.penalty[0] < 0:
            raise DesignError("--vary regulation.penalty: the penalty must be >= 0")
    return out


def _values(problem: DesignProblem, m: pyo.ConcreteModel, setting: Setting, theta: Any,
            outcome: dict[str, Any]) -> dict[str, Any]:
    values = dict(outcome)
    for v in problem.variables:
        name = KEYS[v.key]
        x = theta if name == "theta" else m.p if name == "penalty" else float(setting.transfer)
        values[v.key] = values[v.short] = x
    return values


def _finish(problem: DesignProblem, m: pyo.ConcreteModel, rows: _Rows, values: dict[str, Any],
            pairs: list) -> None:
    """The objective, the user's constraints (within :data:`USER_TOL`) and the SOS1 pairs."""
    names = problem.objective.names.union(*(c.names for c in problem.constraints))
    if "min_utility" in names:
        values["min_utility"] = _max_pair(m, "min_utility", values["U_G"], values["U_D"], pairs, "min")
    m.objective_expr = pyo.Expression(expr=problem.objective.algebraic(values))
    m.obj = pyo.Objective(expr=m.objective_expr, sense=pyo.maximize if problem.sense == "maximize" else pyo.minimize)
    for c in problem.constraints:
        for left, op, right in c.relations(values):
            if op in (">=", "=="):
                rows.geq(left, right, USER_TOL)
            if op in ("<=", "=="):
                rows.geq(right, left, USER_TOL)
    if pairs:
        m.comp = pyo.SOSConstraint(range(len(pairs)), rule=lambda mm, k: [pairs[k][0], pairs[k][1]], sos=1)


def build_piece(problem: DesignProblem, setting: Setting, piece: Piece, base: tuple[float, float],
                margin: float = 0.0) -> tuple[Any, bool]:
    """The program of one piece: (model, not trivially empty); ``margin`` as in :class:`_Rows`."""
    game = setting.game
    m = pyo.ConcreteModel("design_openness")
    m.theta = pyo.Var(bounds=(piece.lo, piece.hi), initialize=0.5 * (piece.lo + piece.hi))
    m.p = pyo.Var(bounds=setting.penalty, initialize=setting.penalty[0])
    rows = _Rows(m, margin)
    pairs: list = []

    def at(x: Any) -> Point:
        return point(game, m.theta if x == "theta" else float(x))

    cands_c = [at(x) for x in piece.comply_candidates]
    cands_p = [at(x) for x in piece.pay_candidates]
    Vc = [c.V - c.K for c in cands_c]  # comply values (θ > 0: the compliance term applies)
    Vp = [q.V for q in cands_p]  # pay values before the penalty
    if piece.comply is not None:
        for k in range(len(Vc)):
            if k != piece.comply:
                rows.geq(Vc[piece.comply], Vc[k])
    if piece.pay is not None:
        for k in range(len(Vp)):
            if k != piece.pay:
                rows.geq(Vp[piece.pay], Vp[k])
    n = math.nan
    names = problem.objective.names.union(*(c.names for c in problem.constraints))
    if piece.regime == "comply":
        ch = cands_c[piece.comply]
        value = Vc[piece.comply]
        for k in range(len(Vp)):
            rows.geq(value, Vp[k] - m.p, TIE)
        rows.geq(value, 0.0, TIE)
        out = {"omega": ch.omega, "U_G": value, "U_D": ch.U_D, "alpha1": ch.alpha1, "penalty_paid": 0.0,
               "comply": 1.0, "pay": 0.0, "abstain": 0.0}
        out["welfare"] = value + ch.U_D
    elif piece.regime == "pay":
        ch = cands_p[piece.pay]
        value = Vp[piece.pay] - m.p
        for k in range(len(Vc)):
            rows.geq(value, Vc[k])
        rows.geq(value, 0.0, TIE)
        out = {"omega": ch.omega, "U_G": value, "U_D": ch.U_D, "alpha1": ch.alpha1, "penalty_paid": m.p,
               "comply": 0.0, "pay": 1.0, "abstain": 0.0}
        out["welfare"] = value + ch.U_D + (m.p if setting.transfer else 0.0)
    else:
        if names & UNDEFINED_IF_ABSTAIN:
            return m, False
        for k in range(len(Vc)):
            rows.geq(0.0, Vc[k])
        for k in range(len(Vp)):
            rows.geq(m.p, Vp[k])
        out = {"omega": n, "U_G": 0.0, "U_D": 0.0, "alpha1": n, "penalty_paid": 0.0, "welfare": 0.0,
               "comply": 0.0, "pay": 0.0, "abstain": 1.0}
    out["openness"] = out["omega"]
    out["total"] = out["U_G"] + out["U_D"]
    out["delta"] = game.delta
    out["change_U_G"] = out["U_G"] - base[0]
    out["change_U_D"] = out["U_D"] - base[1]
    if "compliance_loss" in names:
        out["compliance_loss"] = _max_pair(m, "loss", Vp[piece.pay] - Vc[piece.comply], 0.0, pairs, "max")
    values = _values(problem, m, setting, m.theta, out)
    _finish(problem, m, rows, values, pairs)
    return m, rows.ok


def build_unregulated(problem: DesignProblem, setting: Setting, eq: Any, base: tuple[float, float],
                      margin: float = 0.0) -> tuple[Any, bool]:
    """θ = 0: no definition, the unregulated outcome (constants); p is free and never paid."""
    m = pyo.ConcreteModel("design_openness_theta0")
    m.p = pyo.Var(bounds=setting.penalty, initialize=setting.penalty[0])
    rows = _Rows(m, margin)
    names = problem.objective.names.union(*(c.names for c in problem.constraints))
    abstain = eq.regime == "abstain"
    if abstain and names & UNDEFINED_IF_ABSTAIN:
        return m, False
    out = {"omega": eq.omega, "U_G": eq.U_G, "U_D": eq.U_D, "alpha1": eq.alpha1, "penalty_paid": 0.0,
           "welfare": eq.U_G + eq.U_D, "comply": float(not abstain), "pay": 0.0, "abstain": float(abstain),
           "compliance_loss": 0.0}
    out["openness"] = out["omega"]
    out["total"] = out["U_G"] + out["U_D"]
    out["delta"] = setting.game.delta
    out["change_U_G"] = out["U_G"] - base[0]
    out["change_U_D"] = out["U_D"] - base[1]
    values = _values(problem, m, setting, 0.0, out)
    _finish(problem, m, rows, values, [])
    return m, rows.ok


def solve_openness_program(problem: DesignProblem, evaluator: Evaluator, *, solver: str | None = None,
                           time_limit: float | None = None) -> ProgramResult:
    why = applicability(problem)
    if why:
        return ProgramResult(False, why)
    game, _, _ = load_game(problem.file)
    settings = _settings(problem, game)
    sign = 1.0 if problem.sense == "maximize" else -1.0
    config = SolveConfig(time_limit=time_limit or 60.0, tolerance=PROGRAM_TOLERANCE)
    names = problem.objective.names.union(*(c.names for c in problem.constraints))
    pin = "compliance_loss" in names
    result = ProgramResult(True)
    best = -math.inf
    proved = True
    free = solve_equilibrium(game.unregulated())  # the outcome without a definition (θ = 0), at the file's δ
    base = (free.U_G, free.U_D)
    s_c, s_p = stationary_point(game, "comply"), stationary_point(game, "pay")
    r_p = crossing(game, s_p)
    flat = float(game.compliance_cost(0.0)) if game.compliance_cost.slope() == 0.0 else None
    jobs: list[tuple[str, Any, Setting]] = []  # (label, builder(margin) -> (model, ok), setting)
    for setting in settings:
        if setting.theta[0] <= 0.0:
            jobs.append(("θ=0 (no definition)",
                         lambda margin, st=setting: build_unregulated(problem, st, free, base, margin), setting))
        for pc in pieces(setting.theta[0], setting.theta[1], s_c, s_p, r_p, pin, flat, setting.penalty):
            jobs.append((pc.label, lambda margin, st=setting, pc=pc: build_piece(problem, st, pc, base, margin),
                         setting))

    def run(m: Any, tag: str) -> Any:
        return solve(m, requires={Capability.SOS1, Capability.NLP}, config=config, solver=solver or "scip",
                     formulation=f"design:openness {tag}")

    def rule_of(m: Any, setting: Setting) -> dict[str, Any]:
        rule: dict[str, Any] = {}
        for v in problem.variables:
            name = KEYS[v.key]
            if v.key in setting.discrete:
                rule[v.key] = setting.discrete[v.key]
            elif name == "theta":
                rule[v.key] = float(pyo.value(m.theta)) if hasattr(m, "theta") else 0.0
            else:
                rule[v.key] = float(pyo.value(m.p))
        return rule

    best_job = None
    for label, builder, setting in jobs:
        tag = label + "".join(f" {k}={v}" for k, v in setting.discrete.items())
        m, ok = builder(0.0)
        if not ok:
            result.cases.append({"case": tag, "status": "empty", "value": None})
            continue
        res = run(m, tag)
        result.backend = res.backend
        entry: dict[str, Any] = {"case": tag, "status": str(res.status), "global": bool(res.is_global),
                                 "value": None}
        if res.status == Status.INFEASIBLE and get_backend(res.backend).global_optimality:
            pass
        elif res.status == Status.OPTIMAL and res.is_global:
            value = float(pyo.value(m.objective_expr))
            entry["value"] = value
            # the proved bound of the piece: SCIP's dual bound (within its relative gap of the incumbent)
            dual = res.stats.get("dual_bound")
            entry["dual_bound"] = dual
            piece_bound = value if dual is None else sign * max(sign * value, sign * float(dual))
            entry["rule"] = rule_of(m, setting)
            if sign * piece_bound > best:
                best = sign * piece_bound
                result.rule = dict(entry["rule"])
                result.relaxed_value = value
                best_job = (tag, builder, setting)
        else:
            proved = False
            entry["message"] = res.message
        result.cases.append(entry)
    inside = None
    if best_job is not None:
        # the best piece's maximizer satisfies its rows up to SCIP's feasibility tolerance, so it may sit just
        # across a regime boundary; re-solved with every row held with a slack of INSIDE, its rule lies inside the
        # piece and its exact equilibrium attains the piece's value (up to that slack)
        tag, builder, setting = best_job
        m, ok = builder(INSIDE)
        if ok:
            res = run(m, tag + " (inside)")
            if res.status == Status.OPTIMAL:
                result.cases.append({"case": tag + " (inside)", "status": str(res.status),
                                     "value": float(pyo.value(m.objective_expr)), "rule": rule_of(m, setting)})
                inside = rule_of(m, setting)
    result.bound = sign * best if math.isfinite(best) else (-math.inf if sign > 0 else math.inf)
    result.proved = proved
    if not proved:
        result.reason = "SCIP did not prove every piece's program optimal or infeasible"
    if result.rule is not None:
        from .exact import Search

        candidates = [result.rule] + ([inside] if inside is not None else [])
        for rule in candidates:  # the program's rule lies in the box up to SCIP's tolerance
            for v in problem.continuous:
                rule[v.key] = float(np.clip(rule[v.key], v.lower, v.upper))
        _, value, _, sc = Search(problem, evaluator).run(candidates)
        k = int(np.argmax(sc))
        result.rule = candidates[k]
        result.attained = float(value[k]) if np.isfinite(sc[k]) else None
    return result
