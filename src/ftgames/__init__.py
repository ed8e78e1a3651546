"""ftgames: formal optimization models for the economics of general-purpose AI.

A generalist G builds a model, domain specialists D_i fine-tune it, they bargain over revenue shares δ (δ_i is G's
share of domain i) and regulators set rules.  Every game stage is an explicit Pyomo or CVXPY program that can be
inspected, extended, embedded and solved with any backend, and every answer carries a certificate.

Three layers, bottom to top of what you compose yourself:

``ftgames.models``        game specifications: validated, immutable parameters and outcome records (numpy only)
``ftgames.formulations``  each stage as an explicit program: closed form, KKT + complementarity encoding,
                          enumeration, bargaining programs, and the general leader–follower (bilevel) layer
``ftgames.solvers``       one module per backend, capabilities as data, one result type (:class:`SolveResult`)

Above them: game files and their front ends (``solve_file``; the contracts every game keeps are in
``docs/contracts.md``), figures, parameter sweeps, benchmarks and the ``ftgames`` command.
Every deliberate error derives from :class:`FtgamesError` (``ftgames.errors``).

Where to start::

    from ftgames import FineTuningGame, bargain, solve_equilibrium, solve_file

    game = FineTuningGame.quadratic(c0=1.0, costs=[2.0])
    eq = solve_equilibrium(game, delta=[0.5])            # formulation="kkt:sos1", solver="scip", ... to swap
    nash = bargain(game, "nash")
    report = solve_file("examples/one_specialist.toml")  # a game file → the JSON report of ``ftgames solve``

Your own leader–follower problems: :class:`BilevelModel` and :func:`solve_bilevel`; a Pyomo/CVXPY model of your own
on any backend: :func:`solve` with :class:`SolveConfig`.  ``import ftgames`` is light: the names above are imported
from their modules on first use (so Pyomo and CVXPY load only when needed).
"""

import typing as _typing
from importlib import import_module as _import_module
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError, version as _version

try:
    __version__: str = _version("ftgames")
except _PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

# public name -> the module that defines it (imported on first attribute access, PEP 562)
_EXPORTS: dict[str, str] = {
    "FineTuningGame": "ftgames.models.fine_tuning",
    "SafetyGame": "ftgames.models.safety",
    "OpennessGame": "ftgames.models.openness",
    "solve_equilibrium": "ftgames.formulations.equilibrium",
    "bargain": "ftgames.formulations.bargaining",
    "BilevelModel": "ftgames.formulations.bilevel",
    "solve_bilevel": "ftgames.formulations.bilevel",
    "SolveConfig": "ftgames.solvers",
    "solve": "ftgames.solvers",
    "FtgamesError": "ftgames.errors",
    "solve_file": "ftgames.games",
}

__all__ = [
    "__version__", "FineTuningGame", "SafetyGame", "OpennessGame", "solve_equilibrium", "bargain", "BilevelModel",
    "solve_bilevel", "SolveConfig", "solve", "FtgamesError", "solve_file",
]

if _typing.TYPE_CHECKING:  # for type checkers and IDEs only; at run time the names come from __getattr__
    from ftgames.errors import FtgamesError
    from ftgames.formulations.bargaining import bargain
    from ftgames.formulations.bilevel import BilevelModel, solve_bilevel
    from ftgames.formulations.equilibrium import solve_equilibrium
    from ftgames.games import solve_file
    from ftgames.models.fine_tuning import FineTuningGame
    from ftgames.models.openness import OpennessGame
    from ftgames.models.safety import SafetyGame
    from ftgames.solvers import SolveConfig, solve


def __getattr__(name: str) -> _typing.Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
