"""Certificates and equilibrium records: re-solve every follower at the leader's decision, compare the leader's
value with its exact optimum when one is known, classify each specialist's regime."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ...models.fine_tuning import FineTuningGame
from ...models.outcomes import Certificate, Equilibrium, Level, Regime
from .leader import exact_leader

FOLLOWER_TOL = 1e-6
LEADER_TOL = 1e-7


def regime_of(participates: bool, increment: float, tol: float = 1e-8) -> Regime:
    """contribute: takes part and α_i > α0; free-ride: takes part and α_i = α0; abstain: does not take part."""
    if not participates:
        return Regime.ABSTAIN
    return Regime.CONTRIBUTE if increment > tol else Regime.FREE_RIDE


def label_regimes(game: FineTuningGame, delta: Sequence[float], alpha0: float,
                  participating: Sequence[bool]) -> tuple[Regime, ...]:
    """The one labeller of the fine-tuning game: each specialist's regime from its exact best response at G's α0
    (not from the formulation's α_i, which a solver leaves off by its tolerance), so that every formulation that
    finds the same α0 gives the same labels.  A participant contributes iff its exact increment exceeds 1e-9."""
    return tuple(regime_of(p, game.follower_response(i, d, alpha0).increment if p else 0.0, tol=1e-9)
                 for i, (d, p) in enumerate(zip(delta, participating, strict=True)))


def certify(game: FineTuningGame, delta: Sequence[float], alpha0: float, alpha: Sequence[float],
            participating: Sequence[bool], *, method: str, global_method: bool,
            leader_optimum: float | None = None) -> Certificate:
    """Re-solve each follower exactly at α0 (``follower_gap`` = max |α_i − α0 − Δ_i*| over participants, ∞ on a
    participation mismatch); ``leader_gap`` = exact leader optimum − G's value (computed here by enumeration when
    revenue is linear).  GLOBAL iff the method is global and both gaps are within tolerance."""
    gap = 0.0
    for i, d in enumerate(delta):
        response = game.follower_response(i, d, alpha0)
        if response.participates != bool(participating[i]):
            gap = math.inf
            break
        if participating[i]:
            gap = max(gap, abs(alpha[i] - alpha0 - response.increment))
    value = game.generalist_utility(delta, alpha0, alpha, participating)
    exact = leader_optimum
    alpha0_gap = None
    if exact is None and game.linear_revenue:  # an independent exact answer: G's value and investment must match
        solution = exact_leader(game, delta)
        exact, alpha0_gap = solution.value, abs(alpha0 - solution.alpha0)
    leader_gap = None if exact is None else exact - value
    scale = max(1.0, abs(value))
    follower_ok = gap <= FOLLOWER_TOL * max(1.0, alpha0)
    leader_ok = (leader_gap is not None and leader_gap <= LEADER_TOL * scale
                 and (alpha0_gap is None or alpha0_gap <= LEADER_TOL * (1.0 + abs(alpha0))))
    checks = {"follower_gap": gap, "leader_gap": leader_gap, "alpha0_gap": alpha0_gap,
              "exact_method": bool(global_method)}
    reasons: list[str] = []
    if not follower_ok:
        reasons.append(f"a specialist is not at its best response (gap {gap:.3g})")
    if leader_gap is None:
        reasons.append("G's exact optimum is unknown here (power revenue): leader optimality not checked")
    elif not leader_ok:
        reasons.append(f"G's value is {leader_gap:.3g} below its exact optimum" if alpha0_gap is None or
                       leader_gap > LEADER_TOL * scale else
                       f"G's investment α0 differs from the exact one by {alpha0_gap:.3g}")
    if not global_method:
        reasons.append(f"{method} does not prove global optimality")
    if follower_ok and leader_ok and global_method:
        level = Level.GLOBAL
    elif follower_ok and (leader_gap is None or leader_ok):
        level = Level.LOCAL
    else:
        level = Level.NONE
    return Certificate(level, method, checks, tuple(reasons))


def make_equilibrium(game: FineTuningGame, delta: Sequence[float], alpha0: float, alpha: Sequence[float],
                     participating: Sequence[bool], *, formulation: str, solver: str, global_method: bool,
                     generalist_participates: bool = True, leader_optimum: float | None = None,
                     status: str | None = None, backend: str | None = None, build_time: float = 0.0) -> Equilibrium:
    """Assemble an :class:`Equilibrium` (utilities evaluated from the model) with its certificate."""
    delta = tuple(float(d) for d in delta)
    if not generalist_participates:
        n = game.n
        cert = Certificate(Level.GLOBAL if global_method else Level.LOCAL, formulation,
                           {"follower_gap": 0.0, "leader_gap": 0.0, "exact_method": bool(global_method)},
                           () if global_method else (f"{formulation} does not prove global optimality",))
        return Equilibrium(delta, 0.0, (0.0,) * n, game.generalist.outside_option,
                           tuple(s.outside_option for s in game.specialists), (Regime.ABSTAIN,) * n, cert,
                           formulation, solver, False, status or _status(cert), backend, build_time)
    alpha = tuple(float(a) if p else float(alpha0) for a, p in zip(alpha, participating, strict=True))
    u_g = game.generalist_utility(delta, alpha0, alpha, participating)
    u_d = tuple(game.specialist_utility(i, d, alpha0, alpha[i]) if participating[i]
                else game.specialists[i].outside_option for i, d in enumerate(delta))
    regimes = label_regimes(game, delta, alpha0, participating)
    cert = certify(game, delta, alpha0, alpha, participating, method=formulation, global_method=global_method,
                   leader_optimum=leader_optimum)
    return Equilibrium(delta, float(alpha0), alpha, u_g, u_d, regimes, cert, formulation, solver, True,
                       status or _status(cert), backend, build_time)


#: Above this many specialists the certificate of an exact vectorised equilibrium is its O(n) first-order checks
#: (:func:`.vectorised.kkt_residuals`) instead of an independent re-solve of every follower and of the leader
#: (which loops in Python and costs O(n²) with entry decisions).
INDEPENDENT_CHECK_LIMIT = 200


def make_vectorised_equilibrium(game: FineTuningGame, delta: Sequence[float], *, formulation: str) -> Equilibrium:
    """The exact equilibrium at δ computed by :func:`.vectorised.equilibrium_arrays` (linear revenue), certified by
    the independent re-solve of :func:`make_equilibrium` up to :data:`INDEPENDENT_CHECK_LIMIT` specialists and by
    its O(n) first-order checks above."""
    from .vectorised import equilibrium_arrays, kkt_residuals

    eq = equilibrium_arrays(game, delta)
    if game.n <= INDEPENDENT_CHECK_LIMIT:
        return make_equilibrium(game, eq.delta.tolist(), eq.alpha0, eq.alpha.tolist(), eq.participates.tolist(),
                                formulation=formulation, solver="analytic" if formulation == "closed_form" else
                                "exact", global_method=True, generalist_participates=eq.generalist_participates)
    checks = kkt_residuals(game, eq)
    follower_ok = checks["follower_gap"] <= FOLLOWER_TOL
    leader_ok = checks["leader_stationarity"] <= 1e-9
    reasons = [] if follower_ok else [f"a specialist is not at its best response (gap {checks['follower_gap']:.3g})"]
    if not leader_ok:
        reasons.append(f"G's first-order condition fails by {checks['leader_stationarity']:.3g}")
    level = Level.GLOBAL if follower_ok and leader_ok else Level.NONE
    cert = Certificate(level, formulation, {**checks, "exact_method": True,
                                            "check": "O(n) first-order conditions (vectorised)"}, tuple(reasons))
    if not eq.generalist_participates:
        regimes = (Regime.ABSTAIN,) * game.n
    else:
        codes = np.where(~eq.participates, 2, np.where(eq.increment > 1e-9, 0, 1))
        table = (Regime.CONTRIBUTE, Regime.FREE_RIDE, Regime.ABSTAIN)
        regimes = tuple(table[c] for c in codes.tolist())
    return Equilibrium(tuple(eq.delta.tolist()), eq.alpha0, tuple(eq.alpha.tolist()), eq.utility_generalist,
                       tuple(eq.utility_specialists.tolist()), regimes, cert, formulation,
                       "analytic" if formulation == "closed_form" else "exact", eq.generalist_participates,
                       _status(cert))


def _status(cert: Certificate) -> str:
    return "optimal" if cert.level is Level.GLOBAL else "locally_optimal"
