"""The regulator's design problem: choose the rules (regulation keys within bounds) that maximize or minimize a
quantity of the game's equilibrium, given that G and the specialists respond (and possibly bargain).

Two formulations (docs/regulation-design.md): ``exact`` — coarse grid of exact equilibria from the game's batched
solver, refined by nested grids around the best cells; ``program`` — the regulator as leader over G's and D's KKT
conditions, one program per follower regime, solved by SCIP, whose optimum is a proved bound.  The answer is
certified global when the exact search attains the program's bound.
"""

from .expression import DesignError, Expression
from .problem import DesignProblem, Variable, build_problem, parse_variable
from .solve import SCHEMA, design, solve_design

__all__ = ["DesignError", "Expression", "DesignProblem", "Variable", "build_problem", "parse_variable", "design",
           "solve_design", "SCHEMA"]
