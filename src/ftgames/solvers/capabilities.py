"""What a program needs and what a backend can do, as data (like CVXPY's ``SUPPORTED_CONSTRAINTS``)."""

from __future__ import annotations

from enum import StrEnum


class Capability(StrEnum):
    """Problem classes and constraint types a formulation can require."""

    LP = "lp"
    MILP = "milp"
    CONVEX_QP = "convex_qp"
    MIQP = "miqp"
    SOS1 = "sos1"
    INDICATOR = "indicator"
    NONCONVEX_QUADRATIC = "nonconvex_quadratic"
    EXP_CONE = "exp_cone"
    SOC = "soc"
    NLP = "nlp"


class Layer(StrEnum):
    """The modelling layer a program is written in."""

    PYOMO = "pyomo"
    CVXPY = "cvxpy"


def layer_of(program: object) -> Layer:
    """Return the modelling layer of a Pyomo model or a CVXPY problem."""
    module = type(program).__module__
    if module.startswith("pyomo"):
        return Layer.PYOMO
    if module.startswith("cvxpy"):
        return Layer.CVXPY
    raise TypeError(f"program must be a Pyomo model or a CVXPY problem, got {type(program).__name__}")
