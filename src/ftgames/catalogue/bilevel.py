"""The bilevel instances of ``spec/bilevel-instances.md`` (#1–#16), each with a builder returning a BilevelModel.

Convention: the leader's objective is stated in its own sense (``leader_sense``), ``optimum`` is the leader's
objective value at the known solution, ``solution`` maps Pyomo variable names to their values there, ``status`` is
"global" (re-solved globally, agreeing with the literature), "best_known" or "local".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyomo.environ as pyo

from ftgames.formulations.bilevel import BilevelModel


@dataclass(frozen=True)
class BilevelInstance:
    number: int
    key: str
    source: str
    optimum: float | None
    status: str  # "global" | "best_known" | "local"
    builder: Callable[[], BilevelModel]
    leader_sense: str = "min"
    solution: dict[str, float] = field(default_factory=dict)
    follower_values: dict[str, float] = field(default_factory=dict)
    notes: str = ""
    refused: bool = False  # the layer must refuse it (integer follower)
    trap_options: dict[str, Any] = field(default_factory=dict)  # options under which a naive method goes wrong

    def build(self) -> BilevelModel:
        return self.builder()


def _var(m: Any, name: str, lb: float | None = None, ub: float | None = None, **kw: Any) -> Any:
    m.add_component(name, pyo.Var(bounds=(lb, ub), **kw))
    return m.component(name)


def dempe_2002() -> BilevelModel:
    bm = BilevelModel("dempe_2002")
    m = bm.model
    y = _var(m, "y", 0, 8)  # the leader's variable
    f = bm.add_follower("lower")
    b = f.block
    x = _var(b, "x")  # the follower's variable
    b.c1 = pyo.Constraint(expr=x + y <= 8)
    b.c2 = pyo.Constraint(expr=4 * x + y >= 8)
    b.c3 = pyo.Constraint(expr=2 * x + y <= 13)
    b.c4 = pyo.Constraint(expr=2 * x - 7 * y <= 0)
    f.set_objective(-x)
    m.x_cap = pyo.Constraint(expr=x <= 5)
    m.obj = pyo.Objective(expr=3 * x + y)
    return bm


def bard_511() -> BilevelModel:
    bm = BilevelModel("bard_511")
    m = bm.model
    x = _var(m, "x", 0)
    f = bm.add_follower("lower")
    b = f.block
    y = _var(b, "y", 0)
    b.c1 = pyo.Constraint(expr=-x - y <= -3)
    b.c2 = pyo.Constraint(expr=-2 * x + y <= 0)
    b.c3 = pyo.Constraint(expr=2 * x + y <= 12)
    b.c4 = pyo.Constraint(expr=3 * x - 2 * y <= 4)
    f.set_objective(y)
    m.obj = pyo.Objective(expr=x - 4 * y)
    return bm


def candler_townsley() -> BilevelModel:
    bm = BilevelModel("candler_townsley")
    m = bm.model
    m.x = pyo.Var([1, 2], within=pyo.NonNegativeReals)
    f = bm.add_follower("lower")
    b = f.block
    b.y = pyo.Var(range(1, 7), within=pyo.NonNegativeReals)
    x, y = m.x, b.y
    b.r1 = pyo.Constraint(expr=-y[1] + y[2] + y[3] + y[4] == 1)
    b.r2 = pyo.Constraint(expr=2 * x[1] - y[1] + 2 * y[2] - 0.5 * y[3] + y[5] == 1)
    b.r3 = pyo.Constraint(expr=2 * x[2] + 2 * y[1] - y[2] - 0.5 * y[3] + y[6] == 1)
    f.set_objective(x[1] + 2 * x[2] + y[1] + y[2] + 2 * y[3])
    m.obj = pyo.Objective(expr=-8 * x[1] - 4 * x[2] + 4 * y[1] - 40 * y[2] - 4 * y[3])
    return bm


def anandalingam_white() -> BilevelModel:
    bm = BilevelModel("anandalingam_white")
    m = bm.model
    x = _var(m, "x", 0, 50)
    f = bm.add_follower("lower")
    b = f.block
    y = _var(b, "y", 0, 50)
    b.c1 = pyo.Constraint(expr=-x - 2 * y <= -10)
    b.c2 = pyo.Constraint(expr=x - 2 * y <= 6)
    b.c3 = pyo.Constraint(expr=2 * x - y <= 21)
    b.c4 = pyo.Constraint(expr=x + 2 * y <= 38)
    b.c5 = pyo.Constraint(expr=-x + 2 * y <= 18)
    f.set_objective(-x + 3 * y)
    m.obj = pyo.Objective(expr=-x - 3 * y)
    return bm


def clark_westerberg() -> BilevelModel:
    bm = BilevelModel("clark_westerberg")
    m = bm.model
    x = _var(m, "x", 0, 8)
    f = bm.add_follower("lower")
    b = f.block
    b.y = pyo.Var([1, 2], bounds=(0, 4))
    y = b.y
    b.c1 = pyo.Constraint(expr=-2 * x + y[1] + 4 * y[2] <= 16)
    b.c2 = pyo.Constraint(expr=8 * x + 3 * y[1] - 2 * y[2] <= 48)
    b.c3 = pyo.Constraint(expr=-2 * x + y[1] - 3 * y[2] <= -12)
    f.set_objective(-y[1])
    m.obj = pyo.Objective(expr=-x - 3 * y[1] + 2 * y[2])
    return bm


def bard_1988() -> BilevelModel:
    bm = BilevelModel("bard_1988_ex1")
    m = bm.model
    x = _var(m, "x", 0)
    f = bm.add_follower("lower")
    b = f.block
    y = _var(b, "y", 0)
    b.c1 = pyo.Constraint(expr=-3 * x + y <= -3)
    b.c2 = pyo.Constraint(expr=x - 0.5 * y <= 4)
    b.c3 = pyo.Constraint(expr=x + y <= 7)
    f.set_objective((y - 1) ** 2 - 1.5 * x * y)
    m.obj = pyo.Objective(expr=(x - 5) ** 2 + (2 * y + 1) ** 2)
    return bm


def shimizu_aiyoshi() -> BilevelModel:
    bm = BilevelModel("shimizu_aiyoshi_ex2")
    m = bm.model
    m.x = pyo.Var([1, 2])
    f = bm.add_follower("lower")
    b = f.block
    b.y = pyo.Var([1, 2], bounds=(0, 10))
    x, y = m.x, b.y
    m.c1 = pyo.Constraint(expr=x[1] + 2 * x[2] >= 30)
    m.c2 = pyo.Constraint(expr=x[1] + x[2] <= 25)
    m.c3 = pyo.Constraint(expr=x[2] <= 15)
    f.set_objective((x[1] - y[1]) ** 2 + (x[2] - y[2]) ** 2)
    m.obj = pyo.Objective(expr=(x[1] - 30) ** 2 + (x[2] - 20) ** 2 - 20 * y[1] + 20 * y[2])
    return bm


def henderson_quandt() -> BilevelModel:
    bm = BilevelModel("henderson_quandt")
    m = bm.model
    x = _var(m, "x", 0, 200)
    f = bm.add_follower("lower")
    y = _var(f.block, "y", 0)
    f.set_objective(y**2 + (0.5 * x - 100) * y)
    m.obj = pyo.Objective(expr=0.5 * x**2 + 0.5 * x * y - 95 * x)
    return bm


def stackelberg_cournot() -> BilevelModel:
    """Leader max (P - 1) Q with P = 13 - (Q + q1 + q2); two followers, each max (P - 1) q_i (a Nash game)."""
    bm = BilevelModel("stackelberg_cournot")
    m = bm.model
    q_leader = _var(m, "Q", 0)
    firms = [bm.add_follower(f"firm{i}", sense="max") for i in (1, 2)]
    for fo in firms:
        fo.block.q = pyo.Var(within=pyo.NonNegativeReals)
    margin = 12 - q_leader - sum(fo.block.q for fo in firms)  # P - 1
    for fo in firms:
        fo.set_objective(margin * fo.block.q)
    m.obj = pyo.Objective(expr=margin * q_leader, sense=pyo.maximize)
    return bm


def strategic_bidding() -> BilevelModel:
    bm = BilevelModel("strategic_bidding")
    m = bm.model
    q1 = _var(m, "q1", 0, 100)
    f = bm.add_follower("market")
    b = f.block
    b.g = pyo.Var([1, 2, 3, 4], within=pyo.NonNegativeReals)
    g = b.g
    b.balance = pyo.Constraint(expr=sum(g[i] for i in g) == 100)
    b.offer = pyo.Constraint(expr=g[1] <= q1)
    b.cap2 = pyo.Constraint(expr=g[2] <= 40)
    b.cap3 = pyo.Constraint(expr=g[3] <= 40)
    b.cap4 = pyo.Constraint(expr=g[4] <= 100)
    f.set_objective(50 * g[2] + 100 * g[3] + 1000 * g[4])
    price = f.dual(b.balance)
    m.obj = pyo.Objective(expr=price * g[1], sense=pyo.maximize)
    return bm


def conejo_investment() -> BilevelModel:
    bm = BilevelModel("conejo_investment")
    m = bm.model
    x = _var(m, "x", 0, 250)
    f = bm.add_follower("market")
    b = f.block
    b.y = pyo.Var([1, 2, 3], within=pyo.NonNegativeReals)
    y = b.y
    b.balance = pyo.Constraint(expr=y[1] + y[2] + y[3] == 200)
    b.cap1 = pyo.Constraint(expr=y[1] <= x)
    b.cap2 = pyo.Constraint(expr=y[2] <= 150)
    b.cap3 = pyo.Constraint(expr=y[3] <= 100)
    f.set_objective(10 * y[1] + 12 * y[2] + 15 * y[3])
    price = f.dual(b.balance)
    m.obj = pyo.Objective(expr=40000 * x + 8760 * (10 * y[1] - price * y[1]))
    return bm


def conejo_74() -> BilevelModel:
    bm = BilevelModel("conejo_ex_7_4")
    m = bm.model
    x = _var(m, "x")
    f = bm.add_follower("lower")
    b = f.block
    y = _var(b, "y", 0)
    b.c1 = pyo.Constraint(expr=x + y <= 7)
    b.x_upper = pyo.Constraint(expr=x <= 4)  # the bound on the leader's x is a lower-level row
    b.x_lower = pyo.Constraint(expr=x >= 0)
    f.set_objective(-x - y)
    m.c1 = pyo.Constraint(expr=y + 2 * x <= 8)
    m.obj = pyo.Objective(expr=-x + 4 * y)
    return bm


def chi_2014_soc() -> BilevelModel:
    """The 2-d cone ``|y2| <= y1`` on ``y >= 0`` is the linear row ``y2 <= y1`` (written so: same feasible set)."""
    bm = BilevelModel("chi_2014_soc")
    m = bm.model
    x = _var(m, "x", 2, 6)
    f = bm.add_follower("lower")
    b = f.block
    b.y = pyo.Var([1, 2], within=pyo.NonNegativeReals)
    d = b.y[1] - b.y[2]
    b.c1 = pyo.Constraint(expr=x + d <= 8)
    b.c2 = pyo.Constraint(expr=x + 4 * d >= 8)
    b.c3 = pyo.Constraint(expr=x + 2 * d <= 12)
    b.cone = pyo.Constraint(expr=b.y[2] <= b.y[1])
    f.set_objective(-d)
    m.obj = pyo.Objective(expr=x + 3 * d)
    return bm


def bigm_trap() -> BilevelModel:
    bm = BilevelModel("bigm_trap")
    m = bm.model
    x = _var(m, "x", 0, 2)
    f = bm.add_follower("lower")
    b = f.block
    y = _var(b, "y", 0)
    b.c1 = pyo.Constraint(expr=100 * x - y <= 100)
    f.set_objective(y)
    m.obj = pyo.Objective(expr=x + y, sense=pyo.maximize)
    return bm


def moore_bard_integer() -> BilevelModel:
    bm = BilevelModel("moore_bard_1990")
    m = bm.model
    x = _var(m, "x", 0, within=pyo.Integers)
    f = bm.add_follower("lower")
    b = f.block
    y = _var(b, "y", 0, within=pyo.Integers)
    b.c1 = pyo.Constraint(expr=-25 * x + 20 * y <= 30)
    b.c2 = pyo.Constraint(expr=x + 2 * y <= 10)
    b.c3 = pyo.Constraint(expr=2 * x - y <= 15)
    b.c4 = pyo.Constraint(expr=-2 * x - 10 * y <= -15)
    f.set_objective(y)
    m.obj = pyo.Objective(expr=-x - 10 * y)
    return bm


LEADER_PAYOFF = ((2.0, 4.0), (1.0, 3.0))
FOLLOWER_PAYOFF = ((1.0, 0.0), (0.0, 1.0))


def stackelberg_matrix_game(a: tuple = LEADER_PAYOFF, b: tuple = FOLLOWER_PAYOFF) -> BilevelModel:
    """Leader commits to a mixed row strategy p; the follower best-responds with a mixed column strategy q."""
    bm = BilevelModel("stackelberg_matrix_game")
    m = bm.model
    rows, cols = range(len(a)), range(len(a[0]))
    m.p = pyo.Var(rows, bounds=(0, 1))
    m.simplex = pyo.Constraint(expr=sum(m.p[i] for i in rows) == 1)
    f = bm.add_follower("column", sense="max")
    f.block.q = pyo.Var(cols, bounds=(0, 1))
    q = f.block.q
    f.block.simplex = pyo.Constraint(expr=sum(q[j] for j in cols) == 1)
    f.set_objective(sum(m.p[i] * b[i][j] * q[j] for i in rows for j in cols))
    m.obj = pyo.Objective(expr=sum(m.p[i] * a[i][j] * q[j] for i in rows for j in cols), sense=pyo.maximize)
    return bm


BILEVEL_INSTANCES: tuple[BilevelInstance, ...] = (
    BilevelInstance(1, "dempe_2002", "Dempe (2002), Foundations of Bilevel Programming, p. 25", 92 / 15, "global",
                    dempe_2002, solution={"y": 8 / 15, "lower.x": 28 / 15}, follower_values={"lower": -28 / 15}),
    BilevelInstance(2, "bard_511", "Bard (1998) ex. 5.1.1 = Shimizu, Ishizuka, Bard (1997) ex. 16.1.1", -12.0,
                    "global", bard_511, solution={"x": 4, "lower.y": 4}, follower_values={"lower": 4}),
    BilevelInstance(3, "candler_townsley", "Candler and Townsley (1982)", -29.2, "global", candler_townsley,
                    solution={"x[1]": 0, "x[2]": 0.9, "lower.y[2]": 0.6, "lower.y[3]": 0.4},
                    follower_values={"lower": 3.2}),
    BilevelInstance(4, "anandalingam_white", "Anandalingam and White (1990)", -49.0, "global", anandalingam_white,
                    solution={"x": 16, "lower.y": 11}, follower_values={"lower": 17}),
    BilevelInstance(5, "clark_westerberg", "Clark and Westerberg (1990)", -13.0, "global", clark_westerberg,
                    solution={"x": 5, "lower.y[1]": 4, "lower.y[2]": 2}, follower_values={"lower": -4},
                    notes="one collection reports -6 at (6; 4, 6): a local solution"),
    BilevelInstance(6, "bard_1988_ex1", "Bard (1988) example 1 (MacMPEC bard1)", 17.0, "global", bard_1988,
                    solution={"x": 1, "lower.y": 0}, follower_values={"lower": 1},
                    notes="a local solution at (5, 2)"),
    BilevelInstance(7, "shimizu_aiyoshi_ex2", "Shimizu and Aiyoshi (1981) example 2", 225.0, "global",
                    shimizu_aiyoshi, solution={"x[1]": 20, "x[2]": 5, "lower.y[1]": 10, "lower.y[2]": 5},
                    follower_values={"lower": 100}),
    BilevelInstance(8, "henderson_quandt", "Henderson and Quandt (1958), Stackelberg duopoly", -9800 / 3, "global",
                    henderson_quandt, solution={"x": 280 / 3, "lower.y": 80 / 3},
                    follower_values={"lower": -6400 / 9}),
    BilevelInstance(9, "stackelberg_cournot", "Stackelberg leader, two Cournot followers (textbook)", 12.0,
                    "global", stackelberg_cournot, leader_sense="max",
                    solution={"Q": 6, "firm1.q": 2, "firm2.q": 2}, follower_values={"firm1": 4, "firm2": 4},
                    notes="maximizing followers in a Nash game among themselves"),
    BilevelInstance(10, "strategic_bidding", "Fanzeres et al. (2017), strategic bidding; price = follower dual",
                    20000.0, "global", strategic_bidding, leader_sense="max",
                    solution={"q1": 20, "market.g[1]": 20, "market.g[2]": 40, "market.g[3]": 40,
                              "market.g[4]": 0, "market_duals.dual_balance": 1000}),
    BilevelInstance(11, "conejo_investment", "Conejo et al. (2016), generation investment", -190000.0, "global",
                    conejo_investment, solution={"x": 50, "market.y[1]": 50, "market.y[2]": 150,
                                                 "market.y[3]": 0, "market_duals.dual_balance": 15}),
    BilevelInstance(12, "conejo_ex_7_4", "Conejo et al. (2016), example 7.4", 23.0, "global", conejo_74,
                    solution={"x": 1, "lower.y": 6},
                    notes="the bound 0 <= x <= 4 on the leader's variable is a lower-level row"),
    BilevelInstance(13, "chi_2014_soc", "Chi et al. (2014), second-order-cone lower level", 12.0, "global",
                    chi_2014_soc, solution={"x": 6},
                    notes="the 2-d cone |y2| <= y1 with y >= 0 is written as the equivalent linear row y2 <= y1; "
                          "the follower's optimal y is not unique (only y1 - y2 = 2 is)"),
    BilevelInstance(14, "bigm_trap", "big-M trap of spec/bilevel-instances.md (cf. Pineda and Morales 2019)",
                    102.0, "global", bigm_trap,
                    leader_sense="max", solution={"x": 2, "lower.y": 100},
                    notes="with big-M 50 a KKT + big-M model returns 51.5 at (1.5, 50): must not be certified",
                    trap_options={"bigm": 50}),
    BilevelInstance(15, "moore_bard_1990", "Moore and Bard (1990), integer follower", -22.0, "global",
                    moore_bard_integer, solution={"x": 2, "lower.y": 2}, refused=True,
                    notes="KKT is not valid for an integer follower: the layer refuses it"),
    BilevelInstance(16, "stackelberg_matrix_game", "Stackelberg commitment to a mixed strategy",
                    3.5, "global", stackelberg_matrix_game, leader_sense="max",
                    solution={"p[0]": 0.5, "p[1]": 0.5, "column.q[1]": 1}, notes="the Nash equilibrium value is 2"),
)


def bilevel_instance(key: int | str) -> BilevelInstance:
    """Instance by number (1–16) or key."""
    for inst in BILEVEL_INSTANCES:
        if key in (inst.number, inst.key):
            return inst
    raise KeyError(f"no bilevel instance {key!r}; numbers 1-{len(BILEVEL_INSTANCES)} or keys "
                   f"{[i.key for i in BILEVEL_INSTANCES]}")
