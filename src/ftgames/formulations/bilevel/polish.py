"""Active-set polish: sharpen a bilevel solution on the piece its solver identified.

A branch-and-bound solver stops within its gap and feasibility tolerance, which pins the leader's objective but
leaves the arguments accurate only to about √tolerance on a flat optimum (a safety game's γ0 off by 3e-6 crossed a
classification threshold).  Given a solution, fix every complementarity pair of the (unencoded) KKT system to the
side the solution chose — ``slack = 0`` where the slack is at most ``active_tol``, else ``multiplier = 0`` — and solve
the resulting smooth program with Ipopt at a tight tolerance, started from the solution, with every discrete leader
variable fixed.  An interior-point method stops short of a bound it converges to (by √barrier where the bound is
weakly active) and relaxes bounds and rows by 1e-8, so a second pass solves the piece's equations alone: every
leader variable and row that ended within ``BOUND_TOL`` of a bound is put exactly on it, the rest dropped.  The
global solve located the piece; the local solves find the exact point on it.  The polished point is kept only if it
is primal feasible, complementary, at least as good for the leader and close to the solution (a polish sharpens, it
does not move to another answer); otherwise the solution is returned unchanged.

When the piece is an LP (a linear leader over linear followers) an LP backend (HiGHS) solves it instead of Ipopt:
a simplex vertex is exact, so no second pass is needed (and it is one LP instead of two interior-point solves).
When it is a QP's (a quadratic leader objective, linear rows: quadratic followers), the second pass's equations are
solved first, directly from the solver's point, as one linear system (:func:`_exact_piece`); the Ipopt passes run
only if that point is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import Capability, Layer, SolveConfig, get_backend, solve

from .analysis import program_requirements
from .interface import BilevelSpec
from .reformulate import build_kkt

POLISH_TOLERANCE = 1e-13  # Ipopt's tolerance on the active-set system
ACCEPT = 1e-9  # relative: primal rows and complementarity may be violated at most this much
#: relative: what the leader may lose — the solver's point may violate a leader row by its feasibility tolerance
#: (1e-8 here) and gain that times a multiplier, which the exact point gives back
MAX_LOSS = 1e-6
#: ... or, when the solver's own point violates the KKT system's rows or complementarity by v, up to this many times
#: v: an inexact point (a big-M program solved to HiGHS' MIP tolerances left a multiplier of 8.6e-4 beside a slack of
#: 0.09) may look better for the leader than the exact point of its own piece by about that much
LOSS_PER_VIOLATION = 10.0
MAX_STEP = 1e-2  # relative: a polish sharpens the point it was given (off by about √tolerance); a longer move
#: is another answer, refused
BOUND_TOL = 1e-6  # after the first pass, a leader variable or row this close to a bound is put on it


@dataclass
class Polished:
    """A polished point: every variable of the KKT system by name, and, when the piece is an LP, the duals of the
    active-set LP's rows (the library's convention: d(leader's value)/d(rhs), local to the active set)."""

    values: dict[str, Any]
    duals: dict[str, float] = field(default_factory=dict)


def polish_active_set(bm: BilevelSpec, values: dict[str, Any], *, config: SolveConfig | None = None,
                      active_tol: float = 1e-6, kkt: Any = None) -> Polished | None:
    """The KKT system's variables (``bm``'s and the multipliers, by name) polished on the active set of
    ``values`` (a solution of any encoding of ``bm``), or None if the polish is
    unavailable (no Ipopt), fails, or would make the leader worse off.  Tries the sides read off the solution, then
    every multiplier at zero (the followers' interior solutions), which rescues degenerate pairs.

    ``kkt``: the unencoded KKT program of ``bm`` (:func:`build_kkt`) built once by the caller, with its mutable
    parameters already set to ``bm``'s (a parametric program); it is left as it was given, except for variable
    values.  Without it the KKT program is built here."""
    if _lp_backend() is None and not get_backend("ipopt").availability(Layer.PYOMO).available:
        return None
    for tol in (active_tol, -1.0):
        polished = _polish_once(bm, values, config, tol, kkt)
        if polished is not None:
            return polished
    return None


def _polish_once(bm: BilevelSpec, values: dict[str, Any], config: SolveConfig | None,
                 active_tol: float, kkt: Any = None) -> Polished | None:
    reform = kkt if kkt is not None else build_kkt(bm)
    single = reform.model
    free = [v for v in single.component_data_objects(pyo.Var, descend_into=True) if not v.fixed]
    try:
        return _polish_on(bm, reform, values, config, active_tol)
    finally:  # a kept program goes back as it was given (a new one is thrown away anyway)
        if single.component("active_set") is not None:
            single.del_component("active_set")
        for v in free:  # discrete variables and leader variables put on a bound were fixed for the polish
            if v.fixed:
                v.unfix()


def _polish_on(bm: BilevelSpec, reform: Any, values: dict[str, Any], config: SolveConfig | None,
               active_tol: float) -> Polished | None:
    single = reform.model
    from .certificate import complementarity_residual, primal_infeasibility

    load_values(single, values)
    objective = next(single.component_data_objects(pyo.Objective, active=True, descend_into=True))
    before = pyo.value(objective, exception=False)
    if before is None:
        return None
    violation = max(primal_infeasibility(single), complementarity_residual(reform.kkt.pairs))
    max_loss = max(MAX_LOSS, LOSS_PER_VIOLATION * violation)
    for v in single.component_data_objects(pyo.Var, descend_into=True):
        if not v.is_continuous() and v.value is not None:
            v.fix(round(v.value))
    start = {v.name: v.value for v in single.component_data_objects(pyo.Var, descend_into=True)}
    single.active_set = pyo.ConstraintList()
    for pair in reform.kkt.pairs:
        slack = pyo.value(pair.slack, exception=False)
        if slack is not None and abs(slack) <= active_tol:
            single.active_set.add(pair.slack == 0)
        else:
            single.active_set.add(pair.multiplier == 0)
            pair.multiplier.value = 0.0
    on_the_set = {v.name: v.value for v in single.component_data_objects(pyo.Var, descend_into=True)}
    # the caller's limits, but not its backend options (they belong to the backend that found the solution)
    lp = _lp_backend() if program_requirements(single) == {Capability.LP} else None
    duals: dict[str, float] = {}
    if lp is not None:
        lp_config = replace(config or SolveConfig(), solver=lp, solver_source="keyword solver=", options={},
                            log=False)
        piece = solve(single, requires={Capability.LP}, solver=lp, config=lp_config, convex=True,
                      formulation=f"{bm.name}: active-set polish (LP)")
        if not piece.ok:
            return None
        duals = dict(piece.duals)
    elif _exact_piece(single, bm) and (kept := _verdict(bm, reform, objective, before, start, duals,
                                                          max_loss)) is not None:
        return kept
    else:
        if not get_backend("ipopt").availability(Layer.PYOMO).available:
            return None
        load_values(single, on_the_set)  # the exact piece may have moved the point before it was refused
        polish_config = replace(config or SolveConfig(), solver="ipopt", solver_source="keyword solver=",
                                tolerance=POLISH_TOLERANCE, options={}, log=False)
        if not _ipopt(single, polish_config, bm.name):
            return None
        _on_the_piece(single, bm, polish_config)
    return _verdict(bm, reform, objective, before, start, duals, max_loss)


def _verdict(bm: BilevelSpec, reform: Any, objective: Any, before: float, start: dict[str, Any],
             duals: dict[str, float], max_loss: float) -> Polished | None:
    """The polished point now in the program, if it is feasible, complementary, no worse for the leader (up to
    ``max_loss``, relative), close to ``start`` and has multipliers of the solver's own size; else None."""
    from .certificate import complementarity_residual, primal_infeasibility

    single = reform.model
    sign = 1.0 if objective.sense == pyo.minimize else -1.0
    after = pyo.value(objective, exception=False)
    if after is None:
        return None
    scale = max(1.0, abs(before))
    if sign * (after - before) > max_loss * scale:
        return None
    if primal_infeasibility(single) > ACCEPT * scale or complementarity_residual(reform.kkt.pairs) > ACCEPT * scale:
        return None
    own = [v for v in bm.model.component_data_objects(pyo.Var, descend_into=True)]
    moved = max((abs(single.find_component(v.name).value - start[v.name]) / (1.0 + abs(start[v.name]))
                 for v in own if start.get(v.name) is not None), default=0.0)
    if moved > MAX_STEP:
        return None
    # a degenerate follower's multipliers are not unique, and an interior point drifts to the centre of their set,
    # which may be unbounded: keep the solver's own multipliers rather than much larger ones
    multipliers = [p.multiplier for p in reform.kkt.pairs]
    largest = max((abs(start.get(m.name) or 0.0) for m in multipliers), default=0.0)
    if max((abs(m.value or 0.0) for m in multipliers), default=0.0) > 10.0 * (1.0 + largest):
        return None
    return Polished({v.name: v.value for v in single.component_data_objects(pyo.Var, descend_into=True)}, duals)


def _lp_backend() -> str | None:
    """HiGHS if it is installed (a simplex LP solver), else None."""
    return "highs" if get_backend("highs").availability(Layer.PYOMO).available else None


def _leader_variables(bm: BilevelSpec) -> set[str]:
    followers = {v.name for f in bm.followers for v in f.block.component_data_objects(pyo.Var, descend_into=True)}
    return {v.name for v in bm.model.component_data_objects(pyo.Var, descend_into=True)} - followers


def _ipopt(model: Any, config: SolveConfig, name: str) -> bool:
    return solve(model, requires={Capability.NLP}, solver="ipopt", config=config,
                 formulation=f"{name}: active-set polish").ok


def _on_the_piece(model: Any, bm: BilevelSpec, config: SolveConfig) -> None:
    """Second pass: Ipopt on the piece's equations (:func:`_the_piece`); if it fails, the first pass's point is
    kept."""
    first = {v.name: v.value for v in model.component_data_objects(pyo.Var, descend_into=True)}
    with _the_piece(model, bm):
        solved = _ipopt(model, config, bm.name)
    if not solved:
        load_values(model, first)


@contextmanager
def _the_piece(model: Any, bm: BilevelSpec) -> Iterator[None]:
    """For the block, ``model`` holds the piece's equations.  Every leader variable within ``BOUND_TOL`` of a bound is
    fixed there, every leader inequality row within ``BOUND_TOL`` of a side becomes an equality and the others are
    dropped, and the followers' rows are dropped (their pairs already say which hold with equality); the variables'
    own bounds stay (multipliers >= 0), inactive at this point.  Rows and variables are restored after (values
    stay)."""
    followers = [f.block.name for f in bm.followers]
    leader_vars = _leader_variables(bm)

    def on_follower(component: Any) -> bool:
        return any(component.name.startswith(name + ".") for name in followers)

    fixed = []
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        if v.fixed or v.value is None or v.name not in leader_vars:
            continue
        near = [b for b in (v.lb, v.ub) if b is not None and abs(v.value - b) <= BOUND_TOL * (1 + abs(b))]
        if near:
            v.fix(near[0])
            fixed.append(v)
    dropped = []
    model.piece = pyo.ConstraintList()
    for c in list(model.component_data_objects(pyo.Constraint, active=True, descend_into=True)):
        if c.equality or c.parent_component() is model.piece:
            continue
        dropped.append(c)
        c.deactivate()
        if on_follower(c):
            continue
        body = pyo.value(c.body, exception=False)
        for side in (c.lower, c.upper):
            bound = None if side is None else pyo.value(side)
            if body is not None and bound is not None and abs(body - bound) <= BOUND_TOL * (1 + abs(bound)):
                model.piece.add(c.body == bound)
                break
    try:
        yield
    finally:
        model.del_component(model.piece)
        for c in dropped:
            c.activate()
        for v in fixed:  # the value (on the bound) stays
            v.unfix()


def _exact_piece(model: Any, bm: BilevelSpec) -> bool:
    """The piece's equations (:func:`_the_piece`) solved by Newton's method on their optimality conditions, when
    the piece is a quadratic program with quadratic equality rows (every KKT system of quadratic followers; a
    quadratic leader row such as a participation constraint that holds with equality).  With linear rows one step
    is exact: ``[H Aᵀ; A 0] [d; λ] = [−∇f(x); b − A x]``; with quadratic rows the Lagrangian's Hessian
    ``H + Σ λ_k G_k`` is updated and the step repeated (at most :data:`NEWTON_STEPS`).  Each step is a least-squares
    solution (a degenerate follower's multipliers are not unique), so the result is the stationary point nearest
    the current one; it is kept only if it solves the equations to 1e-10.  Exact where an interior-point solve stops
    short by its tolerance, and no Ipopt call; False (nothing changed) when the piece is not of this form or Newton
    does not converge, and the caller takes the Ipopt passes."""
    import numpy as np

    with _the_piece(model, bm):
        objective = next(model.component_data_objects(pyo.Objective, active=True, descend_into=True))
        rows = list(model.component_data_objects(pyo.Constraint, active=True, descend_into=True))
        if not all(c.equality for c in rows):
            return False
        columns: dict[int, int] = {}
        variables: list[Any] = []
        f = _quadratic_form(objective.expr, columns, variables)
        g = [_quadratic_form(c.body, columns, variables) for c in rows]
        if f is None or any(r is None for r in g):
            return False
        n, m = len(variables), len(rows)
        if n == 0 or any(v.value is None for v in variables):
            return False
        H, c_f, _ = f.dense(n)
        G = [r.dense(n) for r in g]
        rhs_rows = np.array([float(pyo.value(c.upper)) for c in rows])
        x = np.array([float(v.value) for v in variables])
        curved = any(np.any(Gk) for Gk, _, _ in G)
        lam = np.zeros(m)
        if curved and m:  # the multipliers that best explain the current point, for the first Hessian
            J = np.array([Gk @ x + ck for Gk, ck, _ in G]).reshape(m, n)
            lam = np.linalg.lstsq(J.T, -(H @ x + c_f), rcond=None)[0]
        solved = False
        for _ in range(NEWTON_STEPS if curved else 1):
            J = np.array([Gk @ x + ck for Gk, ck, _ in G]).reshape(m, n)
            residual_rows = np.array([0.5 * x @ Gk @ x + ck @ x + k0 for Gk, ck, k0 in G]) - rhs_rows
            W = H + sum((lam[k] * G[k][0] for k in range(m)), np.zeros((n, n)))
            K = np.block([[W, J.T], [J, np.zeros((m, m))]])
            gradient = H @ x + c_f
            target = np.concatenate([-gradient, -residual_rows])
            step = np.linalg.lstsq(K, target, rcond=None)[0]
            if not np.all(np.isfinite(step)):
                return False
            x, lam = x + step[:n], step[n:]
            if not curved:
                solved = np.max(np.abs(K @ step - target), initial=0.0) <= 1e-10 * (
                    1.0 + np.max(np.abs(target), initial=0.0))
                break
            J = np.array([Gk @ x + ck for Gk, ck, _ in G]).reshape(m, n)
            stationarity = H @ x + c_f + J.T @ lam
            feasibility = np.array([0.5 * x @ Gk @ x + ck @ x + k0 for Gk, ck, k0 in G]) - rhs_rows
            scale = 1.0 + np.max(np.abs(np.concatenate([H @ x + c_f, rhs_rows])), initial=0.0)
            solved = max(np.max(np.abs(stationarity), initial=0.0), np.max(np.abs(feasibility), initial=0.0)) \
                <= 1e-10 * scale
            if solved:
                break
        if not solved:
            return False
        for var, value in zip(variables, x, strict=True):
            var.set_value(float(value), skip_validation=True)
        return True


#: Newton steps on a piece with quadratic rows before the exact polish gives way to Ipopt (from a solver's point
#: within its tolerance, Newton needs two or three)
NEWTON_STEPS = 12


@dataclass
class _Quadratic:
    """``½ xᵀQx + cᵀx + k`` over the piece's columns (``Q`` symmetric), read from Pyomo's standard representation."""

    quadratic: list[tuple[int, int, float]]
    linear: list[tuple[int, float]]
    constant: float

    def dense(self, n: int) -> tuple[Any, Any, float]:
        import numpy as np

        Q = np.zeros((n, n))
        for i, j, c in self.quadratic:
            Q[i, j] += c
            Q[j, i] += c
        c = np.zeros(n)
        for i, a in self.linear:
            c[i] += a
        return Q, c, self.constant


def _quadratic_form(expr: Any, columns: dict[int, int], variables: list[Any]) -> _Quadratic | None:
    """``expr`` as a :class:`_Quadratic` (new variables appended to ``variables``), or None if it is not quadratic."""
    from pyomo.repn import generate_standard_repn

    def column(var: Any) -> int:
        if id(var) not in columns:
            columns[id(var)] = len(variables)
            variables.append(var)
        return columns[id(var)]

    repn = generate_standard_repn(expr, compute_values=True, quadratic=True)
    if repn.nonlinear_expr is not None:
        return None
    # x_i x_j with coefficient c: Q_ij = Q_ji = c (so ½ xᵀQx = c x_i x_j), x_i² : Q_ii = 2c
    quadratic = [(column(a), column(b), float(c)) for (a, b), c in zip(repn.quadratic_vars, repn.quadratic_coefs,
                                                                      strict=True)]
    linear = [(column(v), float(c)) for v, c in zip(repn.linear_vars, repn.linear_coefs, strict=True)]
    return _Quadratic(quadratic, linear, float(repn.constant))


def load_values(model: Any, values: dict[str, Any]) -> None:
    """Set the variables of ``model`` that ``values`` names (no bound checks: a solver's point may sit 1e-9 out)."""
    for v in model.component_data_objects(pyo.Var, descend_into=True):
        if values.get(v.name) is not None:
            v.set_value(values[v.name], skip_validation=True)
