"""Parsers for reference-manager exports: RIS, BibTeX, MEDLINE/PubMed and CSL-JSON.

Each module has ``parse(text) -> ParseResult``; ``parse_file`` picks the right one. They are
pure Python (no Django) so the import view can preview a file before anything is saved, and
so they can be tested without a database.
"""

from __future__ import annotations

from collections.abc import Callable

from kb.importers import bibtex, csljson, medline, ris
from kb.importers.base import (
    DecodedUpload,
    ParsedRecord,
    ParseResult,
    RecordError,
    UnreadableFile,
    decode_upload,
)
from kb.importers.detect import detect_format

PARSERS: dict[str, Callable[[str], ParseResult]] = {
    "ris": ris.parse,
    "bibtex": bibtex.parse,
    "medline": medline.parse,
    "csljson": csljson.parse,
}
"""Format name (as returned by ``detect_format``) -> parser."""


def parse_file(filename: str, text: str) -> tuple[str, ParseResult]:
    """Detect the format of an uploaded file and parse it; returns (format, result).

    Raises ``UnreadableFile`` if the format cannot be recognised or the file cannot be read.
    """
    file_format = detect_format(filename, text)
    return file_format, PARSERS[file_format](text)


__all__ = [
    "PARSERS",
    "DecodedUpload",
    "ParseResult",
    "ParsedRecord",
    "RecordError",
    "UnreadableFile",
    "decode_upload",
    "detect_format",
    "parse_file",
]
