"""Executable documentation: the code blocks of README.md and docs/*.md run, and what a page shows is what they print.

Conventions (a page that breaks one fails here, naming the page and line of the block):

* Every ```python block runs, in page order; the blocks of one page share a namespace (``TMP`` is a fresh temporary
  folder).  A block is checked in one of two ways:
    - an ```output block right after it (only blank lines between) is what the block prints to stdout, or
    - the block prints nothing and asserts what it computes (an ``assert`` statement).
  A block with neither fails, and so does a block that prints without an output block: what a reader sees when
  running a block is on the page, and checked.
* Every ```bash block runs as one ``bash -euo pipefail`` script in a scratch folder that links the repository's
  top-level files and folders (``examples/``, ``.venv/`` ...) but not ``docs/``, so ``--out`` and ``--plot`` write
  nowhere that matters; ``ftgames`` and ``python`` are the venv's.  It must exit with status 0, and an ```output
  block right after it is compared with what it prints.
* Opting out: an HTML comment ``<!-- docs-test: skip (REASON) -->`` on the line before a fence skips that block; the
  reason is required (for example "about 150,000 equilibria", "installs packages").  Use it for expensive commands
  (sweeps of thousands of points, benchmarks, figures that rewrite committed files), not to hide failures.
* Comparing an output block: trailing blank lines and trailing spaces are ignored, runs of spaces count as one space
  and runs of a box-drawing line character (``━``, ``─``) as one, so a table whose columns change width by a digit
  still matches.  A line ``...`` alone stands for any number of lines (zero included).  Numbers are compared as
  numbers: an integer exactly, a decimal within one unit of its last shown digit, or 1e-6 relative, or 1e-8
  absolute, whichever is largest.  So print rounded values (``round(x, 6)``) and show them as printed.
Other fences (```text, ```toml, plain ```) are not run.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import functools
import io
import math
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
RUN = ("python", "bash")
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[^\n]*\n(?P<code>.*?)^```[ \t]*$", re.S | re.M)
SKIP = re.compile(r"^<!--\s*docs-test:\s*skip\s*(?P<reason>.*?)\s*-->$")
BASH_TIMEOUT = 120  # seconds per block


@dataclass
class Block:
    page: Path
    line: int  # of the opening fence
    lang: str
    code: str
    expected: str | None  # the ```output block right after it
    skip: str | None  # the reason of a docs-test: skip marker

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The ```python and ```bash blocks of a page with their output blocks and markers."""
    text = page.read_text()
    fences = list(FENCE.finditer(text))
    found = []
    for k, fence in enumerate(fences):
        if fence["lang"] not in RUN:
            continue
        expected = None
        if k + 1 < len(fences) and fences[k + 1]["lang"] == "output":
            if not text[fence.end():fences[k + 1].start()].strip():
                expected = fences[k + 1]["code"]
        before = text[:fence.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        marker = SKIP.match(before)
        skip = None
        if marker:
            skip = marker["reason"].strip("() ")
            assert skip, f"{page.name}:{text[:fence.start()].count(chr(10)) + 1}: a skip marker needs a reason"
        found.append(Block(page, text[:fence.start()].count("\n") + 1, fence["lang"], fence["code"], expected, skip))
    return found


# --- comparing what a block printed with what its page shows ---------------------------------------------------

NUMBER = re.compile(r"([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)")
BOX_RUN = re.compile(r"([━─═])\1+")


def _normalise(text: str) -> list[str]:
    lines = [BOX_RUN.sub(r"\1", re.sub(r"[ \t]+", " ", line.rstrip())) for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return lines


def _number_matches(actual: str, expected: str) -> bool:
    if not re.search(r"[.eE]", expected):  # an integer: exactly
        return re.search(r"[.eE]", actual) is None and int(actual) == int(expected)
    a, e = float(actual), float(expected)
    mantissa = re.split(r"[eE]", expected)[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(re.split(r"[eE]", expected)[1]) if re.search(r"[eE]", expected) else 0
    last_digit = 10.0 ** (exponent - decimals)
    return math.isclose(a, e, rel_tol=1e-6, abs_tol=max(last_digit, 1e-8))


def line_matches(actual: str, expected: str) -> bool:
    a_parts, e_parts = NUMBER.split(actual), NUMBER.split(expected)
    if len(a_parts) != len(e_parts):
        return False
    for i, (a, e) in enumerate(zip(a_parts, e_parts, strict=True)):
        if i % 2 == 0:  # text between numbers
            if a != e:
                return False
        elif not _number_matches(a, e):
            return False
    return True


def output_matches(actual: str, expected: str) -> bool:
    """Whether ``actual`` (what a block printed) is what the page shows (see the module docstring)."""
    got, want = _normalise(actual), _normalise(expected)

    @functools.cache
    def match(i: int, j: int) -> bool:  # got[i:] against want[j:]
        if j == len(want):
            return i == len(got)
        if want[j] == "...":
            return any(match(k, j + 1) for k in range(i, len(got) + 1))
        return i < len(got) and line_matches(got[i], want[j]) and match(i + 1, j + 1)

    return match(0, 0)


def _check_output(block: Block, actual: str) -> None:
    if block.expected is not None and not output_matches(actual, block.expected):
        diff = "\n".join(difflib.unified_diff(block.expected.splitlines(), actual.splitlines(),
                                              "shown on the page", "printed", lineterm=""))
        raise AssertionError(f"{block.where}: the {block.lang} block printed something else than its output "
                             f"block shows:\n{diff}")


# --- running blocks ------------------------------------------------------------------------------------------------

def _run_python(block: Block, namespace: dict) -> None:
    tree = ast.parse(block.code)
    checks = block.expected is not None or any(isinstance(node, ast.Assert) for node in ast.walk(tree))
    if not checks:
        raise AssertionError(f"{block.where}: a python block with neither an ```output block nor an assert "
                             "(its results are not checked)")
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(block.code, block.where, "exec"), namespace)
    except Exception as exc:
        raise AssertionError(f"{block.where}: the python block failed: {exc!r}\nit printed:\n{out.getvalue()}") \
            from exc
    if block.expected is None and out.getvalue().strip():
        raise AssertionError(f"{block.where}: the python block prints but the page shows no ```output block after "
                             f"it; it printed:\n{out.getvalue()}")
    _check_output(block, out.getvalue())


def _scratch(tmp: Path) -> Path:
    work = tmp / "cwd"
    work.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in {"docs", ".git", "out", "site", "bench-out"}:
            (work / entry.name).symlink_to(entry)
    (work / "docs").mkdir()
    return work


def _run_bash(block: Block, cwd: Path) -> None:
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
           "MPLBACKEND": "Agg", "COLUMNS": "200"}
    env.pop("FTGAMES_SOLVER", None)
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", block.code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=BASH_TIMEOUT, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise AssertionError(f"{block.where}: the bash block exited with status {proc.returncode}\n"
                             f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}")
    _check_output(block, proc.stdout)


def _pages() -> list[Path]:
    return [p for p in PAGES if p.exists() and any(b.lang == "python" for b in blocks(p))]


def _bash_blocks() -> list[Block]:
    return [b for p in PAGES if p.exists() for b in blocks(p) if b.lang == "bash"]


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_page_python(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every python block of the page runs, in order and in one namespace, and prints what the page shows."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.delenv("FTGAMES_SOLVER", raising=False)
    namespace: dict = {"__name__": f"docs_{page.stem.replace('-', '_')}", "TMP": tmp_path}
    for block in blocks(page):
        if block.lang == "python" and not block.skip:
            _run_python(block, namespace)


@pytest.mark.parametrize("block", _bash_blocks(), ids=lambda b: f"{b.page.name}:{b.line}")
def test_bash_block(block: Block, tmp_path: Path) -> None:
    """A bash block exits with status 0 and prints what the page shows (one test each: they are independent)."""
    if block.skip:
        pytest.skip(f"{block.where}: {block.skip}")
    _run_bash(block, _scratch(tmp_path))


# --- the harness itself ---------------------------------------------------------------------------------------------

def test_output_comparison() -> None:
    assert output_matches("0.6228390306 global\n", "0.622839 global")  # within the last shown digit
    assert not output_matches("0.6238 global\n", "0.622839 global")
    assert not output_matches("0.622839 local\n", "0.622839 global")  # text must match
    assert output_matches("3 players\n", "3 players") and not output_matches("4 players", "3 players")
    assert not output_matches("3.0 players", "3 players")  # an integer shown is an integer printed
    assert output_matches("1.0e-09\n", "0.0")  # 1e-8 absolute: solver noise at zero
    assert output_matches("a\nb\nc\nd\n", "a\n...\nd") and output_matches("a\nd\n", "a\n...\nd")
    assert not output_matches("a\nb\n", "a\n...\nd")
    assert not output_matches("a\nb\nextra\n", "a\nb")  # nothing left over
    assert output_matches("│ x │    1.5 │\n┏━━━━━┓", "│ x │ 1.5 │\n┏━━┓")  # column widths do not matter


def test_blocks_are_found_and_checked(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nprint(1 + 1)\n```\n\n```output\n3\n```\n\n"
                    "<!-- docs-test: skip (too slow) -->\n```bash\nsleep 1000\n```\n\n```python\nx = 1\n```\n")
    found = blocks(page)
    assert [(b.lang, b.expected, b.skip) for b in found] == [("python", "3\n", None), ("bash", None, "too slow"),
                                                            ("python", None, None)]
    found = [Block(page, b.line, b.lang, b.code, b.expected, b.skip) for b in found]
    for block in found:
        block.page = ROOT / "docs" / "page.md"  # `where` is relative to the repository
    with pytest.raises(AssertionError, match="printed something else"):
        _run_python(found[0], {})
    with pytest.raises(AssertionError, match="neither an ```output block nor an assert"):
        _run_python(found[2], {})
