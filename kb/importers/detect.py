"""Work out which reference format an uploaded file is in.

Why content first: people rename files, PubMed saves MEDLINE as ``.txt``, and Zotero's CSL
export may be ``.json`` or ``.csljson``. Each format has an unmistakable opening, so the file
extension is only used to break a tie when the content fits more than one format (e.g. a
BibTeX abstract quoting a RIS line).
"""

from __future__ import annotations

import os
import re

from kb.importers.base import UnreadableFile

FORMATS: tuple[str, ...] = ("ris", "bibtex", "medline", "csljson")

_EXTENSIONS: dict[str, str] = {
    ".ris": "ris",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".nbib": "medline",
    ".medline": "medline",
    ".txt": "medline",  # PubMed's "Save > PubMed format" default
    ".json": "csljson",
    ".csljson": "csljson",
}

_SIGNATURES: dict[str, re.Pattern[str]] = {
    "ris": re.compile(r"^TY {1,2}- ?\S", re.MULTILINE),
    "medline": re.compile(r"^PMID- ?\d", re.MULTILINE),
    "bibtex": re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE),
}


def detect_format(filename: str, text: str) -> str:
    """Return "ris", "bibtex", "medline" or "csljson" for an uploaded file.

    Raises ``UnreadableFile`` when the content matches none of them (whatever the extension),
    so a PDF or Word file renamed to ``.ris`` is refused up front with a clear message.
    """
    if text is None or not text.strip():
        raise UnreadableFile("The file is empty.")
    body = text.lstrip("\ufeff")
    if "\x00" in body[:4096]:
        raise UnreadableFile("This looks like a binary file, not a text reference export.")

    positions: dict[str, int] = {}
    stripped = body.lstrip()
    if stripped[:1] in ("[", "{"):
        positions["csljson"] = 0
    for name, pattern in _SIGNATURES.items():
        match = pattern.search(body)
        if match:
            positions[name] = match.start()

    if not positions:
        raise UnreadableFile(
            "The file is not in a format we can import. Export your references as RIS, "
            "BibTeX, PubMed/MEDLINE (.nbib) or CSL-JSON."
        )
    if len(positions) == 1:
        return next(iter(positions))
    by_extension = _EXTENSIONS.get(os.path.splitext(filename or "")[1].lower())
    if by_extension in positions:
        return by_extension
    # No help from the name: the format whose signature appears first wins.
    return min(positions, key=lambda name: positions[name])
