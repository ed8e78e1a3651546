"""Command line: ftgames solvers | solve | sweep | design | bench (each with --help)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _solvers_table() -> Table:
    from .solvers import BACKENDS, Capability, Layer

    table = Table(title="ftgames solver backends")
    table.add_column("backend")
    table.add_column("layer")
    table.add_column("available")
    for cap in Capability:
        table.add_column(cap.value.replace("_", " "), justify="center")
    table.add_column("optimality")
    for name, backend in BACKENDS.items():
        for layer in Layer:
            if layer not in backend.capabilities:
                continue
            avail = backend.availability(layer)
            caps = backend.capabilities[layer]
            table.add_row(
                name,
                layer.value,
                "yes" if avail.available else escape(f"no: {avail.reason}"),
                *["✓" if c in caps else "·" for c in Capability],
                "global" if backend.global_optimality else "local",
            )
    return table


def capability_markdown() -> str:
    """The backend x capability table as Markdown (the README embeds it; a test keeps the two equal)."""
    from .solvers import BACKENDS, Capability

    header = ["backend", "layer", *[c.value for c in Capability], "optimality"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, backend in BACKENDS.items():
        for layer, caps in backend.capabilities.items():
            marks = ["yes" if c in caps else "no" for c in Capability]
            optimality = "global" if backend.global_optimality else "local"
            lines.append("| " + " | ".join([name, layer.value, *marks, optimality]) + " |")
    return "\n".join(lines)


def cmd_solvers(args: argparse.Namespace) -> int:
    from .solvers import BACKENDS, Layer

    if args.markdown:
        print(capability_markdown())
    elif args.json:
        rows = []
        for name, backend in BACKENDS.items():
            for layer in Layer:
                if layer in backend.capabilities:
                    avail = backend.availability(layer)
                    rows.append({"backend": name, "layer": layer.value, "available": avail.available,
                                 "reason": avail.reason, "global": backend.global_optimality,
                                 "capabilities": sorted(c.value for c in backend.capabilities[layer])})
        print(json.dumps(rows, indent=2))
    else:
        Console(width=200).print(_solvers_table())
    return 0


def cmd_solve(args: argparse.Namespace) -> int:
    from .games import front_end, solve_file
    from .io.gamefile import load_game_file
    from .io.json_output import dumps

    game_file = load_game_file(args.file)
    fe = front_end(game_file)
    report = solve_file(game_file, formulation=args.formulation, solver=args.solver, from_command_line=True)
    if args.json:
        print(dumps(report))
    else:
        Console(width=160).print(fe.render(report))
    if args.plot:
        fe.plot(game_file, report, args.plot)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from importlib.metadata import PackageNotFoundError, version

    parser = argparse.ArgumentParser(prog="ftgames", description=__doc__)
    try:
        installed = version("ftgames")
    except PackageNotFoundError:  # run from a source tree that is not installed
        installed = "unknown (not installed)"
    parser.add_argument("--version", action="version", version=f"ftgames {installed}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("solvers", help="list solver backends, their capabilities and availability")
    p.add_argument("--json", action="store_true")
    p.add_argument("--markdown", action="store_true", help="the capability table as Markdown")
    p.set_defaults(func=cmd_solvers)

    p = sub.add_parser("solve", help="solve a game file")
    p.add_argument("file", help="game file (TOML): fine_tuning, safety_regulation or openness_regulation")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--formulation", help="override [solve] formulation: kind[:encoding], e.g. kkt:sos1, conic, "
                   "enumeration (the error for a wrong one lists what the game accepts)")
    p.add_argument("--solver", help="override [solve] solver")
    p.add_argument("--plot", metavar="FILE.png", help="draw the game's figure(s)")
    p.set_defaults(func=cmd_solve)

    for extra in _EXTRA_COMMANDS:
        extra(sub)
    return parser


def _register_sweep(sub: Any) -> None:
    try:
        from .sweep.cli import register
    except ImportError:
        return
    register(sub)


def _register_design(sub: Any) -> None:
    try:
        from .design.cli import register
    except ImportError:
        return
    register(sub)


def _register_bench(sub: Any) -> None:
    try:
        from .bench.cli import register
    except ImportError:
        return
    register(sub)


_EXTRA_COMMANDS = [_register_sweep, _register_design, _register_bench]


class _CurrentStderr(logging.StreamHandler):
    """A log handler that writes to whatever ``sys.stderr`` is when a record comes (a caller may replace it)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def _modelling_logs_to_stderr() -> None:
    """Pyomo's log handler writes to standard output: one of its warnings (e.g. "Loading a SolverResults object
    with an 'aborted' status" after a time limit) would come before the JSON of ``--json``.  The command line's
    standard output is for results only, so Pyomo's handler is swapped for one on standard error (same format and
    filter)."""
    import pyomo.common.log

    logger = logging.getLogger("pyomo")
    if any(isinstance(h, _CurrentStderr) for h in logger.handlers):
        return
    original = pyomo.common.log.pyomo_handler
    handler = _CurrentStderr()
    handler.setFormatter(original.formatter)
    for f in original.filters:
        handler.addFilter(f)
    logger.removeHandler(original)
    logger.addHandler(handler)


def main(argv: list[str] | None = None) -> int:
    from .errors import FtgamesError

    args = build_parser().parse_args(argv)
    _modelling_logs_to_stderr()
    try:
        return args.func(args)
    except (FtgamesError, ValueError) as exc:
        print(f"ftgames: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader left (`ftgames solve ... | head`): stop quietly, as Python's docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when stdout is flushed
        return 1
    except OSError as exc:  # a path the library did not check itself: name it
        path = exc.filename if exc.filename is not None else getattr(args, "file", None)
        print(f"ftgames: error: {path}: {exc.strerror or exc}" if path else f"ftgames: error: {exc}",
              file=sys.stderr)
        return 2
    except ArithmeticError as exc:  # overflow from numbers so extreme that no model check caught them
        source = getattr(args, "file", None)
        print(f"ftgames: error: {source + ': ' if source else ''}numbers too extreme to compute with "
              f"({type(exc).__name__}: {exc}); keep costs and revenues within moderate ratios", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
