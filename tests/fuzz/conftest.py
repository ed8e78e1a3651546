"""Counts of the fuzz battery: every test records ``fuzz:<what>`` properties (games compared); the controller (also
under ``-n``: xdist forwards user properties) adds them up and prints one line per kind at the end of the run."""

from __future__ import annotations

from collections import Counter

COUNTS: Counter[str] = Counter()


def pytest_runtest_logreport(report) -> None:
    if report.when == "call":
        for name, value in report.user_properties:
            if name.startswith("fuzz:"):
                COUNTS[name[5:]] += int(value)


def pytest_terminal_summary(terminalreporter) -> None:
    if COUNTS:
        terminalreporter.section("fuzz battery: games compared")
        for name in sorted(COUNTS):
            terminalreporter.line(f"{name:<44} {COUNTS[name]:>6}")
