"""Every ```python block of README.md and docs/*.md runs as a test (blocks of one page share a namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def _pages_with_code() -> list[Path]:
    return [p for p in PAGES if p.exists() and BLOCK.search(p.read_text())]


@pytest.mark.parametrize("page", _pages_with_code(), ids=lambda p: p.name)
def test_page_examples_run(page: Path, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": f"docs_{page.stem}", "TMP": tmp_path}
    for number, code in enumerate(BLOCK.findall(page.read_text()), start=1):
        try:
            exec(compile(code, f"{page.name}[block {number}]", "exec"), namespace)
        except Exception as exc:  # name the block that failed
            raise AssertionError(f"{page.name}, python block {number} failed: {exc!r}") from exc
