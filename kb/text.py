"""One spelling for stored text, so that a difference in text is a difference in meaning.

Browsers send textarea text with CRLF line endings, while text from the demo files,
imports and scripts has LF; some editors leave spaces at the ends of lines. None of that
changes what a reader sees, but compared character by character it makes every section of
a draft saved in the desk look rewritten: in the comparison a reviewer approves, and in the
public "Section last updated" dates. Every write of a section body (and of a revision's
summary and change note) goes through ``normalise_markdown``; the comparison and the
public change log compare through it too, so text stored before this rule still compares
equal to its twin.

The rule keeps the Markdown meaning (CommonMark):

* ``\\r\\n`` and a lone ``\\r`` become ``\\n``;
* spaces and tabs at the end of a line are removed, except a hard line break: two or more
  trailing spaces before a line that is not blank are kept, as exactly two spaces. (They
  are not turned into a backslash break: inside a code block a backslash is literal text.)
  Trailing spaces before a blank line or at the end of the text end a block, where
  CommonMark ignores them;
* lines holding only spaces or tabs become empty (both are blank lines), and blank lines
  at the start and end of the text are dropped. The indentation of the first line is kept:
  four spaces there start a code block.

Only trailing spaces inside a fenced code block are invisible content that this drops.
"""

from __future__ import annotations

import re

_LINE_BREAK_RE = re.compile(r"\r\n?")
_HARD_BREAK = "  "


def normalise_markdown(*, text: str) -> str:
    """``text`` with LF line endings and no trailing white space (see the module docstring)."""
    lines = _LINE_BREAK_RE.sub("\n", text).split("\n")
    kept: list[str] = []
    for number, line in enumerate(lines):
        trimmed = line.rstrip(" \t")
        following = lines[number + 1].strip(" \t") if number + 1 < len(lines) else ""
        if trimmed and following and line.endswith(_HARD_BREAK):
            trimmed += _HARD_BREAK
        kept.append(trimmed)
    return "\n".join(kept).strip("\n")
