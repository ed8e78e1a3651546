"""Leader–follower (bilevel) programs on Pyomo, reformulated through the followers' KKT conditions.

Write the leader on ``bm.model``, each follower on its own block, then solve and read the certificate::

    import pyomo.environ as pyo
    from ftgames.formulations.bilevel import BilevelModel, solve_bilevel

    bm = BilevelModel("bard_511")
    m = bm.model                                   # leader variables, rows and objective live here
    m.x = pyo.Var(bounds=(0, None))
    f = bm.add_follower("lower", sense="min")      # or "max"; f.block is a pyo.Block on m
    f.block.y = pyo.Var(bounds=(0, None))
    f.block.c1 = pyo.Constraint(expr=-m.x - f.block.y <= -3)   # follower rows may use leader variables
    f.set_objective(f.block.y)
    m.obj = pyo.Objective(expr=m.x - 4 * f.block.y)            # the leader's objective
    lam = f.dual(f.block.c1)       # leader-visible multiplier: d(follower optimum)/d(rhs of c1)
    single = bm.reformulate(encoding="bigm", bigm=100)         # inspect: single.pprint(), single.write("a.lp")
    res = solve_bilevel(bm, encoding="sos1", solver="scip")
    res.certificate.label          # "certified_global" | "certified_local" | "uncertified"

Several followers play a Nash game among themselves (their KKT systems are stacked).  Encodings
(``encodings/``): ``sos1``, ``bigm``, ``indicator``, ``product``, ``strong_duality``, ``enumeration``, ``mixed``.
Refused with :class:`BilevelError`: integer follower variables, a follower that is not convex (quadratic Hessians are
checked; a general nonlinear follower needs ``add_follower(..., assume_convex=True)``).
"""

from .certificate import CERTIFIED_GLOBAL, CERTIFIED_LOCAL, UNCERTIFIED, Certificate, FollowerCheck
from .encodings import ENCODINGS, BigMValue, EncodingReport
from .model import BilevelError, BilevelModel, Follower
from .reformulate import Reformulation, reformulate
from .solve import BilevelResult, NotCertified, solve_bilevel

__all__ = [
    "BilevelModel", "Follower", "BilevelError", "solve_bilevel", "BilevelResult", "NotCertified", "reformulate",
    "Reformulation", "Certificate", "FollowerCheck", "CERTIFIED_GLOBAL", "CERTIFIED_LOCAL", "UNCERTIFIED",
    "ENCODINGS", "EncodingReport", "BigMValue",
]
