"""What the reformulation layer needs from a bilevel model: :class:`BilevelError` and two structural protocols.

``analysis``, ``kkt``, ``encodings`` and ``reformulate`` are written against :class:`FollowerSpec` and
:class:`BilevelSpec` instead of the concrete classes of :mod:`.model`, so that the dependency points one way:
``model`` (whose :meth:`~.model.BilevelModel.reformulate` calls :func:`.reformulate.reformulate`) imports the
reformulation, and the reformulation never imports ``model``.  :class:`~.model.Follower` and
:class:`~.model.BilevelModel` satisfy the protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ...errors import InputError


class BilevelError(InputError):
    """The bilevel model is malformed or cannot be reformulated soundly."""


class FollowerSpec(Protocol):
    """A lower-level problem: its name, sense (``"min"``/``"max"``), block, objective, variables and rows."""

    name: str
    sense: str
    block: Any
    assume_convex: bool
    dual_vars: dict[str, Any]  # constraint name (relative to block) -> user dual Var

    @property
    def objective(self) -> Any: ...

    def variables(self) -> list[Any]: ...

    def rows(self) -> list[Any]: ...


class BilevelSpec(Protocol):
    """A leader problem on ``model`` with its followers; ``validate`` raises :class:`BilevelError` if malformed."""

    name: str
    model: Any

    @property
    def followers(self) -> Sequence[FollowerSpec]: ...

    def validate(self) -> None: ...


__all__ = ["BilevelError", "FollowerSpec", "BilevelSpec"]
