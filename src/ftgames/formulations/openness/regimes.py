"""G's choice between its regimes (comply / pay / abstain) from each regime's solved value, and the check of a
global KKT claim against the exact enumeration: shared by :func:`.equilibrium.solve_equilibrium` (fresh builds)
and the parametric program :class:`.parametric.OpennessKKTProgram` (built once, re-solved)."""

from __future__ import annotations

import math
from dataclasses import replace

from ...models.openness import PROVED, OpennessEquilibrium, OpennessGame, RegimeValue
from .enumeration import TIE, equilibrium_arrays


def from_enumeration(game: OpennessGame) -> OpennessEquilibrium:
    """The equilibrium by the exact enumeration (the ``enumeration`` formulation)."""
    arrays = equilibrium_arrays(game, verify=True)
    values = []
    for name, reg in (("comply", arrays.comply), ("pay", arrays.pay)):
        if reg.feasible:
            values.append(RegimeValue(name, True, float(reg.omega[0]), float(reg.step[0]), float(reg.U_G[0]),
                                      float(reg.U_D[0]), proof=reg.proof,
                                      status="optimal" if reg.proof in PROVED else "locally_optimal"))
        else:
            values.append(RegimeValue(name, False))
    return choose_regime(game, values, "enumeration")


#: a global KKT claim agrees with the exact enumeration to this (relative on utilities, absolute on ω)
AGREEMENT_TOL = 1e-6


def checked_against(eq: OpennessEquilibrium, exact: OpennessEquilibrium) -> OpennessEquilibrium:
    """A global claim ``eq`` must agree with the enumeration's answer ``exact`` where that is exact (objective convex
    in ω: the default forms); otherwise it is withdrawn to ``local`` with the reason."""
    if not eq.certificate.is_global or not exact.certificate.is_global:
        return eq  # nothing claimed, or nothing exact to compare with (the enumeration searched a grid)
    scale = max(1.0, abs(exact.U_G), abs(exact.U_D))
    same = (eq.regime == exact.regime and abs(eq.U_G - exact.U_G) <= AGREEMENT_TOL * scale
            and abs(eq.U_D - exact.U_D) <= AGREEMENT_TOL * scale
            and (eq.regime == "abstain" or abs(eq.omega - exact.omega) <= AGREEMENT_TOL))
    if same:
        return eq
    note = (f"differs from the exact enumeration (regime {exact.regime}, ω = {exact.omega:.6g}, "
            f"U_G = {exact.U_G:.6g}) by more than {AGREEMENT_TOL:g}")
    return replace(eq, proof="local", notes=(*eq.notes, note))


def checked_against_exact(game: OpennessGame, eq: OpennessEquilibrium) -> OpennessEquilibrium:
    """:func:`checked_against` the enumeration of ``game`` (computed only for a global claim)."""
    return checked_against(eq, from_enumeration(game)) if eq.certificate.is_global else eq


def choose_regime(game: OpennessGame, values: list[RegimeValue], formulation: str) -> OpennessEquilibrium:
    """Comply iff U_G(comply) ≥ U_G(pay); abstain iff the better is < 0 (ties: comply, take part)."""
    comply, pay = values
    regulation = game.regulation
    use_pay = pay.feasible and pay.U_G > comply.U_G + TIE
    chosen = pay if use_pay else comply
    proof = _weakest([v.proof for v in values if v.feasible])
    if chosen.U_G < -TIE:
        return OpennessEquilibrium("abstain", math.nan, game.alpha0, math.nan, game.delta, 0.0, 0.0, 0.0, 0.0,
                                   tuple(values), formulation, proof)
    penalty_paid = regulation.penalty if use_pay else 0.0
    welfare = chosen.U_G + chosen.U_D + (penalty_paid if regulation.penalty_is_transfer else 0.0)
    return OpennessEquilibrium(chosen.regime, chosen.omega, game.alpha0, game.alpha0 + chosen.step, game.delta,
                               chosen.U_G, chosen.U_D, penalty_paid, welfare, tuple(values), formulation, proof)


def _weakest(labels: list[str]) -> str:
    order = ["local", "grid", "interval_verified", "concave_convex", "convex_endpoints", "global"]
    known = [label for label in labels if label in order]
    return min(known, key=order.index) if known else ""
