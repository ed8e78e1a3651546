"""The package entry: `import ftgames` is light, its names resolve, every library exception is an FtgamesError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import ftgames
from ftgames.errors import FtgamesError


def test_import_is_light():
    code = ("import sys, ftgames; heavy = sorted(m for m in ('pyomo', 'cvxpy') if m in sys.modules); "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"import ftgames imported {out}"


def test_public_names_resolve():
    assert isinstance(ftgames.__version__, str) and ftgames.__version__
    for name in ftgames.__all__:
        assert getattr(ftgames, name) is not None, name
    assert set(ftgames.__all__) <= set(dir(ftgames))
    assert ftgames.FtgamesError is FtgamesError


def test_unknown_attribute():
    try:
        ftgames.no_such_name  # noqa: B018
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:
        raise AssertionError("ftgames.no_such_name did not raise AttributeError")


def all_modules() -> list[str]:
    failed: list[str] = []
    names = [m.name for m in pkgutil.walk_packages(ftgames.__path__, "ftgames.", onerror=failed.append)]
    assert not failed, f"packages that failed to import: {failed}"
    return names


def test_every_exception_is_an_ftgames_error():
    offenders = []
    for name in all_modules():
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (issubclass(obj, BaseException) and obj.__module__.split(".")[0] == "ftgames"
                    and not issubclass(obj, FtgamesError)):
                offenders.append(f"{obj.__module__}.{obj.__qualname__}")
    assert not offenders, f"exceptions not derived from ftgames.errors.FtgamesError: {sorted(set(offenders))}"
