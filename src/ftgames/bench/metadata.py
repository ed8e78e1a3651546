"""What a benchmark run was made with: package versions, the machine, the command line and the date."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from typing import Any

#: ftgames and every backend library of the suites (gurobipy recorded only when installed).
PACKAGES = ("ftgames", "highspy", "pyscipopt", "cyipopt", "clarabel", "scs", "cvxpy", "pyomo", "numpy")
OPTIONAL_PACKAGES = ("gurobipy",)
#: Other names under which a package is distributed (the first installed one is recorded).
DISTRIBUTIONS = {"cyipopt": ("cyipopt", "cyipopt-wheels"), "highspy": ("highspy", "highspy-wheels")}


def package_versions() -> dict[str, str | None]:
    """Installed version of each package (None when it is not installed)."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES + OPTIONAL_PACKAGES:
        for distribution in DISTRIBUTIONS.get(name, (name,)):
            try:
                versions[name] = importlib_metadata.version(distribution)
                break
            except importlib_metadata.PackageNotFoundError:
                continue
        else:
            if name not in OPTIONAL_PACKAGES:
                versions[name] = None
    return versions


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_bytes() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):
        return None


def machine() -> dict[str, Any]:
    """CPU model, logical cores, total memory (bytes), operating system and Python."""
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "memory_bytes": _memory_bytes(),
            "platform": platform.platform(), "python": platform.python_version()}


def run_metadata(command: str | None = None) -> dict[str, Any]:
    """The ``metadata`` of ``results.json``: versions, machine, command line and the date (UTC, ISO 8601)."""
    return {"command": command if command is not None else " ".join(sys.argv),
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "versions": package_versions(), "machine": machine()}
