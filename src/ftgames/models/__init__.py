"""Game specifications: validated, immutable parameters, cost and revenue families, outcome records (numpy only)."""

from .costs import LinearRevenue, ModelError, PolynomialCost, PowerRevenue
from .fine_tuning import FineTuningGame, FollowerResponse, Generalist, Specialist
from .outcomes import BargainingOutcome, Certificate, Equilibrium, Regime

__all__ = [
    "LinearRevenue", "ModelError", "PolynomialCost", "PowerRevenue", "FineTuningGame", "FollowerResponse",
    "Generalist", "Specialist", "BargainingOutcome", "Certificate", "Equilibrium", "Regime",
]
