"""Outcome classification against the unregulated game (θG = θD = 0, same δ).

    abstain      G (or every specialist) abstains: everyone gets 0
    backfiring   some specialist's final safety β_i is below its unregulated value − tol
    mutualism    U_G and every U_Di are above their unregulated values + tol
    feasible     anything else

``regime`` is the first that applies in the order abstain, backfiring, mutualism, feasible (the regime maps).
"""

from __future__ import annotations

import numpy as np

#: Default tolerance of the comparisons with the unregulated game.
CLASSIFICATION_TOL = 1e-6
REGIMES = ("feasible", "mutualism", "backfiring", "abstain")


def final_safety(result: dict[str, np.ndarray]) -> np.ndarray:
    """β_i where specialist i deploys, 0 where nothing is deployed; shape (..., n)."""
    return np.where(result["participates"], np.nan_to_num(result["beta"], nan=0.0), 0.0)


def classify_arrays(result: dict[str, np.ndarray], anarchy: dict[str, np.ndarray],
                    tol: float = CLASSIFICATION_TOL) -> dict[str, np.ndarray]:
    """Flags and regime codes (index into :data:`REGIMES`) for batched results of the regulated and unregulated
    games (``anarchy`` broadcasts against ``result``)."""
    abstain = np.asarray(result["abstain"], bool)
    backfiring = ~abstain & np.any(final_safety(result) < final_safety(anarchy) - tol, axis=-1)
    mutualism = (~abstain & (result["U_G"] > anarchy["U_G"] + tol)
                 & np.all(result["U_D"] > anarchy["U_D"] + tol, axis=-1))
    code = np.where(abstain, 3, np.where(backfiring, 2, np.where(mutualism, 1, 0)))
    return {"abstain": abstain, "backfiring": backfiring, "mutualism": mutualism, "regime_code": code}


def regime_names(code: np.ndarray) -> np.ndarray:
    return np.asarray(REGIMES, dtype=object)[np.asarray(code)]
