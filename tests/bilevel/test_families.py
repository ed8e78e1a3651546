"""Scalable bilevel families (issue 12, part 5): every generator's instances against exact methods at small sizes,
and their properties (seed reproducibility, sizes, the references' own constructions)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from ftgames.catalogue.bilevel_families import (
    FAMILIES,
    BiddingMarket,
    family_instance,
    family_reference,
    grid_shape,
    random_lp_lp,
    strategic_bidding_market,
    toll_complete,
    toll_grid,
    toll_reference,
)
from ftgames.formulations.bilevel import CERTIFIED_GLOBAL, solve_bilevel
from ftgames.solvers import SolveConfig

CONFIG = SolveConfig(time_limit=60)


def close(a: float, b: float, tol: float = 1e-6) -> bool:
    return abs(a - b) <= tol * (1 + abs(b))


# ---------------------------------------------------------------------------------------------------- properties
@pytest.mark.parametrize(("family", "size"), [("random_lp_lp", 7), ("toll_grid", 12), ("toll_complete", 6),
                                              ("strategic_bidding", 9)])
def test_same_seed_same_instance_other_seed_other_instance(family, size):
    a, b, c = family_instance(family, size, 4), family_instance(family, size, 4), family_instance(family, size, 5)
    assert a.key == b.key != c.key
    assert (a.n_x if family == "random_lp_lp" else a.size) == size  # LP-LP: n leader (and n follower) variables
    fields = {"random_lp_lp": ("A", "B", "d"), "toll_grid": ("cost", "tolled"), "toll_complete": ("cost", "tolled"),
              "strategic_bidding": ("costs", "caps")}[family]
    assert all(np.array_equal(getattr(a, f), getattr(b, f)) for f in fields)
    assert any(not np.array_equal(getattr(a, f), getattr(c, f)) for f in fields)


def test_unknown_family_and_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="unknown bilevel family"):
        family_instance("knapsack", 5, 1)
    with pytest.raises(ValueError, match="rows x cols"):
        toll_grid(7, 1)
    with pytest.raises(ValueError, match="generators"):
        strategic_bidding_market(1, 1)
    with pytest.raises(ValueError, match="nodes"):
        toll_complete(2, 1)


@pytest.mark.parametrize("nodes", [6, 9, 12, 16, 20, 25, 30])
def test_toll_grid_sizes_and_structure(nodes):
    rows, cols = grid_shape(nodes)
    inst = toll_grid(nodes, 1)
    assert rows * cols == nodes and 2 <= rows <= cols
    assert len(inst.arcs) == 2 * (rows * (cols - 1) + cols * (rows - 1))
    assert 0 < inst.base_cost <= inst.free_cost < np.inf and inst.toll_cap == inst.free_cost - inst.base_cost
    assert np.all(inst.cost > 0)
    bm = inst.build()
    assert len(bm.model.t) == len(inst.tolled_arcs) and len(bm.model.user.x) == len(inst.arcs)
    assert len(bm.model.user.flow) == nodes - 1


@pytest.mark.parametrize("nodes", [5, 10, 30])
def test_toll_complete_sizes(nodes):
    inst = toll_complete(nodes, 2)
    assert len(inst.arcs) == nodes * (nodes - 1) and inst.size == nodes
    assert inst.free_cost <= 30 and not inst.tolled[inst.arcs.index((0, nodes - 1))]


@pytest.mark.parametrize("generators", [2, 5, 50, 200])
def test_bidding_market_sizes(generators):
    inst = strategic_bidding_market(generators, 3)
    assert inst.size == generators and len(inst.costs) == generators - 1
    assert np.all(np.diff(inst.costs) > 0) and inst.caps.sum() > inst.demand > 0  # feasible at every offer
    bm = inst.build()
    assert len(bm.model.market.g) == generators


@pytest.mark.parametrize("n", [5, 20, 100])
def test_random_lp_lp_sizes_and_every_row_builds(n):
    inst = random_lp_lp(n, 1)
    assert (inst.n_x, inst.n_y) == (n, n)
    bm = inst.build()  # n = 100, seed 1 has a row with no coefficient at all: it is left out, not refused
    assert len(bm.model.lower.row) == int((inst.A.any(axis=1) | inst.B.any(axis=1)).sum())


# ----------------------------------------------------------------------------------------- the references themselves
def bidding_by_scan(inst: BiddingMarket) -> float:
    """The leader's revenue by brute force, independent of the merit-order formula: for each offer q on a fine
    grid (and every breakpoint), the market's LP by scipy and the price range of its balance row by two LPs over
    the dual optimal set; the optimistic leader takes the highest price."""
    rivals = len(inst.costs)
    cumulative = np.concatenate([[0.0], np.cumsum(inst.caps)])
    offers = set(np.linspace(0.0, inst.offer_cap, 41)) | {inst.demand - c for c in cumulative
                                                          if 0 <= inst.demand - c <= inst.offer_cap}
    best = 0.0
    for q in sorted(offers):
        cost = np.concatenate([[0.0], inst.costs])
        bounds = [(0, q)] + [(0, float(c)) for c in inst.caps]
        primal = linprog(cost, A_eq=np.ones((1, rivals + 1)), b_eq=[inst.demand], bounds=bounds, method="highs")
        assert primal.status == 0
        # dual: max demand*lam - sum ub_k * w_k  s.t. lam - w_k <= cost_k, w >= 0; optimal set fixed by value
        n = rivals + 2  # lam, w_0 (offer), w_1..w_rivals
        ub = np.concatenate([[q], inst.caps])
        a_ub = np.hstack([np.ones((rivals + 1, 1)), -np.eye(rivals + 1)])
        value_row = np.concatenate([[-inst.demand], ub])  # -(dual objective) <= -(primal value)
        res = linprog(np.eye(n)[0] * -1, A_ub=np.vstack([a_ub, value_row]),
                      b_ub=np.concatenate([cost, [-primal.fun + 1e-9]]),
                      bounds=[(None, None)] + [(0, None)] * (rivals + 1), method="highs")
        assert res.status == 0
        best = max(best, -res.fun * primal.x[0])
    return best


@pytest.mark.parametrize(("generators", "seed"), [(2, 1), (4, 2), (6, 3), (9, 4)])
def test_merit_order_optimum_matches_a_brute_force_scan(generators, seed):
    inst = strategic_bidding_market(generators, seed)
    assert close(bidding_by_scan(inst), inst.optimum, 1e-7)


def test_catalogue_strategic_bidding_is_the_merit_order_construction():
    inst = BiddingMarket("catalogue_10", "catalogue #10", 100.0, 100.0, np.array([50.0, 100.0, 1000.0]),
                         np.array([40.0, 40.0, 100.0]))
    assert inst.optimum == 20000.0  # spec/bilevel-instances.md #10


def toll_by_paths(inst) -> float:
    """The optimal revenue by enumerating simple source–sink paths (tiny graphs): path P is chosen iff no other
    path is strictly cheaper to the user; with tolls on P's tolled arcs summing to R and every other tolled arc at
    the cap, that holds iff ``base(P) + R <= base(Q) + tolls(Q)`` for every path Q, an LP in the tolls of P."""
    out: dict[int, list[int]] = {}
    for a, (i, _j) in enumerate(inst.arcs):
        out.setdefault(i, []).append(a)
    paths: list[list[int]] = []

    def walk(v: int, seen: set[int], arcs: list[int]) -> None:
        if v == inst.sink:
            paths.append(list(arcs))
            return
        for a in out.get(v, []):
            w = inst.arcs[a][1]
            if w not in seen:
                walk(w, seen | {w}, arcs + [a])

    walk(inst.source, {inst.source}, [])
    cap = inst.toll_cap
    tolled = inst.tolled_arcs
    index = {a: k for k, a in enumerate(tolled)}
    best = 0.0
    for p in paths:
        # variables: tolls on every tolled arc in [0, cap]; maximize tolls on P s.t. P is a shortest path
        c = np.zeros(len(tolled))
        for a in p:
            if inst.tolled[a]:
                c[index[a]] -= 1
        rows, rhs = [], []
        for q in paths:
            row = np.zeros(len(tolled))  # tolls(P) - tolls(Q) <= base(Q) - base(P)
            for a in p:
                if inst.tolled[a]:
                    row[index[a]] += 1
            for a in q:
                if inst.tolled[a]:
                    row[index[a]] -= 1
            rows.append(row)
            rhs.append(sum(inst.cost[a] for a in q) - sum(inst.cost[a] for a in p))
        res = linprog(c, A_ub=np.array(rows), b_ub=np.array(rhs), bounds=[(0, cap)] * len(tolled), method="highs")
        if res.status == 0:
            best = max(best, -res.fun)
    return best


@pytest.mark.parametrize(("make", "nodes", "seed"), [(toll_grid, 6, 1), (toll_grid, 6, 2), (toll_grid, 9, 3),
                                                     (toll_grid, 8, 4), (toll_complete, 4, 1), (toll_complete, 5, 2),
                                                     (toll_complete, 5, 3)])
def test_toll_milp_reference_matches_path_enumeration(make, nodes, seed):
    inst = make(nodes, seed)
    assert close(toll_reference(inst), toll_by_paths(inst), 1e-7)


def test_toll_revenue_can_stay_below_the_cap():
    """The cap free_cost − base_cost bounds the revenue; on some instances it is not reached (the MILP is needed)."""
    below = [s for s in range(1, 6) if toll_reference(toll_grid(20, s)) < toll_grid(20, s).toll_cap - 1e-6]
    assert below


# ----------------------------------------------------------------------------- the layer's encodings against them
EXACT_PAIRS = [("sos1", "scip"), ("enumeration", "highs"), ("indicator", "scip"), ("strong_duality", "scip")]


SLOW = pytest.mark.slow


@pytest.mark.parametrize(("family", "size", "seed"), [
    ("toll_grid", 6, 1), ("toll_complete", 5, 1), ("strategic_bidding", 2, 1), ("random_lp_lp", 5, 1),
    pytest.param("toll_grid", 12, 2, marks=SLOW), pytest.param("strategic_bidding", 5, 1, marks=SLOW),
    pytest.param("random_lp_lp", 5, 2, marks=SLOW)])
def test_exact_encodings_agree_with_the_reference(family, size, seed):
    ref = family_reference(family, size, seed, time_limit=60)
    assert ref is not None
    inst = family_instance(family, size, seed)
    for encoding, solver in EXACT_PAIRS:
        if family == "strategic_bidding" and solver == "highs":
            continue  # a bilinear leader objective (price × sales): HiGHS does not apply
        res = solve_bilevel(inst.build(), encoding=encoding, solver=solver, config=CONFIG)
        assert res.label == CERTIFIED_GLOBAL, (family, encoding, solver, res.message)
        assert close(res.objective, ref, 1e-6), (family, encoding, solver, res.objective, ref)


def test_random_lp_lp_reference_agrees_with_enumeration():
    """The LP–LP reference (sos1 and indicator on SCIP) against the enumeration of active sets on HiGHS."""
    for seed in (1, 2, 3):
        ref = family_reference("random_lp_lp", 10, seed, time_limit=60)
        enum = solve_bilevel(random_lp_lp(10, seed).build(), encoding="enumeration", solver="highs", config=CONFIG)
        assert ref is not None and enum.label == CERTIFIED_GLOBAL and close(enum.objective, ref)
    assert family_reference("random_lp_lp", 100, 1, lp_lp_max_n=70) is None  # no reference above the cut


@pytest.mark.slow
@pytest.mark.parametrize(("family", "size"), list(itertools.product(["toll_grid"], [16, 30]))
                         + [("toll_complete", 15), ("strategic_bidding", 50), ("random_lp_lp", 20)])
def test_sos1_agrees_with_the_reference_at_larger_sizes(family, size):
    ref = family_reference(family, size, 1, time_limit=120)
    res = solve_bilevel(family_instance(family, size, 1).build(), encoding="sos1", solver="scip",
                        config=SolveConfig(time_limit=120))
    assert res.label == CERTIFIED_GLOBAL and close(res.objective, ref, 1e-6)


def test_families_registry():
    assert set(FAMILIES) == {"random_lp_lp", "toll_grid", "toll_complete", "strategic_bidding"}
