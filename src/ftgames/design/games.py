"""What the design layer needs from a game: its outcome's flat fields, and a batch of equilibria at many rules.

Everything goes through the game front ends' public functions (``solve_batch``, the front end's ``request``), so
the design problem sees exactly the equilibria that ``ftgames solve`` and ``ftgames sweep`` report.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from ..games import front_end
from ..io.gamefile import GameFile
from .expression import DesignError

#: Labels that become 0/1 fields (``backfiring``, ``comply``, ...), by game and row column.
LABELS = {
    "safety_regulation": {"classification": ("abstain", "backfiring", "mutualism", "feasible")},
    "openness_regulation": {"regime": ("comply", "pay", "abstain"),
                            "effect": ("no_change", "deadweight_loss", "pareto_improvement", "redistribution")},
}
#: Named objectives, by game: name → (meaning).  The values are computed in :func:`fields_from_rows`.
NAMED = {
    "safety_regulation": {
        "safety": "final safety Σ_i β_i of the specialists that take part (0 when nobody builds)",
        "welfare": "U_G + Σ_i U_Di", "total": "U_G + Σ_i U_Di (same as welfare)",
        "U_G": "G's utility", "U_D": "Σ_i U_Di", "min_utility": "min(U_G, U_D_1, ...)",
        "delta": "G's share (bargained or fixed)", "alpha0": "G's performance α0 (undefined if G abstains)",
        "beta0": "G's safety β0 (undefined if G abstains)",
    },
    "openness_regulation": {
        "openness": "G's openness ω (undefined if G abstains)", "omega": "G's openness ω (same as openness)",
        "welfare": "the game's welfare (U_G + U_D, plus the penalty if it is a transfer)",
        "total": "U_G + U_D", "U_G": "G's utility", "U_D": "D's utility", "min_utility": "min(U_G, U_D)",
        "delta": "G's share (bargained or fixed)", "alpha1": "performance after fine-tuning",
        "penalty_paid": "the penalty G pays", "compliance_loss": "G's utility loss from complying, L(θ)",
        "change_U_G": "U_G minus its unregulated value", "change_U_D": "U_D minus its unregulated value",
    },
}
#: Bargaining solutions each game's front end accepts for ``--bargaining`` ("fixed": the file's own δ).
BARGAINING = {
    "safety_regulation": ("fixed", "utilitarian", "nash", "egalitarian"),
    "openness_regulation": ("fixed", "nash", "utilitarian", "egalitarian", "kalai_smorodinsky",
                            "generalist_optimal", "specialist_optimal", "max_performance"),
}


def game_name(file: GameFile) -> str:
    fe = front_end(file)
    if fe.name not in NAMED:
        raise DesignError(f"{file.path}: game {fe.name!r} has no regulator; design problems exist for "
                          f"{', '.join(NAMED)}")
    return fe.name


def specialists(file: GameFile) -> int:
    """Number of specialists of a safety game file (1 for the openness game)."""
    if file.data.get("game") == "safety_regulation":
        specs = file.data.get("specialists")
        return len(specs) if isinstance(specs, list) else 1
    return 1


def field_names(game: str, n: int) -> dict[str, str]:
    """Every field an objective or constraint may use, with its meaning."""
    names = dict(NAMED[game])
    for labels in LABELS[game].values():
        for label in labels:
            names[label] = f"1 if the outcome is labelled {label}, else 0"
    if game == "safety_regulation":
        for i in range(1, n + 1):
            names[f"U_D_{i}"] = f"D{i}'s utility"
            names[f"alpha_{i}"] = f"D{i}'s final performance α_{i} (undefined if D{i} is out)"
            names[f"beta_{i}"] = f"D{i}'s final safety β_{i} (undefined if D{i} is out)"
            names[f"participates_{i}"] = f"1 if D{i} takes part"
    return names


def with_bargaining(file: GameFile, game: str, solution: str | None) -> GameFile:
    """The file with its bargaining replaced by ``solution`` (None: as the file says)."""
    if solution is None:
        return file
    if solution not in BARGAINING[game]:
        raise DesignError(f"--bargaining {solution!r}: unknown for game {game}; valid: {', '.join(BARGAINING[game])}")
    data = copy.deepcopy(file.data)
    table = data.setdefault("bargaining", {})
    if not isinstance(table, dict):
        raise DesignError(f"{file.path}: bargaining must be a table")
    if game == "safety_regulation":
        table.pop("solutions", None)
        if solution != "fixed":
            table["solutions"] = [solution]
    else:
        table["solution"] = solution
    return GameFile(file.path, file.text, data)


def bargaining_of(file: GameFile, game: str) -> str:
    table = file.data.get("bargaining", {})
    if game == "safety_regulation":
        sols = table.get("solutions") if isinstance(table, dict) else None
        if not sols:
            return "fixed"
        sols = [sols] if isinstance(sols, str) else list(sols)
        if len(sols) != 1:
            raise DesignError(f"{file.path}: bargaining.solutions: a design problem needs one bargaining solution, "
                              f"got {len(sols)}; choose one with --bargaining")
        return str(sols[0])
    return str(table.get("solution", "fixed")) if isinstance(table, dict) else "fixed"


def _number(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool | np.bool_):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def fields_from_rows(game: str, rows: list[dict[str, Any]], n: int) -> dict[str, np.ndarray]:
    """Flat fields (float arrays; 0/1 for labels; NaN where undefined) of a batch of ``solve_batch`` rows."""
    N = len(rows)

    def col(key: str) -> np.ndarray:
        return np.array([_number(r.get(key)) for r in rows], dtype=float)

    out: dict[str, np.ndarray] = {}
    for column, labels in LABELS[game].items():
        values = [r.get(column) for r in rows]
        for label in labels:
            out[label] = np.array([float(v == label) for v in values])
    out["U_G"] = col("U_G")
    out["delta"] = col("delta")
    if game == "safety_regulation":
        u_d = np.zeros(N)
        safety = np.zeros(N)
        mins = out["U_G"].copy()
        for i in range(1, n + 1):
            part = col(f"participates_{i}")
            out[f"participates_{i}"] = part
            out[f"U_D_{i}"] = col(f"U_D_{i}")
            out[f"alpha_{i}"] = col(f"alpha_{i}")
            out[f"beta_{i}"] = col(f"beta_{i}")
            u_d += out[f"U_D_{i}"]
            safety += np.where(part > 0, np.nan_to_num(out[f"beta_{i}"]), 0.0)
            mins = np.minimum(mins, out[f"U_D_{i}"])
        out.update(U_D=u_d, safety=safety, welfare=out["U_G"] + u_d, total=out["U_G"] + u_d, min_utility=mins,
                   alpha0=col("alpha0"), beta0=col("beta0"))
    else:
        out["U_D"] = col("U_D")
        for key in ("welfare", "alpha1", "penalty_paid", "compliance_loss", "change_U_G", "change_U_D"):
            out[key] = col(key)
        out["omega"] = col("omega")
        out["openness"] = out["omega"]
        out["total"] = out["U_G"] + out["U_D"]
        out["min_utility"] = np.minimum(out["U_G"], out["U_D"])
    out["_certified"] = np.array([r.get("certificate") == "global" for r in rows], dtype=bool)
    out["_label"] = np.array([str(r.get("classification", r.get("regime", ""))) for r in rows], dtype=object)
    return out


@dataclass
class Evaluator:
    """Equilibria of one game file at many rules: ``__call__(points)`` → flat fields, by the front end's batch
    solver (``solve_batch``).  Counts the equilibria it solved."""

    file: GameFile
    game: str
    n: int
    request: Any
    solved: int = 0

    @classmethod
    def build(cls, file: GameFile, formulation: str | None = None) -> Evaluator:
        game = game_name(file)
        fe = front_end(file)
        request = fe.request(file, formulation=formulation)
        return cls(file, game, specialists(file), request)

    def __call__(self, points: list[dict[str, Any]]) -> dict[str, np.ndarray]:
        fe = front_end(self.file)
        if not points:
            raise DesignError("no point to evaluate")
        try:
            rows = fe.solve_batch(self.file, points, self.request)
        except InputError as exc:
            keys = ", ".join(sorted(points[0]))
            raise DesignError(f"--vary {keys}: the game refuses a rule in the box: {exc}") from None
        self.solved += len(rows)
        return fields_from_rows(self.game, rows, self.n)
