"""The conic bargaining programs with the game's data as CVXPY ``Parameter`` s: compiled once, re-solved.

``ConicBargainingProgram(game, "nash")`` writes the program of :mod:`.conic`, :mod:`.nash` and
:mod:`.kalai_smorodinsky` (one quadratic specialist: Nash in the ``log`` or ``geo_mean`` form, egalitarian,
Kalai–Smorodinsky, generalist_optimal, specialist_optimal) or the n-specialist utilitarian QP, with every number that
comes from the game's costs c0, c_i and revenue rates r_i held in a ``cp.Parameter``.  The programs are DPP
(disciplined parametrized programming: every product has a parameter-free factor), so CVXPY compiles each once —
on the first solve — and later solves only substitute the new parameter values into the compiled cone program::

    program = ConicBargainingProgram(FineTuningGame.quadratic(1.0, [2.0]), "nash")
    for c1 in np.linspace(0.5, 4.0, 100):
        outcome = program.update(costs=[c1]).solve()     # = bargain(FineTuningGame.quadratic(1.0, [c1]), "nash")

:meth:`~ConicBargainingProgram.solve` returns the :class:`~ftgames.models.outcomes.BargainingOutcome` that
:func:`~ftgames.formulations.bargaining.bargain` returns with the same formulation — ``bargain`` itself builds this
program and solves it once, so the two are one code path: the same conic solve, the same first-order polish
(:func:`.nash.polish`, :func:`.nash.polish_egalitarian`, :func:`.conic.polish_utilitarian`) and the same exact
equilibrium at the answer.

Parameters: ``c0`` (G's cost), ``costs`` and ``revenues`` (one per specialist; the number of specialists is fixed
when the program is built).  Weights and the disagreement point are part of the program's structure (the ``log``
form's sum and the ``geo_mean`` form's exponents are constants, and d = 0 and d > 0 are different programs), so they
are given when it is built.  The shape of each program, with K = r²/(4 c0 c1), S = c0 + c1 and ρ = √(K S):

    √U_G = geo_mean(ρ δ,  ρ ((c1 − 2 c0) δ + 2 c0)/S)        √U_D = geo_mean(ρ (1 − δ),  ρ ((2 c1 − c0) δ + c0)/S)
    utilitarian (n):  max  ℓᵀδ − (qᵀδ)² − Σ w_i δ_i² + Σ w_i,   ℓ = R r/(2 c0 M),  q = r/(2 √(c0 M)),  w = r²/(4 c M)

(M: the surplus's magnitude, for conditioning, as in :func:`.conic.utilitarian_problem`); each coefficient is a
parameter whose value :meth:`update` computes from c0, c_i, r_i.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cvxpy as cp
import numpy as np

from ...models.costs import ModelError
from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import BargainingOutcome
from ...solvers import Capability, Layer, SolveConfig, resolve_solver, solve
from ..parametric import BuildTimer, ParametricProgram
from . import conic, nash
from .evaluate import exact_equilibrium, labels_of, objective_of

#: the solutions this program writes (max_performance has its own program, :mod:`.performance`)
SOLUTIONS = ("utilitarian", "nash", "egalitarian", "kalai_smorodinsky", "generalist_optimal", "specialist_optimal")


def conic_requires(name: str, variant: str) -> set[Capability]:
    """What the program of solution ``name`` in form ``variant`` (conic, log, geo_mean) needs from a backend."""
    if name == "utilitarian":
        return {Capability.CONVEX_QP}
    if name == "nash" and variant in ("conic", "log"):
        return {Capability.EXP_CONE, Capability.SOC}
    return {Capability.SOC}


class _OneSpecialist:
    """δ, the coefficients of the two utilities' hypographs (one parameter vector), and √U_G, √U_D as DPP
    expressions.  The coefficients are ρ; U_G's second factor (c1 δ + 2 c0 (1 − δ))/S as slope and intercept in δ;
    U_D's (2 c1 δ + c0 (1 − δ))/S likewise; then those four times ρ.  (Slope and intercept rather than the weights
    of δ and 1 − δ: Clarabel stopped "inaccurate" on 1 of 1,000 games of the latter, on none of the former.)"""

    def __init__(self) -> None:
        self.delta = delta = cp.Variable(name="delta")
        self.coefficients = p = cp.Parameter(9, name="coefficients")
        self.gain_g = p[1] * delta + p[2]
        self.gain_d = p[3] * delta + p[4]
        self.sqrt_ug = cp.geo_mean(cp.hstack([p[0] * delta, p[5] * delta + p[6]]))
        self.sqrt_ud = cp.geo_mean(cp.hstack([p[0] * (1 - delta), p[7] * delta + p[8]]))
        self.rows = [delta >= 0, delta <= 1]

    def set(self, c0: float, c1: float, r: float) -> None:
        k = r * r / (4.0 * c0 * c1)
        scale = c0 + c1
        rho = math.sqrt(k * scale)
        factors = np.array([c1 - 2 * c0, 2 * c0, 2 * c1 - c0, c0]) / scale
        self.coefficients.value = np.concatenate([[rho], factors, rho * factors])


class ConicBargainingProgram(ParametricProgram):
    """One conic bargaining program over δ, compiled once (see the module's docstring)."""

    parameter_names = ("c0", "costs", "revenues")

    def __init__(self, game: FineTuningGame, solution: str, *, form: str = "conic", solver: str | None = None,
                 config: SolveConfig | None = None, weights: Sequence[float] | None = None,
                 disagreement: Sequence[float] | None = None) -> None:
        super().__init__()
        if solution not in SOLUTIONS:
            raise ModelError(f"ConicBargainingProgram: solution must be one of {', '.join(SOLUTIONS)}, got "
                             f"{solution!r}")
        if form in ("log", "geo_mean") and solution != "nash":
            raise ModelError(f"formulation 'conic:{form}' is a form of the Nash program; {solution!r} uses 'conic'")
        if form not in ("conic", "log", "geo_mean"):
            raise ModelError(f"conic form must be 'conic', 'log' or 'geo_mean', got {form!r}")
        if solution == "utilitarian":
            conic.check_quadratic(game)
        else:
            conic.check_one_specialist_quadratic(game)
        players = game.n + 1
        self.weights = tuple(float(w) for w in (weights if weights is not None else [1.0] * players))
        self.disagreement = tuple(float(d) for d in (disagreement if disagreement is not None else [0.0] * players))
        if len(self.weights) != players or len(self.disagreement) != players:
            raise ModelError(f"weights and disagreement must have {players} entries (G, then each specialist)")
        if solution == "nash" and any(d < 0 for d in self.disagreement):
            raise ModelError("the conic Nash program needs a disagreement point >= 0; use 'single_level'")
        if solution not in ("nash", "utilitarian") and any(self.disagreement):
            raise ModelError(f"the conic {solution} program needs the disagreement point 0; use 'single_level'")
        self.solution = solution
        self.form = form
        self.formulation = "conic" if form == "conic" else f"conic:{form}"
        self.config = config or SolveConfig()
        self.requires = conic_requires(solution, form)
        self.backend = resolve_solver(Layer.CVXPY, self.requires, solver=solver, config=self.config).name
        self.n = game.n
        self.game = game
        with BuildTimer(self):
            self._build()
            self._write(game)
        self._values = {"c0": game.generalist.cost, "costs": tuple(s.cost for s in game.specialists),
                        "revenues": tuple(s.revenue for s in game.specialists)}

    # ------------------------------------------------------------------------------------------ build
    def _build(self) -> None:
        self._ideals: list[cp.Problem] = []
        if self.solution == "utilitarian":
            n = self.n
            self.delta = cp.Variable(n, name="delta")
            self._lin = cp.Parameter(n, name="linear")
            self._root = cp.Parameter(n, name="sqrt_quadratic")
            self._own = cp.Parameter(n, nonneg=True, name="own")
            self._const = cp.Parameter(name="constant")
            surplus = (self._lin @ self.delta - cp.square(self._root @ self.delta)
                       - self._own @ cp.square(self.delta) + self._const)
            self.problem = cp.Problem(cp.Maximize(surplus), [self.delta >= 0, self.delta <= 1])
            return
        one = self._one = _OneSpecialist()
        self.delta = one.delta
        name = self.solution
        if name == "nash":
            self.problem = self._nash(one)
        elif name == "egalitarian":
            t = cp.Variable(name="t")
            self.problem = cp.Problem(cp.Maximize(t), [*one.rows, t <= one.sqrt_ug, t <= one.sqrt_ud])
        elif name in ("generalist_optimal", "specialist_optimal"):
            target = one.sqrt_ug if name == "generalist_optimal" else one.sqrt_ud
            self.problem = cp.Problem(cp.Maximize(target), one.rows)
        else:  # Kalai–Smorodinsky: each player's ideal from a one-sided program, then max t, t √Ũ_j ≤ √U_j
            self._ideal_roots = [cp.Parameter(nonneg=True, name=f"sqrt_ideal_{p}") for p in ("G", "D")]
            self._ideals = [cp.Problem(cp.Maximize(target), one.rows) for target in (one.sqrt_ug, one.sqrt_ud)]
            t = cp.Variable(name="t")
            self.problem = cp.Problem(cp.Maximize(t), [*one.rows, t * self._ideal_roots[0] <= one.sqrt_ug,
                                                       t * self._ideal_roots[1] <= one.sqrt_ud])

    def _nash(self, one: _OneSpecialist) -> cp.Problem:
        """As :func:`.nash.nash_problem`: the four affine factors for d = 0, else the hypographs s_j ≤ √U_j and
        U_j − d_j = (s_j − √d_j)(s_j + √d_j)."""
        w = [self.weights[0], self.weights[0], self.weights[1], self.weights[1]]
        delta = one.delta
        rows = list(one.rows)
        if not any(self.disagreement):
            factors = [delta, one.gain_g, 1 - delta, one.gain_d]
        else:
            s_g, s_d = cp.Variable(name="sqrt_U_G"), cp.Variable(name="sqrt_U_D")
            rows += [s_g <= one.sqrt_ug, s_d <= one.sqrt_ud]
            root_g, root_d = math.sqrt(self.disagreement[0]), math.sqrt(self.disagreement[1])
            factors = [s_g - root_g, s_g + root_g, s_d - root_d, s_d + root_d]
        if self.form in ("conic", "log"):
            return cp.Problem(cp.Maximize(sum(wi * cp.log(f) for wi, f in zip(w, factors, strict=True))), rows)
        return cp.Problem(cp.Maximize(cp.geo_mean(cp.hstack(factors), p=w)), rows)

    def _write(self, game: FineTuningGame) -> None:
        c0 = game.generalist.cost
        c = np.array([s.cost for s in game.specialists])
        r = np.array([s.revenue for s in game.specialists])
        if self.solution == "utilitarian":
            total = float(r.sum())
            magnitude = total ** 2 / (4 * c0) + float(np.sum(r ** 2 / (4 * c)))
            self._lin.value = total * r / (2 * c0 * magnitude)
            self._root.value = r / (2 * math.sqrt(c0 * magnitude))
            self._own.value = r ** 2 / (4 * c * magnitude)
            self._const.value = float(np.sum(self._own.value))
        else:
            self._one.set(c0, float(c[0]), float(r[0]))
        self.game = game

    # ------------------------------------------------------------------------------------------ contract
    @property
    def program(self) -> cp.Problem:
        """The CVXPY problem over δ (DPP; the Kalai–Smorodinsky ideals are two more, :attr:`ideal_programs`)."""
        return self.problem

    @property
    def ideal_programs(self) -> list[cp.Problem]:
        return list(self._ideals)

    @property
    def variables(self) -> dict[str, Any]:
        return {v.name(): v for v in self.problem.variables()}

    def use_game(self, game: FineTuningGame) -> ConicBargainingProgram:
        """Write every parameter from ``game`` (same number of specialists; the checks of the constructor) and
        solve for that game object itself.  Returns the program."""
        if self.solution == "utilitarian":
            conic.check_quadratic(game)
        else:
            conic.check_one_specialist_quadratic(game)
        if game.n != self.n:
            raise ModelError(f"this program has {self.n} specialists, the game {game.n}")
        self._write(game)
        self._values = {"c0": game.generalist.cost, "costs": tuple(s.cost for s in game.specialists),
                        "revenues": tuple(s.revenue for s in game.specialists)}
        return self

    def _set(self, name: str, value: Any) -> Any:
        current = dict(self._values)
        if name == "c0":
            current["c0"] = float(value)
        else:
            values = [float(v) for v in (value if np.ndim(value) else [value])]
            if len(values) != self.n:
                raise ModelError(f"{name} must have one entry per specialist ({self.n}), got {len(values)}")
            current[name] = tuple(values)
        game = FineTuningGame.quadratic(current["c0"], list(current["costs"]), list(current["revenues"]))
        self._write(game)
        return current[name]

    def _solve(self) -> BargainingOutcome:
        game, name = self.game, self.solution
        if self._ideals:
            for player, problem, root in zip("GD", self._ideals, self._ideal_roots, strict=True):
                ideal = solve(problem, requires={Capability.SOC}, solver=self.backend, config=self.config,
                              convex=True, formulation=f"bargaining:ideal:{player}")
                ideal.raise_for_status()
                root.value = max(float(problem.value), 0.0)  # √Ũ_j: the one-sided optimum of √U_j
        result = solve(self.problem, requires=self.requires, solver=self.backend, config=self.config, convex=True,
                       formulation=f"bargaining {name}: {self.formulation}")
        result.raise_for_status()
        value = np.atleast_1d(self.delta.value).astype(float)
        # sharpen a flat interior-point optimum on its first-order condition (log U_G, log U_D are concave in δ)
        if name == "nash":
            value[0], _ = nash.polish(game, float(value[0]), self.weights, self.disagreement)
        elif name == "utilitarian":
            value = np.array(conic.polish_utilitarian(game, value))
        elif name == "egalitarian":
            value[0] = nash.polish_egalitarian(game, float(value[0]))
        elif name in ("generalist_optimal", "specialist_optimal"):
            one_sided = (1.0, 0.0) if name == "generalist_optimal" else (0.0, 1.0)
            value[0], _ = nash.polish(game, float(value[0]), one_sided, (0.0, 0.0))
        delta = tuple(value.tolist())
        eq = exact_equilibrium(game, delta)
        objective = objective_of(eq, name, self.weights, self.disagreement)
        details = {"weights": list(self.weights), "disagreement": list(self.disagreement)}
        return BargainingOutcome(name, eq, self.formulation, self.backend, str(result.status), result.is_global,
                                 objective, labels_of(eq.delta), details, self.backend)
