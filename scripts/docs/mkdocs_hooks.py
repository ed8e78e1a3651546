"""MkDocs hooks (mkdocs.yml ``hooks:``): the site carries every repository file that a page links to.

The pages live in ``docs/`` but some cite files elsewhere in the repository (for example
``../benchmarks/results/report.md``).  MkDocs only publishes ``docs/``, so such a link would be broken on the site.
For each relative link from a page to an existing file of the repository outside ``docs/``, this adds the file to the
site under ``repository/<its path in the repository>`` (a Markdown file becomes a page outside the navigation) and
points the link there.  A link to a missing file is left alone, so ``mkdocs build --strict`` still fails on it.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files, InclusionLevel

LINK = re.compile(r"(\]\()(?P<target>[^)\s#]+)(?P<anchor>#[^)\s]*)?(?P<title>\s+\"[^\"]*\")?\)")
PREFIX = "repository"
_moved: dict[str, dict[str, str]] = {}  # page src_uri -> {link target as written: site path of the copied file}


def _outside_targets(page_uri: str, text: str, docs_dir: Path, root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for match in LINK.finditer(text):
        target = match["target"]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("/"):
            continue  # a URL (http:, mailto:, ...) or an absolute path: not a repository file
        path = (docs_dir / posixpath.dirname(page_uri) / target).resolve()
        if path.is_file() and root in path.parents and docs_dir not in path.parents:
            found[target] = path
    return found


def on_files(files: Files, config: Any) -> Files:
    docs_dir = Path(config["docs_dir"]).resolve()
    root = Path(config["config_file_path"]).resolve().parent
    _moved.clear()
    added: set[str] = set()
    for file in list(files.documentation_pages()):
        targets = _outside_targets(file.src_uri, file.content_string, docs_dir, root)
        for target, path in targets.items():
            uri = f"{PREFIX}/{path.relative_to(root).as_posix()}"
            _moved.setdefault(file.src_uri, {})[target] = uri
            if uri not in added:
                added.add(uri)
                files.append(File.generated(config, uri, abs_src_path=str(path),
                                            inclusion=InclusionLevel.NOT_IN_NAV))
    return files


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    moved = _moved.get(page.file.src_uri)
    if not moved:
        return markdown

    def repoint(match: re.Match[str]) -> str:
        uri = moved.get(match["target"])
        if uri is None:
            return match[0]
        rel = posixpath.relpath(uri, posixpath.dirname(page.file.src_uri) or ".")
        return f"]({rel}{match['anchor'] or ''}{match['title'] or ''})"

    return LINK.sub(repoint, markdown)
