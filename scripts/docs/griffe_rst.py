"""A Griffe extension for the API reference (mkdocs.yml loads it): the docstrings of ``ftgames`` are written in a
reStructuredText flavour for ``help()`` and plain-text readers; the site renders them as Markdown.  Before
mkdocstrings renders a docstring, this rewrites the three reST forms used in ``src/`` into their Markdown equivalent:

* cross-reference roles ``:class:`~a.b.C``` / ``:func:`a.b.f``` → inline code (`` `C` `` / `` `a.b.f` ``);
* a literal block introduced by ``text::`` and indented below it → ``text:`` followed by a fenced block (an
  inline literal ````x```` inside it, which only marks code for ``help()``, becomes ``x``);
* doctest lines (``>>>`` / ``...`` and the output under them) → a fenced ``pycon`` block, without doctest flags.

Only the rendered text changes; the source keeps its docstrings.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const|term):`(~?)([^`]+)`")
DOCTEST_FLAG = re.compile(r"\s*#\s*doctest:.*$")
INLINE_LITERAL = re.compile(r"``([^`]+)``")


def _role(match: re.Match[str]) -> str:
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def rewrite(text: str) -> str:
    """The Markdown form of one docstring (see the module docstring)."""
    text = ROLE.sub(_role, text)
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(">>>"):  # a doctest: its lines, then output lines up to a blank line
            base = _indent(line)
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(DOCTEST_FLAG.sub("", lines[i][base:] if _indent(lines[i]) >= base else lines[i]))
                i += 1
            out += ["", "```pycon", *block, "```", ""]
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            # reST literal block: "text::" keeps one colon ("::" alone disappears), the indented lines below are code
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                j += 1
            if j < len(lines) and _indent(lines[j]) > _indent(line):
                base = _indent(lines[j])
                head = line.rstrip()[:-1]
                if head.strip() != ":":
                    out.append(head)
                block = []
                k = j
                while k < len(lines) and (not lines[k].strip() or _indent(lines[k]) >= base):
                    block.append(INLINE_LITERAL.sub(r"\1", lines[k][base:]))  # ``x`` marks code in help() only
                    k += 1
                while block and not block[-1].strip():
                    block.pop()
                out += ["", "```", *block, "```", ""]
                i = k
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


class ReSTToMarkdown(griffe.Extension):
    """Rewrite each docstring once, when Griffe creates the object."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
