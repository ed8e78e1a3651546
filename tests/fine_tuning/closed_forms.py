"""Independent closed forms of the one-domain quadratic game (spec §3–§4), written from the formulas, not the code."""

from __future__ import annotations

import numpy as np


def u_g(delta: float, c0: float, c1: float, r: float = 1.0) -> float:
    return r * r * (delta ** 2 / (4 * c0) + delta * (1 - delta) / (2 * c1))


def u_d(delta: float, c0: float, c1: float, r: float = 1.0) -> float:
    return r * r * (delta * (1 - delta) / (2 * c0) + (1 - delta) ** 2 / (4 * c1))


def pareto_interval(c0: float, c1: float) -> tuple[float, float]:
    high = 1.0 if c1 >= c0 else c0 / (2 * c0 - c1)
    low = 0.0 if c1 <= c0 else (c1 - c0) / (2 * c1 - c0)
    return low, high


def _roots_in(coeffs: list[float], low: float, high: float) -> list[float]:
    roots = np.roots(coeffs)
    return [float(x.real) for x in roots if abs(x.imag) < 1e-9 and low - 1e-9 <= x.real <= high + 1e-9]


def utilitarian(c0: float, c1: float) -> float:
    return c1 / (c0 + c1)


def nash(c0: float, c1: float) -> float:
    low, high = pareto_interval(c0, c1)
    cubic = [4 * c0 ** 2 - 10 * c0 * c1 + 4 * c1 ** 2, -(9 * c0 ** 2 - 15 * c0 * c1 + 3 * c1 ** 2),
             6 * c0 ** 2 - 5 * c0 * c1, -c0 ** 2]
    candidates = _roots_in(cubic, low, high)
    return max(candidates, key=lambda d: np.log(u_g(d, c0, c1)) + np.log(u_d(d, c0, c1)))


def _quadratic_of(f) -> list[float]:
    """Coefficients of a quadratic polynomial f by interpolation at 0, 1/2, 1."""
    xs = np.array([0.0, 0.5, 1.0])
    return list(np.polyfit(xs, [f(x) for x in xs], 2))


def egalitarian(c0: float, c1: float) -> float:
    low, high = pareto_interval(c0, c1)
    roots = _roots_in(_quadratic_of(lambda d: u_g(d, c0, c1) - u_d(d, c0, c1)), low, high)
    return roots[0]


def kalai_smorodinsky(c0: float, c1: float) -> float:
    low, high = pareto_interval(c0, c1)
    ideal_g, ideal_d = u_g(high, c0, c1), u_d(low, c0, c1)
    roots = _roots_in(_quadratic_of(lambda d: u_g(d, c0, c1) / ideal_g - u_d(d, c0, c1) / ideal_d), low, high)
    return roots[0]


CLOSED_FORMS = {"utilitarian": utilitarian, "nash": nash, "egalitarian": egalitarian,
                "kalai_smorodinsky": kalai_smorodinsky}
