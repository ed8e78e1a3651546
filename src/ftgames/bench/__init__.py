"""Benchmark suites: formulations × backends × sizes, timed with repeats and a hard time limit per run.

>>> from ftgames.bench import BenchOptions, run_suite                   # doctest: +SKIP
>>> rows = run_suite("benchmarks/fine_tuning.py", BenchOptions(scale="small", repeats=1))
"""

from .case import BenchOptions, Case, RunOutcome, Skip, Suite
from .helpers import discover, timed
from .loader import available_suites, load_suite, suites_dir
from .plots import plot_profiles, plot_time_vs_size
from .report import markdown, write_report, write_tables
from .runner import COLUMNS, measure, run_suite

__all__ = ["BenchOptions", "Case", "RunOutcome", "Skip", "Suite", "discover", "timed", "available_suites",
           "load_suite", "suites_dir", "plot_time_vs_size", "plot_profiles", "markdown", "write_report",
           "write_tables", "COLUMNS", "measure", "run_suite"]
