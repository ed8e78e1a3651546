"""Benchmark outputs: CSV and JSON of every row, a Markdown report ("time if correct, else the error")."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from .profiles import level, summary_markdown
from .runner import COLUMNS

#: A formulation passes this many seconds at the size reported in "size past 10 s".
SLOW_SECONDS = 10.0


def write_tables(rows: list[dict[str, Any]], out: Path, metadata: dict[str, Any] | None = None) -> tuple[Path, Path]:
    """``results.csv`` and ``results.json`` = ``{"metadata": ..., "rows": [...]}`` (metadata: versions, machine,
    command line and date, see :func:`ftgames.bench.metadata.run_metadata`; computed here when not given)."""
    from .metadata import run_metadata

    out.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    csv, js = out / "results.csv", out / "results.json"
    frame.to_csv(csv, index=False)
    document = {"metadata": run_metadata() if metadata is None else metadata,
                "rows": [{k: _plain(r.get(k)) for k in COLUMNS} for r in rows]}
    js.write_text(json.dumps(document, indent=1))
    return csv, js


def read_results(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The rows and metadata of a ``results.json``; files written before the metadata (a bare list of rows) still
    read, with metadata None."""
    data = json.loads(Path(path).read_text())
    if isinstance(data, list):
        return data, None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise ValueError(f"{path}: not a results.json of ftgames bench (expected a list of rows or "
                         "{'metadata': ..., 'rows': [...]})")
    return data["rows"], data.get("metadata")


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def cell(row: dict[str, Any]) -> str:
    """Median total time when the run is correct; otherwise what went wrong (error, status or reason)."""
    status = row["status"]
    if status == "skipped":
        return "–"
    if status == "not_applicable":
        return "n/a"
    ok = status in ("optimal", "locally_optimal")
    tag = {"global": "", "local": " (local)"}.get(level(row), " (uncertified)")
    if ok and row["correct"] is not False:
        mark = "" if row["correct"] else " †"
        return f"{_seconds(row['total_time'])}{tag}{mark}"
    if ok:
        return f"✗ error {row['error']:.1e}{tag}" if row["error"] is not None else f"✗ no objective{tag}"
    return "✗ failed" if status == "error" else f"✗ {status}"


def _seconds(t: float | None) -> str:
    if t is None:
        return "?"
    return f"{t * 1e3:.2g} ms" if t < 0.1 else f"{t:.3g} s"


def markdown(rows: list[dict[str, Any]], title: str = "Benchmark results") -> str:
    """Per suite: the compact summary and performance profile (:mod:`.profiles`), the long table (one line per
    instance, size and formulation / backend that ran), the suite's other summaries, then what did not run."""
    lines = [f"# {title}", "",
             "Result: median total time (build + solve, wall clock) when the result is correct; ✗ and the relative "
             "error or the status otherwise. (local): a local optimum, nothing proved; † no reference value to check "
             "against. Gap, dual bound, nodes and iterations: as the backend reports them (blank: not reported).", ""]
    by_suite: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_suite[row["suite"]].append(row)
    for suite, suite_rows in by_suite.items():
        lines += [f"## {suite}", "", *summary_markdown(suite_rows)]
        ran = sorted((r for r in suite_rows if r["status"] not in ("skipped", "not_applicable")),
                     key=lambda r: (r["instance"], r["size"] or 0, r["formulation"], r["backend"]))
        if ran:
            lines += ["| instance | size | formulation / backend | result | certificate | gap | dual bound | nodes "
                      "| iterations |", "|---|---:|---|---|---|---:|---:|---:|---:|"]
            for r in ran:
                lines.append(f"| {r['instance']} | {'' if r['size'] is None else r['size']} | {r['formulation']} / "
                             f"{r['backend']} | {cell(r)} | {level(r)} | {_number(r.get('gap'))} | "
                             f"{_number(r.get('dual_bound'))} | {_number(r.get('nodes'))} | "
                             f"{_number(r.get('iterations'))} |")
            lines.append("")
        lines += summary(suite_rows)
        skips = [r for r in suite_rows if r["status"] in ("skipped", "error", "not_applicable")]
        if skips:
            lines += ["**Not run, not applicable or failed** (n/a: the backend or formulation refuses the instance):",
                      ""]
            grouped: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
            for r in skips:
                where = r["instance"] + (f" (size {r['size']})" if r["size"] is not None else "")
                message = (r["message"] or "").replace(f"'{r['instance']}:", "'<instance>:")
                grouped[(r["formulation"], r["backend"], r["status"], message)].append(where)
            for (f, b, status, message), places in grouped.items():
                shown = ", ".join(places[:6]) + (f" and {len(places) - 6} more" if len(places) > 6 else "")
                lines.append(f"- {f} · {b}: {status}: {message.splitlines()[0][:300] if message else ''} — {shown}")
            lines.append("")
    return "\n".join(lines)


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{value:.0f}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:.4g}"


def summary(rows: list[dict[str, Any]]) -> list[str]:
    """Ratio to the closed form, size past 10 s, and the fastest certified (formulation, backend) per instance."""
    done = [r for r in rows if r["status"] in ("optimal", "locally_optimal") and r["correct"] is not False]
    out: list[str] = []
    base = {(r["instance"], r["size"]): r for r in done if r.get("baseline")}
    ratios: dict[tuple[str, str], list[float]] = defaultdict(list)
    names: set[str] = set()
    for r in done:
        ref = base.get((r["instance"], r["size"]))
        if ref is not None and r is not ref and ref["total_time"]:
            ratios[(r["formulation"], r["backend"])].append(r["total_time"] / ref["total_time"])
            names.add(ref["formulation"])
    if ratios:
        label = " / ".join(sorted(names))
        out += [f"| formulation / backend | median time ÷ {label} (same games) | runs |", "|---|---:|---:|"]
        for (f, b), values in sorted(ratios.items()):
            out.append(f"| {f} / {b} | {pd.Series(values).median():.3g} | {len(values)} |")
        out.append("")
    rebuild = {(r["instance"], r["size"], r["backend"]): r["total_time"] for r in done if r["formulation"] == "rebuild"}
    speedups = [(r["instance"], r["size"], r["backend"], rebuild[key] / r["total_time"])
                for r in done if r["formulation"] == "persistent"
                and (key := (r["instance"], r["size"], r["backend"])) in rebuild and r["total_time"]]
    if speedups:
        out += ["| instance | re-solves | backend | rebuild time ÷ persistent time |", "|---|---:|---|---:|"]
        out += [f"| {i} | {n} | {b} | {x:.3g} |" for i, n, b, x in sorted(speedups)]
        out.append("")
    slow: dict[tuple[str, str, str], int] = {}
    for r in rows:
        if r["size"] is None:
            continue
        key = (r["instance"], r["formulation"], r["backend"])
        over = r["status"] == "time_limit" or (r["total_time"] or 0.0) > SLOW_SECONDS
        if over and (key not in slow or r["size"] < slow[key]):
            slow[key] = r["size"]
    if slow:
        out += [f"| instance | formulation / backend | size at which it first exceeds {SLOW_SECONDS:g} s or its "
                "time limit |", "|---|---|---:|"]
        out += [f"| {i} | {f} / {b} | {s} |" for (i, f, b), s in sorted(slow.items())]
        out.append("")
    best: dict[str, dict[str, Any]] = {}  # per instance, at its largest size with a certified correct run
    for r in done:
        if level(r) == "global" and r["correct"]:
            cur = best.get(r["instance"])
            if cur is None or (r["size"], -r["total_time"]) > (cur["size"], -cur["total_time"]):
                best[r["instance"]] = r
    if best:
        out += ["| instance | largest size solved | fastest certified correct (formulation / backend) | time |",
                "|---|---:|---|---:|"]
        out += [f"| {i} | {r['size']} | {r['formulation']} / {r['backend']} | {_seconds(r['total_time'])} |"
                for i, r in sorted(best.items())]
        out.append("")
    return out


def write_report(rows: list[dict[str, Any]], out: Path, title: str = "Benchmark results",
                 command: str | None = None) -> Path:
    text = markdown(rows, title)
    if command:
        text = text.replace("\n\n", f"\n\nReproduce with `{command}`.\n\n", 1)
    path = out / "report.md"
    path.write_text(text)
    return path
