"""Scalable bilevel families, generated with a seed, for watching how each encoding's cost grows with the problem.

Three families (each instance has a ``key``, a ``size`` and a ``build()`` returning a
:class:`~ftgames.formulations.bilevel.BilevelModel`):

* **random LP–LP** (in the style of BilevelJuMP's RAND family): :func:`ftgames.catalogue.linear_bilevel.random_lp_lp`
  with ``n`` leader and ``n`` follower variables, ``n = 5 … 100`` (size ``n``).  No closed form: references come
  from an exact encoding (the benchmark suite uses ``kkt:sos1`` on SCIP where it finishes; the tests compare it with
  ``kkt:enumeration`` on HiGHS).
* **toll setting** (Labbé, Marcotte and Savard 1998) on a grid (:func:`toll_grid`) or a complete digraph
  (:func:`toll_complete`) of 5 to 30 nodes (size: nodes).  The leader sets tolls ``t_a`` in ``[0, T]`` on a seeded
  subset of the arcs; one user (the follower) sends one unit from the source to the sink along a shortest path
  under arc cost ``c_a + t_a`` (an LP: flow conservation, ``x >= 0``); the leader maximizes the toll revenue
  ``sum_a t_a x_a``.  A toll-free path always exists, and ``T`` = (shortest toll-free path) − (shortest path without
  tolls), which bounds the revenue and loses nothing (see :class:`TollInstance`).  The exact reference
  :func:`toll_reference` is the classic single-level MILP of Labbé et al. (path flows binary, strong duality,
  ``t_a x_a`` linearized with the bound ``T``) on HiGHS: it does not use the KKT layer.
* **strategic bidding** (Fanzeres et al. 2017, catalogue #10 scaled up): :func:`strategic_bidding_market` with
  ``2 … 200`` generators (size: generators, the leader's included).  The leader offers a quantity ``q`` at price 0;
  the market dispatches all generators at least cost to meet the demand; the leader earns the market price (the
  dual of the balance row) on what it sells.  The optimum follows from the merit order
  (:meth:`BiddingMarket.optimum`), a construction with a known optimum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ftgames.formulations.bilevel import BilevelModel

from .linear_bilevel import LinearBilevel, random_lp_lp

__all__ = ["TollInstance", "toll_grid", "toll_complete", "toll_reference", "BiddingMarket",
           "strategic_bidding_market", "random_lp_lp", "LinearBilevel", "grid_shape", "FAMILIES", "family_instance",
           "family_reference"]


def _shortest_path(n: int, arcs: tuple[tuple[int, int], ...], cost: np.ndarray, source: int, sink: int,
                   allowed: np.ndarray | None = None) -> float:
    """Dijkstra on nonnegative arc costs (``allowed``: a mask of usable arcs); ``inf`` if the sink is unreachable."""
    import heapq

    out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for a, (i, j) in enumerate(arcs):
        if allowed is None or allowed[a]:
            out[i].append((j, float(cost[a])))
    dist = [math.inf] * n
    dist[source] = 0.0
    heap = [(0.0, source)]
    while heap:
        d, v = heapq.heappop(heap)
        if d > dist[v]:
            continue
        for w, c in out[v]:
            if d + c < dist[w]:
                dist[w] = d + c
                heapq.heappush(heap, (d + c, w))
    return dist[sink]


@dataclass(frozen=True)
class TollInstance:
    """A single-commodity toll-setting problem.

    ``arcs[a] = (i, j)`` with base cost ``cost[a] > 0``; ``tolled[a]`` marks the arcs the leader may toll; one unit
    travels from ``source`` to ``sink``.  Tolls lie in ``[0, toll_cap]`` with ``toll_cap = free_cost − base_cost``
    (shortest toll-free path minus shortest path at zero tolls).  The cap loses nothing: the revenue is at most
    ``free_cost − base_cost`` (the user pays at most ``free_cost``, its path costs at least ``base_cost``), so every
    toll on the chosen path is within the cap, and an arc off the path whose toll is lowered to the cap still makes
    every path through it cost at least ``free_cost``, no less than the chosen one (optimistic ties).
    """

    key: str
    source_text: str
    nodes: int
    arcs: tuple[tuple[int, int], ...]
    cost: np.ndarray
    tolled: np.ndarray
    source: int
    sink: int

    @property
    def size(self) -> int:
        """Nodes."""
        return self.nodes

    @property
    def base_cost(self) -> float:
        """Shortest source–sink path at zero tolls."""
        return _shortest_path(self.nodes, self.arcs, self.cost, self.source, self.sink)

    @property
    def free_cost(self) -> float:
        """Shortest source–sink path over toll-free arcs only (finite by construction)."""
        return _shortest_path(self.nodes, self.arcs, self.cost, self.source, self.sink, ~self.tolled)

    @property
    def toll_cap(self) -> float:
        return self.free_cost - self.base_cost

    @property
    def tolled_arcs(self) -> list[int]:
        return [a for a in range(len(self.arcs)) if self.tolled[a]]

    def build(self) -> BilevelModel:
        """``model.t[a]`` (tolls on the tolled arcs), follower ``user`` with flows ``user.x[a]`` and conservation rows
        ``user.flow[v]`` for every node but the sink (the sink's row is implied; dropping it keeps the rows
        independent).  The leader's revenue ``sum t_a x_a`` is written as the user's optimal cost (the dual of the
        source's row: one unit more leaving the source costs one more shortest path) minus the base cost of its
        flow; at every optimum of the user the two are equal, and the second is linear in the KKT system, so MILP
        backends apply to the encodings that keep it linear."""
        bm = BilevelModel(self.key)
        m = bm.model
        tolled = self.tolled_arcs
        cap = self.toll_cap
        m.t = pyo.Var(tolled, bounds=(0.0, cap))
        user = bm.add_follower("user")
        b = user.block
        arcs = range(len(self.arcs))
        b.x = pyo.Var(arcs, within=pyo.NonNegativeReals)
        out: dict[int, list[int]] = {v: [] for v in range(self.nodes)}
        into: dict[int, list[int]] = {v: [] for v in range(self.nodes)}
        for a, (i, j) in enumerate(self.arcs):
            out[i].append(a)
            into[j].append(a)
        rows = [v for v in range(self.nodes) if v != self.sink]
        b.flow = pyo.Constraint(rows, rule=lambda _, v: sum(b.x[a] for a in out[v]) - sum(b.x[a] for a in into[v])
                                == (1.0 if v == self.source else 0.0))
        base = sum(float(self.cost[a]) * b.x[a] for a in arcs)
        user.set_objective(base + sum(m.t[a] * b.x[a] for a in tolled))
        cost_to_user = user.dual(b.flow[self.source])
        m.revenue = pyo.Objective(expr=cost_to_user - base, sense=pyo.maximize)
        return bm


def grid_shape(nodes: int) -> tuple[int, int]:
    """``(rows, cols)`` with ``rows * cols == nodes``, ``2 <= rows <= cols`` and ``rows`` as large as possible."""
    if not isinstance(nodes, int) or not 4 <= nodes <= 10_000:
        raise ValueError(f"toll_grid: nodes must be an integer in [4, 10000], got {nodes!r}")
    rows = max((r for r in range(2, math.isqrt(nodes) + 1) if nodes % r == 0), default=None)
    if rows is None:
        raise ValueError(f"toll_grid: nodes must be a product rows x cols with 2 <= rows <= cols, got {nodes}")
    return rows, nodes // rows


def toll_grid(nodes: int, seed: int, tolled_share: float = 0.5) -> TollInstance:
    """A ``rows x cols`` grid (:func:`grid_shape`) with arcs both ways between neighbours, source at the top-left
    and sink at the bottom-right corner.  The path along the top row and down the right column is toll-free (so
    the leader's revenue is bounded); every other arc is tolled with probability ``tolled_share``.  Tolled arcs are
    the fast ones (integer cost 1–5), toll-free arcs cost 3–10, so tolls decide the route."""
    rows, cols = grid_shape(nodes)
    rng = np.random.default_rng([nodes, seed, 1])

    def node(r: int, c: int) -> int:
        return r * cols + c

    arcs: list[tuple[int, int]] = []
    for r in range(rows):
        for c in range(cols):
            if c + 1 < cols:
                arcs += [(node(r, c), node(r, c + 1)), (node(r, c + 1), node(r, c))]
            if r + 1 < rows:
                arcs += [(node(r, c), node(r + 1, c)), (node(r + 1, c), node(r, c))]
    free_path = {(node(0, c), node(0, c + 1)) for c in range(cols - 1)}
    free_path |= {(node(r, cols - 1), node(r + 1, cols - 1)) for r in range(rows - 1)}
    tolled = np.array([arc not in free_path and rng.random() < tolled_share for arc in arcs])
    cost = np.where(tolled, rng.integers(1, 6, size=len(arcs)), rng.integers(3, 11, size=len(arcs))).astype(float)
    return TollInstance(f"toll_grid_n{nodes}_s{seed}", f"toll setting, {rows}x{cols} grid, seed {seed}", nodes,
                        tuple(arcs), cost, tolled, 0, nodes - 1)


def toll_complete(nodes: int, seed: int, tolled_share: float = 0.7) -> TollInstance:
    """The complete digraph on ``nodes`` nodes (every ordered pair an arc), source 0, sink ``nodes - 1``.  The direct
    arc from source to sink is toll-free (cost 30); every other arc is tolled with probability ``tolled_share``;
    tolled arcs cost 1–5, toll-free ones 5–20 (integers)."""
    if not isinstance(nodes, int) or not 3 <= nodes <= 200:
        raise ValueError(f"toll_complete: nodes must be an integer in [3, 200], got {nodes!r}")
    rng = np.random.default_rng([nodes, seed, 2])
    arcs = tuple((i, j) for i in range(nodes) for j in range(nodes) if i != j)
    sink = nodes - 1
    tolled = np.array([(i, j) != (0, sink) and rng.random() < tolled_share for i, j in arcs])
    cost = np.where(tolled, rng.integers(1, 6, size=len(arcs)), rng.integers(5, 21, size=len(arcs))).astype(float)
    cost[arcs.index((0, sink))] = 30.0
    return TollInstance(f"toll_complete_n{nodes}_s{seed}", f"toll setting, complete digraph K{nodes}, seed {seed}",
                        nodes, arcs, cost, tolled, 0, sink)


def toll_reference(instance: TollInstance, time_limit: float = 60.0, mip_gap: float = 1e-9) -> float | None:
    """The optimal revenue by the single-level MILP of Labbé, Marcotte and Savard (1998), on HiGHS.

    Binary path flows ``x`` (shortest-path polyhedra are integral), node potentials ``p`` (dual feasibility:
    ``p_j − p_i <= c_a + t_a`` on tolled arcs, ``<= c_a`` on the others, ``p_source = 0``), strong duality
    ``sum c x + sum r <= p_sink`` (weak duality gives ``>=``), and revenue ``r_a = t_a x_a`` linearized exactly with
    the toll cap ``T``: ``r_a <= T x_a``, ``r_a <= t_a``, ``r_a >= t_a − T (1 − x_a)``.  Returns None unless HiGHS
    proves optimality (within ``time_limit``).  Independent of the KKT layer."""
    from ftgames.solvers import Capability, SolveConfig, solve

    T = instance.toll_cap
    tolled = instance.tolled_arcs
    arcs = range(len(instance.arcs))
    m = pyo.ConcreteModel()
    m.x = pyo.Var(arcs, within=pyo.Binary)
    m.p = pyo.Var(range(instance.nodes))
    m.t = pyo.Var(tolled, bounds=(0.0, T))
    m.r = pyo.Var(tolled, bounds=(0.0, T))
    net = {v: 0.0 for v in range(instance.nodes)}
    net[instance.source], net[instance.sink] = 1.0, -1.0
    m.flow = pyo.Constraint(range(instance.nodes), rule=lambda _, v: sum(
        m.x[a] for a, (i, _j) in enumerate(instance.arcs) if i == v) - sum(
        m.x[a] for a, (_i, j) in enumerate(instance.arcs) if j == v) == net[v])
    m.p[instance.source].fix(0.0)
    m.potential = pyo.Constraint(arcs, rule=lambda _, a: m.p[instance.arcs[a][1]] - m.p[instance.arcs[a][0]]
                            <= float(instance.cost[a]) + (m.t[a] if instance.tolled[a] else 0.0))
    m.strong = pyo.Constraint(expr=sum(float(instance.cost[a]) * m.x[a] for a in arcs) + sum(m.r[a] for a in tolled)
                              <= m.p[instance.sink])
    m.r_on = pyo.Constraint(tolled, rule=lambda _, a: m.r[a] <= T * m.x[a])
    m.r_t = pyo.Constraint(tolled, rule=lambda _, a: m.r[a] <= m.t[a])
    m.r_off = pyo.Constraint(tolled, rule=lambda _, a: m.r[a] >= m.t[a] - T * (1 - m.x[a]))
    m.revenue = pyo.Objective(expr=sum(m.r[a] for a in tolled), sense=pyo.maximize)
    result = solve(m, requires={Capability.MILP}, solver="highs",
                   config=SolveConfig(time_limit=time_limit, mip_gap=mip_gap))
    return float(result.objective) if str(result.status) == "optimal" else None


@dataclass(frozen=True)
class BiddingMarket:
    """A strategic producer offering a quantity into a least-cost market (catalogue #10 scaled up).

    Leader: offer ``q in [0, offer_cap]`` at price 0 and maximize ``price * g_0``, where ``price`` is the dual of the
    market's balance row.  Market (the follower): ``min sum_k cost_k g_k`` over the rivals ``k = 1 … n`` subject to
    ``g_0 + sum_k g_k == demand``, ``g_0 <= q``, ``g_k <= cap_k``, ``g >= 0``.  Rival costs are distinct and sorted,
    their capacities sum to more than the demand (the market is feasible at every offer)."""

    key: str
    source_text: str
    demand: float
    offer_cap: float
    costs: np.ndarray
    caps: np.ndarray

    @property
    def size(self) -> int:
        """Generators, the leader's included."""
        return len(self.costs) + 1

    @property
    def optimum(self) -> float:
        """The leader's optimal revenue by the merit order.  With residual demand ``R = demand − q`` between the
        cumulative rival capacities ``C_{k−1} <= R <= C_k`` rival ``k`` is marginal and the price can be ``cost_k``
        (at ``R = C_{k−1}`` any price in ``[cost_{k−1}, cost_k]`` clears the market; the optimistic leader takes the
        highest), so the revenue ``cost_k * q`` is largest at the largest such ``q`` within ``[0, offer_cap]``."""
        best = 0.0
        cumulative = np.concatenate([[0.0], np.cumsum(self.caps)])
        for k, cost in enumerate(self.costs):
            q_hi = min(self.demand - cumulative[k], self.offer_cap)
            q_lo = max(self.demand - cumulative[k + 1], 0.0)
            if q_lo <= q_hi:
                best = max(best, float(cost) * q_hi)
        return best

    def build(self) -> BilevelModel:
        """``model.q`` (the offer), follower ``market`` with ``market.g[0]`` (the leader's sales) and ``market.g[k]``,
        rows ``balance``, ``offer``, ``cap[k]``; leader objective ``market.dual(balance) * g[0]`` (bilinear)."""
        bm = BilevelModel(self.key)
        m = bm.model
        m.q = pyo.Var(bounds=(0.0, self.offer_cap))
        market = bm.add_follower("market")
        b = market.block
        rivals = range(1, len(self.costs) + 1)
        b.g = pyo.Var(range(len(self.costs) + 1), within=pyo.NonNegativeReals)
        b.balance = pyo.Constraint(expr=sum(b.g[k] for k in b.g) == self.demand)
        b.offer = pyo.Constraint(expr=b.g[0] <= m.q)
        b.cap = pyo.Constraint(rivals, rule=lambda _, k: b.g[k] <= float(self.caps[k - 1]))
        market.set_objective(sum(float(self.costs[k - 1]) * b.g[k] for k in rivals))
        price = market.dual(b.balance)
        m.revenue = pyo.Objective(expr=price * b.g[0], sense=pyo.maximize)
        return bm


def strategic_bidding_market(generators: int, seed: int) -> BiddingMarket:
    """A seeded market with ``generators`` generators (the leader and ``generators − 1`` rivals).  Rival costs are
    distinct integers in ``[10, 10 + 20 (generators − 1))``, sorted; capacities integers in ``[10, 60)``; the
    demand is 70 % of the rivals' total capacity (rounded), the leader's offer cap 80 % of the demand."""
    if not isinstance(generators, int) or not 2 <= generators <= 5000:
        raise ValueError(f"strategic_bidding_market: generators must be an integer in [2, 5000], got {generators!r}")
    rivals = generators - 1
    rng = np.random.default_rng([generators, seed, 3])
    costs = np.sort(rng.choice(np.arange(10, 10 + 20 * rivals), size=rivals, replace=False)).astype(float)
    caps = rng.integers(10, 60, size=rivals).astype(float)
    demand = float(round(0.7 * caps.sum()))
    return BiddingMarket(f"strategic_bidding_g{generators}_s{seed}",
                         f"strategic bidding market, {generators} generators, seed {seed}", demand,
                         float(round(0.8 * demand)), costs, caps)


#: The families by name: ``FAMILIES[name](size, seed)`` builds one instance.
FAMILIES = {"random_lp_lp": random_lp_lp, "toll_grid": toll_grid, "toll_complete": toll_complete,
            "strategic_bidding": strategic_bidding_market}


def family_instance(family: str, size: int, seed: int) -> LinearBilevel | TollInstance | BiddingMarket:
    """``FAMILIES[family](size, seed)``, with a clear error for an unknown family."""
    if family not in FAMILIES:
        raise ValueError(f"unknown bilevel family {family!r}; families: {', '.join(FAMILIES)}")
    return FAMILIES[family](size, seed)


def family_reference(family: str, size: int, seed: int, time_limit: float = 120.0,
                     lp_lp_max_n: int = 70) -> float | None:
    """The exact optimum of one generated instance, or None where no exact method is affordable.

    Strategic bidding: the merit-order closed form.  Toll setting: :func:`toll_reference` (a MILP without the KKT
    layer).  Random LP–LP: the encodings ``sos1`` and ``indicator`` on SCIP (both exact), each certified global
    within ``time_limit`` and agreeing to 1e-6 (relative), for ``n <= lp_lp_max_n``; None otherwise.
    """
    inst = family_instance(family, size, seed)
    if isinstance(inst, BiddingMarket):
        return inst.optimum
    if isinstance(inst, TollInstance):
        return toll_reference(inst, time_limit=time_limit)
    if size > lp_lp_max_n:
        return None
    from ftgames.formulations.bilevel import solve_bilevel
    from ftgames.solvers import SolveConfig

    values = []
    for encoding in ("sos1", "indicator"):
        result = solve_bilevel(inst.build(), encoding=encoding, solver="scip",
                               config=SolveConfig(time_limit=time_limit))
        if not result.certified:
            return None
        values.append(float(result.objective))
    return values[0] if abs(values[0] - values[1]) <= 1e-6 * max(1.0, abs(values[0])) else None
