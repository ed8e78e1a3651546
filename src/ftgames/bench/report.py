"""Benchmark outputs: CSV and JSON of every row, a Markdown report ("time if correct, else the error")."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

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


def level(row: dict[str, Any]) -> str:
    """The row's certificate level (global / local / none); rows written before the one certificate vocabulary
    (a ``certified`` column with global / local / no) still read."""
    value = row.get("certificate", row.get("certified"))
    return "none" if value in (None, "no") else str(value)


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
    """One table per suite and instance: rows = sizes, columns = formulation/backend; then numbers and skips."""
    lines = [f"# {title}", "",
             "Cells: median total time (build + solve) when the result is correct; ✗ and the relative error or the "
             "status otherwise. (local): a local optimum, nothing proved; † no reference value to check against; "
             "– not run (reason below).", ""]
    by_suite: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_suite[row["suite"]].append(row)
    for suite, suite_rows in by_suite.items():
        lines += [f"## {suite}", ""]
        by_instance: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in suite_rows:
            if row["status"] != "skipped" or row["size"] is not None:
                by_instance[row["instance"]].append(row)
        single = {i: rs for i, rs in by_instance.items() if len({r["size"] for r in rs}) == 1}
        if len(single) > 1:  # instances of one size each: one table, one row per instance
            columns = sorted({(r["formulation"], r["backend"]) for rs in single.values() for r in rs})
            lines += ["### instances", "", "| instance (size) | " + " | ".join(f"{f} / {b}" for f, b in columns)
                      + " |", "|---|" + "---|" * len(columns)]
            for instance, inst_rows in single.items():
                index = {(r["formulation"], r["backend"]): r for r in inst_rows}
                cells = [cell(index[c]) if c in index else "" for c in columns]
                lines.append(f"| {instance} ({inst_rows[0]['size']}) | " + " | ".join(cells) + " |")
            lines.append("")
        for instance, inst_rows in by_instance.items():
            if len(single) > 1 and instance in single:
                continue
            columns = sorted({(r["formulation"], r["backend"]) for r in inst_rows})
            sizes = sorted({r["size"] for r in inst_rows if r["size"] is not None})
            lines += [f"### {instance}", "", "| size | " + " | ".join(f"{f} / {b}" for f, b in columns) + " |",
                      "|---:|" + "---|" * len(columns)]
            index = {(r["size"], r["formulation"], r["backend"]): r for r in inst_rows}
            for size in sizes:
                cells = [cell(index[(size, f, b)]) if (size, f, b) in index else "" for f, b in columns]
                lines.append(f"| {size} | " + " | ".join(cells) + " |")
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
