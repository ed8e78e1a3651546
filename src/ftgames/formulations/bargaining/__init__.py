"""Bargaining over the revenue shares δ, formulated as programs (CVXPY conic, Pyomo single-level, sampled frontier),
the integrated first-best benchmark, the Pareto set of δ, and the classic solutions over a given utility set."""

from .first_best import FirstBest, efficiency_ratio, first_best
from .frontier import equilibrium_table, nondominated
from .pareto import Membership, ParetoComponent, ParetoSet, pareto_set
from .solutions import ALIASES, FORMULATIONS, SOLUTIONS, bargain, canonical, exact_equilibrium
from .utility_sets import SET_SOLUTIONS, UtilityPoint, bargaining_point

__all__ = ["FirstBest", "efficiency_ratio", "first_best", "equilibrium_table", "nondominated", "pareto_set",
           "ParetoSet", "ParetoComponent", "Membership", "ALIASES", "FORMULATIONS", "SOLUTIONS", "bargain",
           "canonical", "exact_equilibrium", "SET_SOLUTIONS", "UtilityPoint", "bargaining_point"]
