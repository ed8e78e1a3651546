"""The fuzz battery (issue 11): random games of the three games and random bilevel programs, each solved by every
formulation x backend that can claim a GLOBAL certificate and compared with the exact answer.

Rules: an exact method (closed form, enumeration, batched enumeration) must always claim a global certificate and
agree with the other exact method; a KKT answer on SCIP may honestly fall short (local / none: counted, not
compared), but when it claims ``global`` its values agree with the exact ones to ``TOL`` and its labels are equal.

Every chunk draws its games from ``numpy.random.default_rng(seed)``, so a failure names its seed, the game's index in
the chunk and its parameters (see "## The fuzz battery" in docs/contracts.md to rerun one).  The default run has
``DEFAULT`` chunks of each kind; ``-m slow`` runs ``SLOW`` more chunks with other seeds.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from ftgames.formulations.bilevel import CERTIFIED_GLOBAL, solve_bilevel
from ftgames.formulations.equilibrium import solve_equilibrium
from ftgames.formulations.openness.enumeration import equilibrium_arrays
from ftgames.formulations.openness.equilibrium import solve_equilibrium as solve_openness
from ftgames.formulations.safety.classify import classify_arrays, regime_names
from ftgames.formulations.safety.enumeration import GameArrays, solve_arrays, solve_enumeration
from ftgames.formulations.safety.kkt import solve_kkt
from ftgames.solvers import SolveConfig
from tests.bilevel.test_random_instances import build_linear, random_linear

from .generators import (
    bargaining_game,
    bargaining_params,
    fine_tuning_game,
    fine_tuning_params,
    openness_game,
    openness_params,
    safety_game,
    safety_params,
)

#: Values agree to TOL (absolute, scaled by 1 + |value|); openness compares at OPENNESS_TOL.
TOL = 1e-7
OPENNESS_TOL = 1e-6

#: (games per chunk, KKT games per chunk, default chunks, slow chunks, seed base) of each kind.
FINE_TUNING = (50, 3, 12, 48, 1_000)
SAFETY = (50, 3, 8, 32, 2_000)
OPENNESS = (25, 4, 4, 16, 3_000)  # 5 base games x 5 shares per chunk
BILEVEL = (10, 10, 3, 12, 4_000)
BARGAINING = (2, 0, 1, 12, 5_000)  # each game: a 121 x 121 grid of exact equilibria and three bargains

FT_ENCODINGS = ("kkt:sos1", "kkt:indicator", "kkt:product")
SAFETY_ENCODINGS = ("sos1", "indicator", "product")


def chunks(kind: tuple[int, int, int, int, int]) -> list:
    """Default chunks, then the slow ones (marked ``slow``); the chunk's seed is ``base + index``."""
    _, _, default, slow, base = kind
    return ([pytest.param(base + i, id=f"seed{base + i}") for i in range(default)]
            + [pytest.param(base + i, id=f"seed{base + i}", marks=pytest.mark.slow)
               for i in range(default, default + slow)])


def close(a, b, tol: float = TOL) -> bool:
    """Elementwise |a - b| <= tol (1 + |b|); NaN only matches NaN (an absent investment)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.shape != b.shape:
        return False
    nan = np.isnan(a) | np.isnan(b)
    if np.any(np.isnan(a) != np.isnan(b)):
        return False
    return bool(np.all(np.abs(a[~nan] - b[~nan]) <= tol * (1 + np.abs(b[~nan]))))


def mismatch(what: str, seed: int, index: int, params, details: dict) -> str:
    diffs = "; ".join(f"{k}: {a!r} vs {b!r}" for k, (a, b) in details.items())
    return f"{what}: seed {seed} game #{index} params={params!r}: {diffs}"


# ------------------------------------------------------------------------------------------------ bargaining
@pytest.mark.parametrize("seed", chunks(BARGAINING))
def test_bargaining_against_a_grid(seed: int, record_property) -> None:
    """Nash (random weights), egalitarian and Kalai–Smorodinsky (random disagreement points) by the default
    formulation, two specialists: a certified answer is at least as good as every point of a 121 x 121 grid of exact
    equilibria (each regime: entry costs and outside options included) and within the grid's resolution of its
    best; an uncertified one says why."""
    from ftgames.formulations.bargaining import bargain
    from ftgames.formulations.equilibrium.vectorised import equilibrium_arrays

    axis = np.linspace(0.0, 1.0, 121)
    compared, failures = 0, []
    rng = np.random.default_rng(seed)
    for index in range(BARGAINING[0]):
        p = bargaining_params(rng)
        game = bargaining_game(p)
        d, w = np.asarray(p["disagreement"]), np.asarray(p["weights"])
        grid = np.array([[eq.utility_generalist, *eq.utility_specialists] for eq in
                         (equilibrium_arrays(game, np.array([x, y])) for x in axis for y in axis)])
        gains = grid - d
        for solution in ("nash", "egalitarian", "kalai_smorodinsky"):
            out = bargain(game, solution, disagreement=list(d), **({"weights": list(w)} if solution == "nash" else {}))
            if not out.certified:
                if not out.details.get("why_not_global"):
                    failures.append(mismatch(f"{solution} uncertified without a reason", seed, index, p, {}))
                continue
            if solution == "nash":
                feasible = np.all(gains > 1e-12, axis=1)
                values = np.where(feasible, np.log(np.where(gains > 1e-12, gains, 1.0)) @ w, -np.inf)
                mine = out.objective
            elif solution == "egalitarian":
                values, mine = gains.min(axis=1), out.objective
            else:
                scale = np.asarray(out.details["ideal"]) - d
                values, mine = (gains / scale).min(axis=1), out.details["normalized_gain"]
            best = float(values.max())
            if mine < best - 1e-9 * max(1.0, abs(best)) or mine > best + 1e-2 * max(1.0, abs(best)):
                failures.append(mismatch(f"{solution} (certified) vs grid", seed, index, p, {"value": (mine, best)}))
            compared += 1
    record_property("fuzz:bargaining certified vs 121x121 grid", compared)
    assert not failures, "\n".join(failures)


def test_the_default_run_compares_at_least_1000_games() -> None:
    """By construction: every default chunk compares all of its games with two exact methods (each chunk test
    fails if one is skipped), so the default run compares this many games."""
    exact = sum(k[0] * k[2] for k in (FINE_TUNING, SAFETY, OPENNESS))
    bilevel = BILEVEL[0] * BILEVEL[2]
    assert exact + bilevel >= 1000, (exact, bilevel)


# ----------------------------------------------------------------------------------------------- fine-tuning
def _ft_values(eq) -> dict:
    return {"alpha0": eq.alpha0, "alpha": eq.alpha, "U_G": eq.U_G, "U_D": eq.U_D}


def _ft_labels(eq) -> tuple:
    return tuple(str(r) for r in eq.regimes), eq.generalist_participates


def _ft_diff(eq, exact, tol: float = TOL) -> dict:
    a, b = _ft_values(eq), _ft_values(exact)
    out = {k: (a[k], b[k]) for k in a if not close(a[k], b[k], tol)}
    if _ft_labels(eq) != _ft_labels(exact):
        out["labels"] = (_ft_labels(eq), _ft_labels(exact))
    return out


@pytest.mark.parametrize("seed", chunks(FINE_TUNING))
def test_fine_tuning(seed: int, record_property) -> None:
    per_chunk, kkt_games, *_ = FINE_TUNING
    rng = np.random.default_rng(seed)
    compared, kkt_compared, kkt_short, failures = 0, 0, [], []
    for index in range(per_chunk):
        p = fine_tuning_params(rng)
        game = fine_tuning_game(p)
        exact = solve_equilibrium(game, p["delta"], "closed_form")
        enum = solve_equilibrium(game, p["delta"], "enumeration")
        for name, eq in (("closed_form", exact), ("enumeration", enum)):
            if eq.certificate.level != "global":
                failures.append(mismatch(f"{name} not global", seed, index, p,
                                         {"reasons": (eq.certificate.reasons, "global")}))
        diff = _ft_diff(enum, exact)
        if diff:
            failures.append(mismatch("enumeration vs closed_form", seed, index, p, diff))
        compared += 1
        if index < kkt_games:
            for formulation in FT_ENCODINGS:
                eq = solve_equilibrium(game, p["delta"], formulation, solver="scip")
                if eq.certificate.level != "global":
                    kkt_short.append(f"{formulation} seed {seed} #{index}: {eq.certificate.level}")
                    continue
                kkt_compared += 1
                diff = _ft_diff(eq, exact)
                if diff:
                    failures.append(mismatch(f"{formulation}/scip (global) vs closed_form", seed, index, p, diff))
    record_property("fuzz:fine_tuning closed_form vs enumeration", compared)
    record_property("fuzz:fine_tuning kkt/scip global vs closed_form", kkt_compared)
    record_property("fuzz:fine_tuning kkt/scip not global (skipped)", len(kkt_short))
    assert not failures, "\n".join(failures)
    assert compared == per_chunk


# ---------------------------------------------------------------------------------------------------- safety
def _safety_row(res: dict, i: int) -> dict:
    return {key: value[i] for key, value in res.items()}


def _eq_dict(eq) -> dict:
    """A SafetyEquilibrium as one row of the batched arrays (the fields the comparison and labels use)."""
    return {"alpha0": eq.gamma0[0], "beta0": eq.gamma0[1], "alpha": eq.gamma[:, 0], "beta": eq.gamma[:, 1],
            "U_G": eq.U_G, "U_D": np.asarray(eq.U_D), "participates": np.asarray(eq.participates),
            "abstain": eq.abstain}


def _label(row: dict, anarchy: dict) -> tuple:
    cls = classify_arrays({k: np.asarray(v)[None] for k, v in row.items()},
                          {k: np.asarray(v)[None] for k, v in anarchy.items()})
    return (str(regime_names(cls["regime_code"])[0]), bool(row["abstain"]),
            tuple(bool(x) for x in row["participates"]))


def _safety_diff(row: dict, ref: dict, anarchy: dict) -> dict:
    out = {k: (row[k], ref[k]) for k in ("alpha0", "beta0", "alpha", "beta", "U_G", "U_D") if not close(row[k], ref[k])}
    a, b = _label(row, anarchy), _label(ref, anarchy)
    if a != b:
        out["labels"] = (a, b)
    return out


@pytest.mark.parametrize("seed", chunks(SAFETY))
def test_safety(seed: int, record_property) -> None:
    per_chunk, kkt_games, *_ = SAFETY
    rng = np.random.default_rng(seed)
    n = 1 + seed % 2  # one specialist on even seeds, two on odd seeds (a batch has one n)
    params = [safety_params(rng, n) for _ in range(per_chunk)]
    games = [safety_game(p) for p in params]
    batched = solve_arrays(GameArrays.from_games(games))
    anarchy_batched = solve_arrays(GameArrays.from_games([g.unregulated() for g in games]))
    compared, kkt_compared, kkt_short, failures = 0, 0, [], []
    for index, (p, game) in enumerate(zip(params, games, strict=True)):
        eq = solve_enumeration(game)
        if eq.certificate.level != "global":
            failures.append(mismatch("enumeration not global", seed, index, p, {"reasons": (eq.certificate.reasons,
                                                                                              "global")}))
        exact = _eq_dict(eq)
        anarchy = _eq_dict(solve_enumeration(game.unregulated()))
        row, anarchy_row = _safety_row(batched, index), _safety_row(anarchy_batched, index)
        diff = _safety_diff(row, exact, anarchy)
        diff.update({f"unregulated {k}": v for k, v in _safety_diff(anarchy_row, anarchy, anarchy).items()})
        if diff:
            failures.append(mismatch("batched solve_arrays vs solve_enumeration", seed, index, p, diff))
        compared += 1
        if index < kkt_games:
            encoding = SAFETY_ENCODINGS[(seed + index) % len(SAFETY_ENCODINGS)]
            kkt = solve_kkt(game, encoding=encoding, solver="scip")
            if kkt.certificate.level != "global":
                kkt_short.append(f"{encoding} seed {seed} #{index}: {kkt.certificate.level}")
                continue
            kkt_compared += 1
            diff = _safety_diff(_eq_dict(kkt), exact, anarchy)
            if diff:
                failures.append(mismatch(f"kkt:{encoding}/scip (global) vs enumeration", seed, index, p, diff))
    record_property("fuzz:safety batched vs per-game enumeration", compared)
    record_property("fuzz:safety kkt/scip global vs enumeration", kkt_compared)
    record_property("fuzz:safety kkt/scip not global (skipped)", len(kkt_short))
    assert not failures, "\n".join(failures)
    assert compared == per_chunk


# -------------------------------------------------------------------------------------------------- openness
def _open_values(eq) -> dict:
    return {"U_G": eq.U_G, "U_D": eq.U_D, "omega": eq.omega}


def _open_diff(eq, exact, tol: float = OPENNESS_TOL) -> dict:
    a, b = _open_values(eq), _open_values(exact)
    out = {k: (a[k], b[k]) for k in a if not close(a[k], b[k], tol)}
    if eq.regime != exact.regime:
        out["regime"] = (eq.regime, exact.regime)
    return out


@pytest.mark.parametrize("seed", chunks(OPENNESS))
def test_openness(seed: int, record_property) -> None:
    per_chunk, kkt_games, *_ = OPENNESS
    shares = 5
    rng = np.random.default_rng(seed)
    compared, kkt_compared, kkt_short, failures = 0, 0, [], []
    regimes = np.array(["comply", "pay", "abstain"])
    for base in range(per_chunk // shares):
        p = openness_params(rng)
        deltas = np.round(rng.uniform(0.0, 1.0, shares), 4)
        batched = equilibrium_arrays(openness_game(p, 0.5), deltas)
        for j, delta in enumerate(deltas):
            index = base * shares + j
            params = {**p, "delta": float(delta)}
            game = openness_game(p, float(delta))
            exact = solve_openness(game, "enumeration")
            if exact.certificate.level != "global":
                failures.append(mismatch("enumeration not global", seed, index, params,
                                         {"reasons": (exact.certificate.reasons, "global")}))
            row = {"regime": regimes[batched.regime[j]], "U_G": batched.U_G[j], "U_D": batched.U_D[j],
                   "omega": batched.omega[j]}
            diff = {k: (row[k], v) for k, v in (("U_G", exact.U_G), ("U_D", exact.U_D), ("omega", exact.omega))
                    if not close(row[k], v, TOL)}
            if row["regime"] != exact.regime:
                diff["regime"] = (row["regime"], exact.regime)
            if diff:
                failures.append(mismatch("batched equilibrium_arrays vs enumeration", seed, index, params, diff))
            compared += 1
            if index < kkt_games:
                kkt = solve_openness(game, "kkt:sos1", solver="scip")
                if kkt.certificate.level != "global":
                    kkt_short.append(f"kkt:sos1 seed {seed} #{index}: {kkt.certificate.level}")
                    continue
                kkt_compared += 1
                diff = _open_diff(kkt, exact)
                if diff:
                    failures.append(mismatch("kkt:sos1/scip (global) vs enumeration", seed, index, params, diff))
    record_property("fuzz:openness batched vs per-game enumeration", compared)
    record_property("fuzz:openness kkt:sos1/scip global vs enumeration", kkt_compared)
    record_property("fuzz:openness kkt:sos1/scip not global (skipped)", len(kkt_short))
    assert not failures, "\n".join(failures)
    assert compared == per_chunk


# --------------------------------------------------------------------------------------------------- bilevel
CONFIG = SolveConfig(time_limit=30)


@pytest.mark.parametrize("seed", chunks(BILEVEL))
def test_bilevel(seed: int, record_property) -> None:
    per_chunk, *_ = BILEVEL
    compared, failures = 0, []
    for index in range(per_chunk):
        instance_seed = seed * 100 + index
        quadratic, degenerate = index % 3 == 1, index % 3 == 2
        inst = random_linear(instance_seed, quadratic=quadratic, degenerate=degenerate)
        what = f"random_linear({instance_seed}, quadratic={quadratic}, degenerate={degenerate})"
        sos1 = solve_bilevel(build_linear(inst), encoding="sos1", solver="scip", config=CONFIG)
        enum = solve_bilevel(build_linear(inst), encoding="enumeration", solver="highs", config=CONFIG)
        labels = (sos1.label, enum.label)
        if labels != (CERTIFIED_GLOBAL, CERTIFIED_GLOBAL):
            # an infeasible instance (no certified answer) is allowed only if both say so
            if sos1.objective is None and enum.objective is None:
                compared += 1
                continue
            failures.append(f"{what}: labels sos1/scip {sos1.label}, enumeration/highs {enum.label}: "
                            f"{sos1.certificate.reasons} / {enum.certificate.reasons} ({inst})")
            continue
        if not math.isclose(sos1.objective, enum.objective, rel_tol=TOL, abs_tol=TOL):
            failures.append(f"{what}: objective sos1/scip {sos1.objective!r} vs enumeration/highs "
                            f"{enum.objective!r} ({inst})")
        compared += 1
    record_property("fuzz:bilevel sos1/scip vs enumeration/highs", compared)
    assert not failures, "\n".join(failures)
    assert compared == per_chunk
