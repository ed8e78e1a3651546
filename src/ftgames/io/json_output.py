"""JSON output that any JSON reader accepts: numpy values as plain numbers, non-finite numbers as ``null``."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """``value`` with numpy arrays and scalars turned into Python ones and NaN/±inf into None (JSON has neither)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(report: Any) -> str:
    """Strict JSON text of ``report`` (indented)."""
    return json.dumps(plain(report), indent=2, allow_nan=False)
