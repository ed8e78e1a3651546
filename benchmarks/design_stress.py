"""The regulator's design problem against brute force (issue 15): random design problems solved by
``ftgames.design.design`` beside a brute-force search over the same box, independent of the design layer.

Families (a seed fixes each problem):

- ``one``: safety game, one specialist, fixed δ; θD, θG or both; objectives safety, welfare, U_G, U_D,
  U_G + 2 U_D, safety − ½|U_G − U_D|, min(U_G, U_D), maximized or minimized, with or without floors on utilities,
  "not backfiring" or "safety ≥ 0.5";
- ``several``: two or three specialists, fixed shares; (θG, θD), two specialists' floors, or one specialist's floor;
  safety, welfare, U_G s.t. a floor on D2's utility, safety s.t. floors on U_G and U_D1, U_D + ½ safety;
- ``bargained``: one specialist, δ bargained (Nash, utilitarian, egalitarian) at every rule;
- ``openness``: the default and linear openness games with random parameters, compliance-cost families and the
  transfer switch; (θ, p) or θ alone; welfare, openness, U_G s.t. U_D ≥ ℓ, minimum welfare with G taking part.

Brute force: the front end's ``solve_batch`` (the public batch API, not the design layer) on an N × N grid of the box
(2,001 values in 1-D), then nested 21 × 21 grids five levels deep around the eight best points; the fields and
objectives are computed here from the rows.  A row's ``gap`` is how far the design's value falls short of the
brute force's (positive: the brute force found a better rule); the summary counts gaps above 1e-8 relative.

    .venv/bin/python benchmarks/design_stress.py one several bargained openness --count 10 --out out/design_stress
"""

from __future__ import annotations

import argparse
import copy
import csv
import math
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("one", "several", "bargained", "openness")
Fields = dict[str, np.ndarray]


@dataclass
class Problem:
    name: str
    text: str  # the game file
    game: str  # "safety" or "openness"
    n: int
    vary: list[str]
    objective: str
    value: Callable[[Fields], np.ndarray]
    sense: str = "maximize"
    constraints: list[str] = field(default_factory=list)
    holds: Callable[[Fields], np.ndarray] | None = None
    bargaining: str | None = None
    grid: int = 201


def _spd(rng: np.random.Generator) -> list[list[float]]:
    a, b = rng.uniform(0.3, 3.0, 2)
    c = rng.uniform(-0.9, 0.9) * np.sqrt(a * b)
    return [[round(float(a), 4), round(float(c), 4)], [round(float(c), 4), round(float(b), 4)]]


def _floor(rng: np.random.Generator, lo: float, hi: float) -> float:
    return round(float(rng.uniform(lo, hi)), 3)


def one(seed: int) -> Problem:
    rng = np.random.default_rng(seed)
    text = (f'game = "safety_regulation"\n[generalist]\ncost = {_spd(rng)}\n[[specialists]]\ncost = {_spd(rng)}\n'
            f'revenue = {[round(float(x), 4) for x in rng.uniform(0.1, 2.0, 2)]}\n'
            f'[bargaining]\ndelta = [{round(float(rng.uniform(0.05, 0.95)), 4)}]\n')
    objectives = [("safety", lambda F: F["safety"]), ("welfare", lambda F: F["welfare"]), ("U_G", lambda F: F["U_G"]),
                  ("U_D", lambda F: F["U_D"]), ("U_G + 2*U_D", lambda F: F["U_G"] + 2 * F["U_D"]),
                  ("safety - 0.5*abs(U_G - U_D)", lambda F: F["safety"] - 0.5 * np.abs(F["U_G"] - F["U_D"])),
                  ("min(U_G, U_D)", lambda F: np.minimum(F["U_G"], F["U_D"]))]
    objective, value = objectives[seed % len(objectives)]
    sense = "maximize" if rng.uniform() < 0.8 else "minimize"
    vary = (["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"] if seed % 3 else
            [["regulation.theta_D=0:2.5"], ["regulation.theta_G=0:1.5"]][seed % 2])
    u, level = rng.uniform(), _floor(rng, 0.02, 0.3)
    constraints, holds = [], None
    if u < 0.3:
        constraints, holds = [f"U_G >= {level}"], lambda F: F["U_G"] >= level - 1e-9
    elif u < 0.5:
        constraints = [f"U_G >= {level} and U_D >= {level}"]
        holds = lambda F: (F["U_G"] >= level - 1e-9) & (F["U_D"] >= level - 1e-9)  # noqa: E731
    elif u < 0.6:
        constraints, holds = ["not backfiring"], lambda F: F["backfiring"] == 0
    elif u < 0.7:
        constraints, holds = ["safety >= 0.5"], lambda F: F["safety"] >= 0.5 - 1e-9
    return Problem(f"one-{seed}", text, "safety", 1, vary, objective, value, sense, constraints, holds,
                   grid=2001 if len(vary) == 1 else 201)


def several(seed: int) -> Problem:
    rng = np.random.default_rng(5000 + seed)
    n = 2 if seed % 2 == 0 else 3
    text = f'game = "safety_regulation"\n[generalist]\ncost = {_spd(rng)}\n'
    for _ in range(n):
        text += (f'[[specialists]]\ncost = {_spd(rng)}\n'
                 f'revenue = {[round(float(x), 4) for x in rng.uniform(0.1, 2.0, 2)]}\n')
    deltas = [round(float(x), 3) for x in rng.uniform(0.1, 0.9, n)]
    if seed % 4 in (0, 1):
        vary = ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"]
        text += "[regulation]\ntheta_G = 0.0\ntheta_D = 0.0\n"
    elif seed % 4 == 2:
        vary = ["regulation.theta_D[0]=0:2.5", "regulation.theta_D[1]=0:2.5"]
        text += f"[regulation]\ntheta_G = 0.1\ntheta_D = {[0.0] * n}\n"
    else:
        vary = ["regulation.theta_D[1]=0:2.5"]
        text += f"[regulation]\ntheta_G = 0.2\ntheta_D = {[0.3] * n}\n"
    text += f"[bargaining]\ndelta = {deltas}\n"
    constraints, holds = [], None
    kind = seed % 5
    if kind == 0:
        objective, value = "safety", lambda F: F["safety"]
    elif kind == 1:
        objective, value = "welfare", lambda F: F["welfare"]
    elif kind == 2:
        objective, value, level = "U_G", lambda F: F["U_G"], _floor(rng, 0.0, 0.3)
        constraints, holds = [f"U_D_2 >= {level}"], lambda F: F["U_D_2"] >= level - 1e-9
    elif kind == 3:
        objective, value, level = "safety", lambda F: F["safety"], _floor(rng, 0.05, 0.4)
        constraints = [f"U_G >= {level}", f"U_D_1 >= {level / 2}"]
        holds = lambda F: (F["U_G"] >= level - 1e-9) & (F["U_D_1"] >= level / 2 - 1e-9)  # noqa: E731
    else:
        objective, value = "U_D + 0.5*safety", lambda F: F["U_D"] + 0.5 * F["safety"]
    return Problem(f"several-{seed}", text, "safety", n, vary, objective, value, "maximize", constraints, holds,
                   grid=1001 if len(vary) == 1 else 81)


def bargained(seed: int) -> Problem:
    rng = np.random.default_rng(9000 + seed)
    text = (f'game = "safety_regulation"\n[generalist]\ncost = {_spd(rng)}\n[[specialists]]\ncost = {_spd(rng)}\n'
            f'revenue = {[round(float(x), 4) for x in rng.uniform(0.1, 2.0, 2)]}\n[bargaining]\ndelta = [0.5]\n')
    rule = ["nash", "utilitarian", "egalitarian"][seed % 3] if seed % 2 else "nash"
    vary = ["regulation.theta_D=0:2.5"] if seed % 2 == 0 else ["regulation.theta_G=0:1.5", "regulation.theta_D=0:2.5"]
    constraints, holds = [], None
    kind = seed % 4
    if kind == 0:
        objective, value = "safety", lambda F: F["safety"]
    elif kind == 1:
        objective, value = "welfare", lambda F: F["welfare"]
    elif kind == 2:
        objective, value, level = "safety", lambda F: F["safety"], _floor(rng, 0.05, 0.3)
        constraints = [f"U_G >= {level} and U_D >= {level}"]
        holds = lambda F: (F["U_G"] >= level - 1e-9) & (F["U_D"] >= level - 1e-9)  # noqa: E731
    else:
        objective, value = "U_G + 2*U_D", lambda F: F["U_G"] + 2 * F["U_D"]
    return Problem(f"bargained-{seed}", text, "safety", 1, vary, objective, value, "maximize", constraints, holds,
                   bargaining=rule, grid=801 if len(vary) == 1 else 61)


def _set(text: str, key: str, value: object) -> str:
    new, count = re.subn(rf"^{key}\s*=\s*[^#\n]*", f"{key} = {value}", text, count=1, flags=re.M)
    if count != 1:
        raise ValueError(f"{key} not in the example file")
    return new


def openness(seed: int) -> Problem:
    rng = np.random.default_rng(1000 + seed)
    linear = seed % 3 == 2
    text = (ROOT / "examples" / ("openness_linear.toml" if linear else "openness_default.toml")).read_text()
    text = text.split("[figures]")[0]
    text = _set(text, "alpha0", round(float(rng.uniform(0.3, 1.2) if linear else rng.uniform(0.3, 3.0)), 3))
    text = _set(text, "delta", round(float(rng.uniform(0.2, 0.8)), 3))
    text = _set(text, "lam", round(float(rng.uniform(0.1, 0.9) if linear else rng.uniform(0.2, 1.5)), 3))
    for key, lo, hi in (("kappa0", 0.2, 1.0), ("epsilon", 0.0, 0.5), ("c_O", 0.1, 0.9)):
        text = _set(text, key, round(float(rng.uniform(lo, hi)), 3))
    text = _set(text, "penalty_is_transfer", "true" if rng.uniform() < 0.4 else "false")
    family = str(rng.choice(["none", "flat", "per_openness"]))
    if family != "none":
        block = (f'[model.compliance_cost]\nfamily = "{family}"\ncost = {round(float(rng.uniform(0, 0.05)), 3)}\n'
                 f'exemption = {round(float(rng.uniform(0, 0.05)), 3)}\n')
        if "[model.compliance_cost]" in text:
            text = re.sub(r"\[model.compliance_cost\]\nfamily = \"none\"[^\n]*\n", block, text)
        else:
            text = text.replace("[regulation]", block + "\n[regulation]")
    vary = ["regulation.theta=0:1", f"regulation.penalty=0:{float(rng.choice([0.05, 0.1, 0.3]))}"]
    constraints, holds, sense = [], None, "maximize"
    kind = seed % 6
    if kind == 0:
        objective, value = "welfare", lambda F: F["welfare"]
    elif kind == 1:
        objective, value = "openness", lambda F: F["openness"]
    elif kind == 2:
        objective, value, level = "U_G", lambda F: F["U_G"], _floor(rng, 0.0, 1.0)
        constraints, holds = [f"U_D >= {level}"], lambda F: F["U_D"] >= level - 1e-9
    elif kind == 3:
        objective, value, sense = "welfare", lambda F: F["welfare"], "minimize"
        constraints, holds = ["not abstain"], lambda F: F["abstain"] == 0
    elif kind == 4:
        objective, value, vary = "openness", lambda F: F["openness"], vary[:1]
        constraints, holds = ["welfare >= 0"], lambda F: F["welfare"] >= -1e-9
    else:
        objective, value = "U_D + 0.5*U_G", lambda F: F["U_D"] + 0.5 * F["U_G"]
    return Problem(f"openness-{seed}", text, "openness", 1, vary, objective, value, sense, constraints, holds,
                   grid=2001 if len(vary) == 1 else 81)


GENERATORS = {"one": one, "several": several, "bargained": bargained, "openness": openness}


# ------------------------------------------------------------------------------------------------ brute force
def _number(value: object) -> float:
    return math.nan if value is None else float(value)


def fields(problem: Problem, rows: list[dict]) -> Fields:
    """The named quantities of ``problem``'s objectives, from the front end's rows (written here, apart from the
    design layer's own reading of them)."""
    def col(key: str) -> np.ndarray:
        return np.array([_number(r.get(key)) for r in rows])

    out = {"U_G": col("U_G")}
    if problem.game == "safety":
        u_d, safety = np.zeros(len(rows)), np.zeros(len(rows))
        for i in range(1, problem.n + 1):
            part = np.array([bool(r.get(f"participates_{i}")) for r in rows])
            out[f"U_D_{i}"] = col(f"U_D_{i}")
            u_d += out[f"U_D_{i}"]
            safety += np.where(part, np.nan_to_num(col(f"beta_{i}")), 0.0)
        out.update(U_D=u_d, safety=safety, welfare=out["U_G"] + u_d,
                   backfiring=np.array([r.get("classification") == "backfiring" for r in rows], float))
    else:
        out.update(U_D=col("U_D"), welfare=col("welfare"), openness=col("omega"),
                   abstain=np.array([r.get("regime") == "abstain" for r in rows], float))
    return out


class BruteForce:
    def __init__(self, problem: Problem, path: Path) -> None:
        from ftgames.games import front_end
        from ftgames.io.gamefile import GameFile, load_game_file

        file = load_game_file(path)
        if problem.bargaining:
            data = copy.deepcopy(file.data)
            table = data.setdefault("bargaining", {})
            table.pop("solutions", None)
            table["solutions"] = [problem.bargaining]
            file = GameFile(file.path, file.text, data)
        self.problem, self.file, self.front = problem, file, front_end(file)
        self.keys = [v.split("=")[0] for v in problem.vary]
        self.bounds = [tuple(float(x) for x in v.split("=")[1].split(":")[:2]) for v in problem.vary]
        self.sign = 1.0 if problem.sense == "maximize" else -1.0

    def scores(self, points: np.ndarray) -> np.ndarray:
        rows = self.front.solve_batch(self.file, [dict(zip(self.keys, map(float, p), strict=True))
                                                  for p in points])
        F = fields(self.problem, rows)
        value = np.asarray(self.problem.value(F), float)
        ok = np.isfinite(value) & (True if self.problem.holds is None else np.asarray(self.problem.holds(F), bool))
        return np.where(ok, self.sign * value, -np.inf)

    def best(self, seeds: int = 8, levels: int = 5, sub: int = 21) -> tuple[float, dict[str, float]]:
        axes = [np.linspace(lo, hi, self.problem.grid) for lo, hi in self.bounds]
        points = np.stack([m.ravel() for m in np.meshgrid(*axes, indexing="ij")], axis=1)
        scores = self.scores(points)
        widths = np.array([(hi - lo) / (self.problem.grid - 1) for lo, hi in self.bounds])
        best, where = float(np.max(scores)), points[int(np.argmax(scores))]
        starts: list[np.ndarray] = []
        for i in np.argsort(-scores):
            if not np.isfinite(scores[i]) or len(starts) >= seeds:
                break
            if all(np.max(np.abs(points[i] - s) / widths) > 2.5 for s in starts):
                starts.append(points[i])
        for centre in starts:
            width = widths.copy()
            for _ in range(levels):
                local = [np.clip(np.linspace(c - w, c + w, sub), lo, hi)
                         for c, w, (lo, hi) in zip(centre, width, self.bounds, strict=True)]
                pts = np.stack([m.ravel() for m in np.meshgrid(*local, indexing="ij")], axis=1)
                sc = self.scores(pts)
                j = int(np.argmax(sc))
                if sc[j] > best:
                    best, where = float(sc[j]), pts[j]
                if np.isfinite(sc[j]):
                    centre = pts[j]
                width = width / ((sub - 1) / 2) * 2
        return self.sign * best, dict(zip(self.keys, map(float, where), strict=True))


# ------------------------------------------------------------------------------------------------------ runs
def run(problem: Problem, folder: Path) -> dict[str, object]:
    from ftgames.design import design

    path = folder / f"{problem.name}.toml"
    path.write_text(problem.text)
    start = time.perf_counter()
    report = design(path, problem.vary, **{problem.sense: problem.objective}, subject_to=problem.constraints,
                    bargaining=problem.bargaining, explored=False)
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    brute, rule = BruteForce(problem, path).best()
    brute_time = time.perf_counter() - start
    value = report["value"]
    sign = 1.0 if problem.sense == "maximize" else -1.0
    gap = (math.nan if value is None or not math.isfinite(brute) else sign * (brute - value) / (1 + abs(brute)))
    return {"problem": problem.name, "sense": problem.sense, "objective": problem.objective,
            "constraints": " and ".join(problem.constraints), "vary": " ".join(problem.vary),
            "bargaining": problem.bargaining or "fixed", "status": report["status"],
            "certificate": report["certificate"]["level"], "value": value, "brute": brute, "relative_gap": gap,
            "design_s": round(elapsed, 2), "brute_s": round(brute_time, 2), "rule": report["rule"],
            "brute_rule": rule}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("families", nargs="*", default=list(FAMILIES), choices=FAMILIES)
    parser.add_argument("--count", type=int, default=4, help="problems per family")
    parser.add_argument("--seed", type=int, default=0, help="first seed of each family")
    parser.add_argument("--out", type=Path, default=None, help="folder for design_stress.csv")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for family in args.families:
            for seed in range(args.seed, args.seed + args.count):
                row = run(GENERATORS[family](seed), Path(folder))
                rows.append(row)
                print(f"{row['problem']:>14} {row['certificate']:>6} value {row['value']!s:>22} brute "
                      f"{row['brute']!s:>22} gap {row['relative_gap']:+.2e} design {row['design_s']:6.1f} s "
                      f"brute {row['brute_s']:6.1f} s", flush=True)
    short = [r for r in rows if r["relative_gap"] > 1e-8]
    print(f"{len(rows)} problems; {len(short)} where the brute force found a better rule by more than 1e-8 "
          f"relative: {', '.join(str(r['problem']) for r in short) or 'none'}")
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        with open(args.out / "design_stress.csv", "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return 1 if short else 0


if __name__ == "__main__":
    sys.exit(main())
