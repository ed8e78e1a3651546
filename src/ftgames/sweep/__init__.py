"""Parameter sweeps: grids over any numeric game-file key, run in chunks on a local pool or a Dask cluster.

>>> from ftgames.sweep import run_sweep                                   # doctest: +SKIP
>>> result = run_sweep("game.toml", ["regulation.theta_D=0:2.5:501"], out="sweep-out")
>>> result.frame()   # one row per grid point
"""

from .executors import EXECUTORS, DaskExecutor, LocalExecutor, SerialExecutor, TaskFailure, make_executor, run_tasks
from .grid import Constraint, Grid
from .params import ParameterAxis, SweepError, get_dotted, parse_axis
from .runner import SweepResult, run_sweep
from .storage import ChunkStore, load_results

__all__ = [
    "EXECUTORS", "DaskExecutor", "LocalExecutor", "SerialExecutor", "TaskFailure", "make_executor", "run_tasks",
    "Constraint", "Grid", "ParameterAxis", "SweepError", "get_dotted", "parse_axis", "SweepResult", "run_sweep",
    "ChunkStore", "load_results",
]
