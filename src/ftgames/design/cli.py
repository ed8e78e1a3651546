"""``ftgames design GAME.toml --vary KEY=LO:HI ... --maximize EXPR [--subject-to EXPR] [--bargaining RULE]``."""

from __future__ import annotations

import argparse
from typing import Any


def render(report: dict[str, Any]) -> Any:
    from rich.table import Table

    cert = report["certificate"]
    table = Table(title=f"design: {report['sense']} {report['objective']}"
                        + (f" subject to {' and '.join(report['constraints'])}" if report["constraints"] else "")
                        + f"  [{report['game']}, bargaining {report['bargaining']}]")
    table.add_column("quantity")
    table.add_column("value")
    if report["rule"] is not None:
        for key, value in report["rule"].items():
            table.add_row(key, f"{value:.9g}" if isinstance(value, float) else str(value))
        table.add_row(report["objective"], f"{report['value']:.9g}")
        out = report["outcome"]
        for key in ("U_G", "U_D", "safety", "welfare", "omega", "delta", "label"):
            if key in out and out[key] is not None and key != report["objective"]:
                table.add_row(key, f"{out[key]:.9g}" if isinstance(out[key], float) else str(out[key]))
        if report.get("boundary"):
            for what in ("regime", "constraint"):
                table.add_row(f"on a {what} boundary", "yes" if report["boundary"][f"on_{what}_boundary"] else "no")
    table.add_row("status", report["status"])
    table.add_row("certificate", cert["level"])
    for reason in cert["reasons"]:
        table.add_row("", reason)
    program = report["formulations"].get("program")
    if program is not None:
        table.add_row("program bound", "—" if program["bound"] is None else f"{program['bound']:.9g}"
                      + ("" if program["proved"] else " (not proved)"))
        if not program["applicable"]:
            table.add_row("", f"program not applicable: {program['reason']}")
    table.add_row("equilibria solved", str(report["equilibria_solved"]))
    table.add_row("time", f"{report['timing']['total_s']:.2f} s")
    return table


def cmd_design(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ..io.json_output import dumps
    from .expression import DesignError
    from .solve import design

    forms = tuple(f.strip() for f in args.formulation.split(",")) if args.formulation else ("exact", "program")
    if args.grid is not None and not 3 <= args.grid <= 100_001:
        raise DesignError(f"--grid: values per variable must be an integer in [3, 100001], got {args.grid}")
    if args.time_limit is not None and not 0 < args.time_limit <= 86_400:
        raise DesignError(f"--time-limit: seconds must be in (0, 86400], got {args.time_limit}")
    report = design(args.file, args.vary, maximize=args.maximize, minimize=args.minimize,
                    subject_to=args.subject_to, bargaining=args.bargaining, formulations=forms, grid=args.grid,
                    solver=args.solver, time_limit=args.time_limit, explored=args.json or bool(args.plot))
    if args.plot:
        from .plot import plot_design

        plot_design(report, args.plot)
    if args.json:
        print(dumps(report))
    else:
        Console(width=160).print(render(report))
    return 0


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("design", help="the regulator's problem: the best rule given the players' responses",
                              description="Choose regulation keys within bounds to maximize or minimize a quantity "
                                          "of the game's equilibrium (subgame-perfect at fixed δ, or after a "
                                          "bargaining solution), subject to constraints.")
    p.add_argument("file", help="game file (TOML): safety_regulation or openness_regulation")
    p.add_argument("--vary", action="append", required=True, metavar="KEY=LO:HI",
                   help="a decision variable: regulation key with bounds LO:HI (LO:HI:N sets its coarse grid), "
                        "or discrete values V1,V2,... (true,false for a switch); repeat for several")
    goal = p.add_mutually_exclusive_group(required=True)
    goal.add_argument("--maximize", metavar="EXPR", help="objective: safety, welfare, U_G, U_D, total, openness, "
                      "... or an expression of them, e.g. 'U_G + 2*U_D'")
    goal.add_argument("--minimize", metavar="EXPR", help="objective to minimize")
    p.add_argument("--subject-to", action="append", default=[], metavar="EXPR",
                   help="a constraint, e.g. 'U_G >= 0.2' or 'not backfiring'; repeat for several")
    p.add_argument("--bargaining", metavar="RULE", help="δ by a bargaining solution (nash, utilitarian, "
                   "egalitarian, ...) instead of the file's; 'fixed' for the file's δ")
    p.add_argument("--formulation", help="exact, program or exact,program (default: both)")
    p.add_argument("--grid", type=int, help="coarse grid values per continuous variable (default: by problem size)")
    p.add_argument("--solver", help="backend of the program formulation (default policy: SCIP)")
    p.add_argument("--time-limit", type=float, help="seconds per program of the program formulation (default 120)")
    p.add_argument("--json", action="store_true", help="print the design report as JSON")
    p.add_argument("--plot", metavar="FILE.png", help="draw the objective on the explored box, the optimum marked")
    p.set_defaults(func=cmd_design)
