"""Mixed encoding: a per-pair choice among ``sos1``, ``bigm``, ``indicator`` and ``product``.

Options: ``choices`` maps a pair key (``"lower.c1:ub"``), a row or variable name (``"lower.c1"``) or a follower name
(``"lower"``) to an encoding; ``default`` (``"sos1"``) covers the rest.  The most specific match wins.
"""

from __future__ import annotations

from typing import Any

import pyomo.environ as pyo

from ftgames.solvers import Capability

from ..interface import BilevelError
from . import EncodingReport, encoding_module

NAME = "mixed"
EXACT = True
#: its own options, and every option of the encodings it delegates pairs to
OPTIONS: tuple[str, ...] = ("choices", "default", "bigm", "bigm_trusted", "bigm_default", "tighten", "tighten_solver",
                            "dual_bounds", "eps")
PER_PAIR = ("sos1", "bigm", "indicator", "product")


def requires(options: dict[str, Any]) -> set[Capability]:
    return set()  # the union of the chosen encodings' needs is computed by reformulate.encoding_requirements


def choice_for(key: str, choices: dict[str, str], default: str) -> str:
    follower, rest = key.split(".", 1)
    name = rest.rsplit(":", 1)[0]
    for candidate in (key, f"{follower}.{name}", follower):
        if candidate in choices:
            return choices[candidate]
    return default


def add_complementarity(block: Any, pairs: list[Any], options: dict[str, Any]) -> EncodingReport:
    choices = dict(options.get("choices", {}))
    default = options.get("default", "sos1")
    for enc in list(choices.values()) + [default]:
        if enc not in PER_PAIR:
            raise BilevelError(f"mixed: encoding {enc!r} cannot be chosen per pair; valid: {', '.join(PER_PAIR)}")
    groups: dict[str, list[Any]] = {}
    for p in pairs:
        groups.setdefault(choice_for(p.key, choices, default), []).append(p)
    report = EncodingReport(NAME, True)
    for enc in sorted(groups, key=lambda e: e != "bigm"):  # big-M first: its bound LPs skip SOS and products
        sub = pyo.Block()
        block.add_component(enc, sub)
        report.merge(encoding_module(enc).add_complementarity(sub, groups[enc], options))
    report.extras["choices"] = {p.key: enc for enc, ps in groups.items() for p in ps}
    return report
