"""Combine the ``results.json`` of several ``ftgames bench`` output folders into one ``report.md``, and redraw each
suite's plots (time against size, performance profile) in the suite's folder.

    python -m ftgames.bench.combine benchmarks/results
"""

from __future__ import annotations

import sys
from pathlib import Path

from .plots import plot_profiles, plot_time_vs_size
from .report import markdown, read_results


def combine(folder: Path) -> Path:
    """Rows of every ``<folder>/*/results.json`` → ``<folder>/report.md`` (one section per suite)."""
    rows = []
    for path in sorted(folder.glob("*/results.json")):
        suite_rows = read_results(path)[0]  # old files: a bare list of rows
        if not suite_rows or "suite" not in suite_rows[0]:  # another script's results (bigm_vs_pao): not a suite
            continue
        plot_time_vs_size(suite_rows, path.parent)  # each suite's plots beside its results, in today's style
        plot_profiles(suite_rows, path.parent)
        rows += suite_rows
    if not rows:
        raise FileNotFoundError(f"{folder}: no */results.json")
    out = folder / "report.md"
    out.write_text(markdown(rows, "Benchmark results (all suites)"))
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ftgames.bench.combine FOLDER", file=sys.stderr)
        return 2
    print(combine(Path(args[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
