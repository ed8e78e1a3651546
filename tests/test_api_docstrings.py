"""scripts/docs/griffe_rst.py: the reST forms of the docstrings become Markdown on the API pages."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("griffe")
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "docs" / "griffe_rst.py"
spec = importlib.util.spec_from_file_location("griffe_rst", SCRIPT)
griffe_rst = importlib.util.module_from_spec(spec)
spec.loader.exec_module(griffe_rst)


def test_roles_literal_blocks_and_doctests() -> None:
    text = ("See :class:`~ftgames.models.FineTuningGame` and :func:`ftgames.solve`.  Table::\n\n"
            "    ``log``       max Σ log(s)\n    ``geo_mean``  max geo_mean(s)\n\nThen\n\n"
            "    >>> 1 + 1  # doctest: +SKIP\n    2\n")
    out = griffe_rst.rewrite(text)
    assert "`FineTuningGame`" in out and "`ftgames.solve`" in out
    assert "Table:\n\n```\nlog       max Σ log(s)\ngeo_mean  max geo_mean(s)\n```" in out
    assert "```pycon\n>>> 1 + 1\n2\n```" in out and "doctest" not in out
