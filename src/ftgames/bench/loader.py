"""Finding and loading suite files: ``benchmarks/<name>.py`` defining ``SUITE = Suite(...)``."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import InputError
from .case import BenchOptions, Suite

ENV_BENCHMARKS = "FTGAMES_BENCHMARKS"


class SuiteNotFound(InputError):
    """No suite of that name in the benchmarks folder."""


def suites_dir(explicit: str | Path | None = None) -> Path:
    """``explicit``, else ``$FTGAMES_BENCHMARKS``, else ``./benchmarks``, else the repository's ``benchmarks/``."""
    candidates = [explicit, os.environ.get(ENV_BENCHMARKS), Path.cwd() / "benchmarks",
                  Path(__file__).resolve().parents[3] / "benchmarks"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir() and available_suites(Path(candidate)):
            return Path(candidate)
    if explicit:
        raise SuiteNotFound(f"{explicit}: not a folder of benchmark suites")
    raise SuiteNotFound("no benchmarks folder found: pass --suites-dir or set FTGAMES_BENCHMARKS")


def available_suites(folder: Path) -> list[str]:
    """Names of the files in ``folder`` that define a suite (``SUITE = Suite(``), sorted."""
    names = []
    for path in sorted(folder.glob("*.py")):
        if not path.name.startswith("_") and "SUITE = Suite(" in path.read_text():
            names.append(path.stem)
    return names


def suite_path(name: str, folder: Path) -> Path:
    path = folder / f"{name}.py"
    if name not in available_suites(folder):
        raise SuiteNotFound(f"suite {name!r} not found in {folder}; available: {', '.join(available_suites(folder))}")
    return path


def load_suite(path: str | Path) -> Suite:
    """Import the suite file (once per process) and return its ``SUITE``."""
    path = Path(path).resolve()
    module_name = f"ftgames_benchmarks_{path.stem}"
    module = sys.modules.get(module_name)
    if module is None or getattr(module, "__file__", None) != str(path):
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise SuiteNotFound(f"{path}: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    suite = getattr(module, "SUITE", None)
    if not isinstance(suite, Suite):
        raise SuiteNotFound(f"{path}: defines no SUITE = Suite(...)")
    return suite


class _SizeProbe(BenchOptions):
    """Options whose :meth:`sizes` records what the suite declares at each scale and yields no size: enumerating
    a suite with it is cheap (no instance of any declared size is built)."""

    def sizes(self, small, full):  # type: ignore[no-untyped-def]
        small, full = list(small), list(full)
        self.__dict__.setdefault("declared", []).append((small, full))
        return []


def suite_summary(path: str | Path) -> dict[str, Any]:
    """Name, description, sizes at each scale and expected minutes (if declared) of a suite, for ``--list``.

    The description is the suite's own (else the module docstring's first line); the expected run time is
    ``Suite.expected_minutes`` or a module-level ``EXPECTED_MINUTES``. Sizes are those the suite declares through
    ``options.sizes(small=..., full=...)``; a suite that declares none reports the sizes of its small-scale cases
    (``"per_instance": True``)."""
    suite = load_suite(path)
    module = sys.modules[f"ftgames_benchmarks_{Path(path).resolve().stem}"]
    doc = (module.__doc__ or "").strip().splitlines()
    description = suite.description or (doc[0] if doc else "")
    minutes = suite.expected_minutes if suite.expected_minutes is not None else getattr(module, "EXPECTED_MINUTES",
                                                                                        None)
    probe = _SizeProbe()
    per_instance = False
    fixed: set[int] = set()  # sizes of cases not declared by scale (the same at every scale)
    try:
        fixed = {i.size for i in suite.cases(probe) if i.size is not None}
    except Exception:  # noqa: BLE001 - a suite that cannot enumerate is still listed
        pass
    declared = probe.__dict__.get("declared", [])
    small = sorted(fixed | {s for d in declared for s in d[0]})
    full = sorted(fixed | {s for d in declared for s in d[1]})
    if not declared:
        per_instance = True
        try:
            small = full = sorted({i.size for i in suite.cases(BenchOptions()) if i.size is not None})
        except Exception:  # noqa: BLE001 - a suite that cannot enumerate is still listed
            small = full = []
    return {"name": suite.name, "description": description, "small": small, "full": full,
            "per_instance": per_instance, "expected_minutes": minutes}
