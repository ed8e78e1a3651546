"""Formulation (b): the regulator as leader over the followers' and G's optimality conditions, solved by SCIP.

Safety game, one specialist, fixed δ; decision variables θG and/or θD.  The trilevel problem (regulator → G → D) is
reduced exactly in two steps, one program per *follower regime* (D's active set):

1. D's problem is a strictly concave QP in its step x = γ1 − γ0 over x_α ≥ 0, x_β ≥ 0, x_β ≥ θD − β0.  On each of
   its six active sets (F1 none, F3 x_α = 0, F2 floor, F4 x_α = 0 and floor, F2@0 x_β = 0, F4@0 x = 0) the step is
   affine in (β0, θD) and valid exactly where the inactive constraints hold and the active multipliers are ≥ 0:
   affine inequalities g_j(β0, θD) ≥ 0.  So D's KKT conditions, which characterise its unique optimum, become
   "x = the case's affine formula and every g_j ≥ 0".
2. Within one regime, G's problem over γ0 = (a, b) is  max V(a, b)  s.t.  a ≥ 0,  b ≥ θG,  U_D(a, b) ≥ 0,
   g_j(b, θD) ≥ 0:  a concave quadratic objective, linear constraints and one concave constraint (U_D = k a + φ(b)
   with φ concave, docs/safety-regulation.md §2).  With k = (1 − δ) r_α > 0 the concave constraint holds strictly at
   a feasible point (raise a), so Slater's condition holds and G's KKT conditions are *necessary* for G's
   optimum within the regime.  G's subgame-perfect choice lies in some regime (the regimes cover every b, and the
   step is continuous in b), where it maximizes V over that regime's region: it satisfies that regime's KKT
   system.

Hence the feasible set of "θ in the box, a regime, G's KKT conditions in that regime (complementarity as SOS1
pairs), D's step of that regime, U_G ≥ 0" *contains* every subgame-perfect outcome with G taking part (it may
contain more: a KKT point of one regime need not be G's global choice).  Maximizing the regulator's objective over
it, regime by regime, with SCIP (global) gives a proved **upper bound** (lower bound when minimizing) on the design
optimum; the outcome where G abstains is added as its own case.  The bound is tight when the exact search attains
it — then the design optimum is certified global.  The program's own maximizer is re-evaluated with the exact
equilibrium: if it is the true equilibrium there, the two formulations agree.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo

from ..formulations.safety.kkt import investment_bound
from ..games.safety_regulation import load_game
from ..solvers import Capability, SolveConfig, Status, get_backend, solve
from .expression import DesignError
from .games import Evaluator
from .problem import DesignProblem
from .result import PROGRAM_TOLERANCE, ProgramResult

THETA_KEYS = {"regulation.theta_G": "theta_G", "regulation.theta_D": "theta_D", "regulation.theta_D[0]": "theta_D"}
PROGRAM_FIELDS = {"U_G", "U_D", "U_D_1", "welfare", "total", "safety", "beta_1", "alpha_1", "alpha0", "beta0",
                  "delta", "participates_1"}
CONST_TOL = 1e-12


def _cases(C: np.ndarray, r: np.ndarray, w: float) -> list[tuple[str, tuple, tuple, list[tuple], list[float]]]:
    """D's six active sets: (name, x_α coefficients, x_β coefficients, validity g_j = (g0, g_b, g_θ) ≥ 0, constant
    validity values that must be ≥ 0).  Coefficients are (constant, of b, of θD)."""
    kaa, kab, kbb = C[0, 0], C[0, 1], C[1, 1]
    ra, rb = r
    det = kaa * kbb - kab * kab
    f1a, f1b = w * (kbb * ra - kab * rb) / (2 * det), w * (kaa * rb - kab * ra) / (2 * det)
    f3b = w * rb / (2 * kbb)
    pa = w * ra / (2 * kaa)
    floor_free = (0.0, -1.0, 1.0)        # θD − b ≥ 0
    floor_slack = (0.0, 1.0, -1.0)       # b − θD ≥ 0
    return [
        ("F1", (f1a, 0.0, 0.0), (f1b, 0.0, 0.0), [(f1b, 1.0, -1.0)], [f1a, f1b]),
        ("F3", (0.0, 0.0, 0.0), (f3b, 0.0, 0.0), [(f3b, 1.0, -1.0)], [2 * kab * f3b - w * ra, f3b]),
        ("F2", (pa, kab / kaa, -kab / kaa), (0.0, -1.0, 1.0),
         [(pa, kab / kaa, -kab / kaa), floor_free,
          (2 * kab * pa - w * rb, 2 * kab * kab / kaa - 2 * kbb, -2 * kab * kab / kaa + 2 * kbb)], []),
        ("F4", (0.0, 0.0, 0.0), (0.0, -1.0, 1.0),
         [(-w * ra, -2 * kab, 2 * kab), (-w * rb, -2 * kbb, 2 * kbb), floor_free], []),
        ("F2@0", (pa, 0.0, 0.0), (0.0, 0.0, 0.0), [floor_slack], [pa, 2 * kab * pa - w * rb]),
        ("F4@0", (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), [floor_slack], [-w * ra, -w * rb]),
    ]


#: The case across each validity constraint of a case (same order as in :func:`_cases`): where g_j = 0 D's unique
#: optimum is described by both active sets.
NEIGHBOURS = {"F1": ("F2",), "F3": ("F4",), "F2": ("F4", "F2@0", "F1"), "F4": ("F2", "F3", "F4@0"),
              "F2@0": ("F2",), "F4@0": ("F4",)}


def applicability(problem: DesignProblem) -> str:
    """Why the program formulation does not apply ('' if it does)."""
    if problem.game == "openness_regulation":
        from .openness_program import applicability as openness_applicability

        return openness_applicability(problem)
    if problem.game != "safety_regulation":
        return f"written for the safety and openness games, not {problem.game}"
    if problem.n != 1:
        return f"written for one specialist (the file has {problem.n})"
    if problem.bargaining != "fixed":
        return "written at fixed δ (a bargained δ adds a level that has no KKT reduction here)"
    for v in problem.variables:
        if v.key not in THETA_KEYS or not v.continuous:
            return f"the decision variable {v.key} is not a continuous θG or θD"
    return problem.not_writable(PROGRAM_FIELDS)


def solve_program(problem: DesignProblem, evaluator: Evaluator, *, solver: str | None = None,
                  time_limit: float | None = None) -> ProgramResult:
    if problem.game == "openness_regulation":
        from .openness_program import solve_openness_program

        return solve_openness_program(problem, evaluator, solver=solver, time_limit=time_limit)
    why = applicability(problem)
    if why:
        return ProgramResult(False, why)
    game, data = load_game(problem.file)
    if "theta_D" in data["specialists"][0] and any(THETA_KEYS[v.key] == "theta_D" for v in problem.variables):
        return ProgramResult(False, "the specialist's table sets its own theta_D, which overrides regulation.theta_D")
    spec = game.specialists[0]
    delta, w = spec.delta, 1 - spec.delta
    C0, C, r = game.generalist_cost, spec.cost, spec.revenue
    if not w * r[0] > 0:
        return ProgramResult(False, "needs (1 − δ) r_α > 0 (Slater's condition for G's participation constraint)")
    bounds = {"theta_G": (game.theta_G, game.theta_G), "theta_D": (spec.theta_D, spec.theta_D)}
    for v in problem.variables:
        bounds[THETA_KEYS[v.key]] = (v.lower, v.upper)
    if bounds["theta_G"][0] < 0 or bounds["theta_D"][0] < 0:
        raise DesignError("--vary: safety floors must be >= 0 (regulation.theta_G, regulation.theta_D)")
    M = investment_bound(game)
    sign = 1.0 if problem.sense == "maximize" else -1.0
    # feasibility tolerance 1e-7: with SCIP's default-tight 1e-9 some of these programs make SCIP print "Cannot set
    # feasibility tolerance to small value ... without GMP" thousands of times, past the hidden message handler,
    # which blocks Pyomo's output pipe (a hang); a looser tolerance only relaxes the programs, so the bound stays
    # valid (it can only grow)
    config = SolveConfig(time_limit=time_limit or 60.0, tolerance=PROGRAM_TOLERANCE)
    result = ProgramResult(True)
    best = -math.inf
    proved = True
    cases = {c[0]: c for c in _cases(C, r, w)}
    nonempty = {name for name, *_, constants in cases.values() if all(c >= -CONST_TOL for c in constants)}
    # one program per case with G's KKT multipliers of the region's own boundaries at 0, and one per case and
    # boundary crossed with a positive multiplier: the point then lies on that boundary and is a KKT point of the
    # neighbouring case too (it maximizes V over both regions)
    programs: list[tuple[str, str, int | None]] = []
    for name in cases:
        if name not in nonempty:
            result.cases.append({"case": name, "status": "empty", "value": None})
            continue
        programs.append((name, name, None))
        for j, other in enumerate(NEIGHBOURS[name]):
            if other in nonempty:
                programs.append((f"{name}|{other}", name, j))
    for label, name, j in programs:
        m = _build(problem, C0, C, r, delta, w, cases[name], None if j is None else (j, cases[NEIGHBOURS[name][j]]),
                   bounds, M)
        res = solve(m, requires={Capability.SOS1, Capability.NONCONVEX_QUADRATIC}, config=config, solver=solver,
                    formulation=f"design:{label}")
        result.backend = res.backend
        entry = {"case": label, "status": str(res.status), "global": bool(res.is_global), "value": None}
        if res.status == Status.INFEASIBLE and get_backend(res.backend).global_optimality:
            entry["value"] = None  # proved infeasible by a global backend
        elif res.status == Status.OPTIMAL and res.is_global:
            value = float(pyo.value(m.objective_expr))
            entry["value"] = value
            entry["rule"] = {v.key: float(pyo.value(m.tG if THETA_KEYS[v.key] == "theta_G" else m.tD))
                             for v in problem.variables}
            if sign * value > best:
                best = sign * value
                result.rule = dict(entry["rule"])
                result.relaxed_value = value
        else:
            proved = False
            entry["message"] = res.message
        result.cases.append(entry)
    # G abstains: every utility and the safety are 0, investments undefined
    abstain, abstain_proved = _abstain_case(problem, bounds, config, solver)
    proved = proved and abstain_proved
    result.cases.append({"case": "abstain", "status": "optimal" if abstain_proved else "error", "value": abstain})
    if abstain is not None and sign * abstain > best:
        best = sign * abstain
    result.bound = sign * best if math.isfinite(best) else (-math.inf if sign > 0 else math.inf)
    result.proved = proved
    if not proved:
        result.reason = "SCIP did not prove every regime program optimal or infeasible"
    if result.rule is not None:
        point = dict(result.rule)
        for v in problem.variables:  # the program's θ lies in the box up to SCIP's tolerance
            point[v.key] = float(np.clip(point[v.key], v.lower, v.upper))
        result.rule = point
        from .exact import Search

        _, value, _, sc = Search(problem, evaluator).run([point])
        result.attained = float(value[0]) if np.isfinite(sc[0]) else None
    return result


def _abstain_case(problem: DesignProblem, bounds: dict[str, tuple[float, float]], config: SolveConfig,
                  solver: str | None) -> tuple[float | None, bool]:
    """(best objective over outcomes where G abstains, proved): every utility and the safety are 0 and the
    investments undefined (an objective or constraint using them is undefined there: that outcome never wins).
    When the expressions use the floors themselves, the best floors are found by a small program."""
    undefined = {"beta_1", "alpha_1", "alpha0", "beta0"}
    if any(e.names & undefined for e in (problem.objective, *problem.constraints)):
        return None, True
    m = pyo.ConcreteModel("design_abstain")
    m.tG = pyo.Var(bounds=bounds["theta_G"], initialize=bounds["theta_G"][0])
    m.tD = pyo.Var(bounds=bounds["theta_D"], initialize=bounds["theta_D"][0])
    values: dict[str, Any] = {k: 0.0 for k in ("U_G", "U_D", "U_D_1", "welfare", "total", "safety",
                                                "participates_1")}
    values["delta"] = problem_delta(problem)
    for v in problem.variables:
        values[v.key] = values[v.short] = m.tG if THETA_KEYS[v.key] == "theta_G" else m.tD
    m.objective_expr = pyo.Expression(expr=problem.objective.algebraic(values))
    m.obj = pyo.Objective(expr=m.objective_expr, sense=pyo.maximize if problem.sense == "maximize" else pyo.minimize)
    _user_constraints(m, problem, values)
    res = solve(m, requires={Capability.NONCONVEX_QUADRATIC}, config=config, solver=solver,
                formulation="design:abstain")
    if res.status == Status.INFEASIBLE and get_backend(res.backend).global_optimality:
        return None, True
    if res.status == Status.OPTIMAL and res.is_global:
        return float(pyo.value(m.objective_expr)), True
    return None, False


def problem_delta(problem: DesignProblem) -> float:
    game, _ = load_game(problem.file)
    return float(game.specialists[0].delta)


def _user_constraints(m: pyo.ConcreteModel, problem: DesignProblem, values: dict[str, Any]) -> None:
    m.user = pyo.ConstraintList()
    for c in problem.constraints:
        for left, op, right in c.relations(values):
            if isinstance(left, float) and isinstance(right, float):
                ok = left >= right - 1e-9 if op == ">=" else left <= right + 1e-9 if op == "<=" else \
                    abs(left - right) <= 1e-9
                if not ok:
                    m.user.add(m.tG <= m.tG.lb - 1)  # a constant constraint that fails: the case is infeasible
                continue
            if op == ">=":
                m.user.add(left >= right)
            elif op == "<=":
                m.user.add(left <= right)
            else:
                m.user.add(left == right)


def _deviation_cut(m: pyo.ConcreteModel, V: Any, C0: np.ndarray, C: np.ndarray, r: np.ndarray, delta: float,
                   w: float, M: float, pairs: list[tuple[Any, Any]]) -> None:
    """A valid cut: G's equilibrium value is at least what it gets from any deviation.  Deviation: safety
    b' ≥ max(θG, θD), so that D's floor is slack and D's step is the constant x0 = argmax over x_α ≥ 0, x_β ≥ 0
    (D then takes part: x = 0 is feasible and gives it ≥ 0); G's best such (a', b') solves a concave QP whose KKT
    conditions (SOS1 pairs, max(θG, θD) as an SOS1 pair too) are written here, and V ≥ G's value there."""
    from ..formulations.safety.follower import best_step

    x0 = best_step(C, r, np.asarray(w), np.asarray(0.0))
    caa, cab, cbb = C0[0, 0], C0[0, 1], C0[1, 1]
    ra, rb = r
    m.dev_a = pyo.Var(bounds=(0, M))
    m.dev_b = pyo.Var(bounds=(0, None))
    m.dev_floor = pyo.Var(bounds=(0, None))  # max(θG, θD)
    m.dev_sG, m.dev_sD = pyo.Var(within=pyo.NonNegativeReals), pyo.Var(within=pyo.NonNegativeReals)
    m.dev_max_G = pyo.Constraint(expr=m.dev_sG == m.dev_floor - m.tG)
    m.dev_max_D = pyo.Constraint(expr=m.dev_sD == m.dev_floor - m.tD)
    m.dev_mu_a, m.dev_mu_b = pyo.Var(within=pyo.NonNegativeReals), pyo.Var(within=pyo.NonNegativeReals)
    m.dev_sb = pyo.Var(within=pyo.NonNegativeReals)
    m.dev_def_sb = pyo.Constraint(expr=m.dev_sb == m.dev_b - m.dev_floor)
    m.dev_stat_a = pyo.Constraint(expr=delta * ra - 2 * (caa * m.dev_a + cab * m.dev_b) + m.dev_mu_a == 0)
    m.dev_stat_b = pyo.Constraint(expr=delta * rb - 2 * (cab * m.dev_a + cbb * m.dev_b) + m.dev_mu_b == 0)
    pairs += [(m.dev_sG, m.dev_sD), (m.dev_mu_a, m.dev_a), (m.dev_mu_b, m.dev_sb)]
    a, b = m.dev_a, m.dev_b
    deviation = delta * (ra * (a + x0[0]) + rb * (b + x0[1])) - (caa * a * a + 2 * cab * a * b + cbb * b * b)
    m.dev_cut = pyo.Constraint(expr=V >= deviation)


def _case_block(m: pyo.ConcreteModel, name: str, C0: np.ndarray, C: np.ndarray, r: np.ndarray, delta: float,
                w: float, case: tuple, free_rho: bool, pairs: list[tuple[Any, Any]]) -> tuple[Any, Any, Any, Any]:
    """G's KKT conditions within one follower case, on the shared variables a, b, θG, θD: returns (V, U_D, x_α,
    x_β).  ``free_rho`` False fixes the multipliers of the region's own boundaries at 0."""
    _, xa_c, xb_c, validity, _ = case
    a, b, tG, tD = m.a, m.b, m.tG, m.tD
    blk = pyo.Block()
    m.add_component(f"case_{name.replace('@', '_at')}", blk)
    xa = xa_c[0] + xa_c[1] * b + xa_c[2] * tD
    xb = xb_c[0] + xb_c[1] * b + xb_c[2] * tD
    dxa, dxb = xa_c[1], xb_c[1]  # d x / d b
    caa, cab, cbb = C0[0, 0], C0[0, 1], C0[1, 1]
    kaa, kab, kbb = C[0, 0], C[0, 1], C[1, 1]
    ra, rb = r
    V = delta * (ra * (a + xa) + rb * (b + xb)) - (caa * a * a + 2 * cab * a * b + cbb * b * b)
    UD = w * (ra * (a + xa) + rb * (b + xb)) - (kaa * xa * xa + 2 * kab * xa * xb + kbb * xb * xb)
    dV_da = delta * ra - 2 * (caa * a + cab * b)
    dV_db = delta * (ra * dxa + rb * (1 + dxb)) - 2 * (cab * a + cbb * b)
    dU_da = w * ra
    dU_db = w * (ra * dxa + rb * (1 + dxb)) - 2 * (dxa * (kaa * xa + kab * xb) + dxb * (kab * xa + kbb * xb))
    blk.la, blk.lb, blk.nu = (pyo.Var(within=pyo.NonNegativeReals) for _ in range(3))
    blk.sb, blk.sU = pyo.Var(within=pyo.NonNegativeReals), pyo.Var(within=pyo.NonNegativeReals)
    blk.def_sb = pyo.Constraint(expr=blk.sb == b - tG)
    blk.def_sU = pyo.Constraint(expr=blk.sU == UD)
    pairs += [(blk.la, a), (blk.lb, blk.sb), (blk.nu, blk.sU)]
    J = range(len(validity))
    blk.rho = pyo.Var(J, within=pyo.NonNegativeReals)
    blk.s = pyo.Var(J, within=pyo.NonNegativeReals)
    blk.def_s = pyo.ConstraintList()
    stat_b = dV_db + blk.lb + blk.nu * dU_db
    for j, (g0, gb, gt) in enumerate(validity):
        blk.def_s.add(blk.s[j] == g0 + gb * b + gt * tD)
        if free_rho:
            pairs.append((blk.rho[j], blk.s[j]))
            stat_b = stat_b + blk.rho[j] * gb
        else:
            blk.rho[j].fix(0.0)
    blk.stat_a = pyo.Constraint(expr=dV_da + blk.la + blk.nu * dU_da == 0)
    blk.stat_b = pyo.Constraint(expr=stat_b == 0)
    return V, UD, xa, xb


def _build(problem: DesignProblem, C0: np.ndarray, C: np.ndarray, r: np.ndarray, delta: float, w: float,
           case: tuple, boundary: tuple[int, tuple] | None, bounds: dict[str, tuple[float, float]],
           M: float) -> pyo.ConcreteModel:
    """The regulator's program in one follower case (``boundary`` None: multipliers of the case's region boundaries
    at 0), or on its j-th boundary with the neighbouring case's KKT conditions as well (``boundary`` = (j, case))."""
    m = pyo.ConcreteModel("design")
    m.tG = pyo.Var(bounds=bounds["theta_G"], initialize=bounds["theta_G"][0])
    m.tD = pyo.Var(bounds=bounds["theta_D"], initialize=bounds["theta_D"][0])
    m.a = pyo.Var(bounds=(0, M))
    m.b = pyo.Var(bounds=(0, M))
    pairs: list[tuple[Any, Any]] = []
    V, UD, xa, xb = _case_block(m, case[0], C0, C, r, delta, w, case, boundary is not None, pairs)
    if boundary is not None:
        j, other = boundary
        _case_block(m, other[0], C0, C, r, delta, w, other, True, pairs)
        blk = m.component(f"case_{case[0].replace('@', '_at')}")
        blk.s[j].fix(0.0)  # on the boundary
    m.takes_part = pyo.Constraint(expr=V >= 0)
    _deviation_cut(m, V, C0, C, r, delta, w, M, pairs)
    m.comp = pyo.SOSConstraint(range(len(pairs)), rule=lambda mm, k: [pairs[k][0], pairs[k][1]], sos=1)
    values = {"U_G": V, "U_D": UD, "U_D_1": UD, "welfare": V + UD, "total": V + UD, "safety": m.b + xb,
              "beta_1": m.b + xb, "alpha_1": m.a + xa, "alpha0": m.a, "beta0": m.b, "delta": delta,
              "participates_1": 1.0}
    for v in problem.variables:
        var = m.tG if THETA_KEYS[v.key] == "theta_G" else m.tD
        values[v.key] = var
        values[v.short] = var
    m.objective_expr = pyo.Expression(expr=problem.objective.algebraic(values))
    m.obj = pyo.Objective(expr=m.objective_expr, sense=pyo.maximize if problem.sense == "maximize" else pyo.minimize)
    _user_constraints(m, problem, values)
    return m
