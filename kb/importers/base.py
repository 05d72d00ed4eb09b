"""Shared result types and helpers for the reference-file parsers.

Why a common shape: the import view shows one preview table whatever the file format, lists
the records it could not read with their position in the file, and imports the rest. So every
parser returns a ``ParseResult`` of ``ParsedRecord`` (good) and ``RecordError`` (bad, but the
file as a whole was readable), and raises ``UnreadableFile`` only when nothing in the input can
be used at all.
"""

from __future__ import annotations

import codecs
import datetime
import re
from dataclasses import dataclass, field

from kb.refdata import ReferenceData, parse_author_name


class UnreadableFile(Exception):
    """The input cannot be read at all: empty, binary, not this format, or invalid JSON.

    The message is written for the editor who uploaded the file.
    """


@dataclass
class ParsedRecord:
    """One record that parsed well enough to import.

    ``position`` is the 1-based number of the record in the file (so the preview can say
    "record 3"); ``key`` is the source's own citation key, e.g. the BibTeX key, if it has one.
    """

    position: int
    data: ReferenceData
    key: str = ""


@dataclass
class RecordError:
    """One record that could not be used, and why; the other records still import."""

    position: int
    message: str


@dataclass
class ParseResult:
    """Everything a parser got out of one file."""

    records: list[ParsedRecord] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)


# --- input checks --------------------------------------------------------------------------


@dataclass
class DecodedUpload:
    """An uploaded file as text, the encoding it was read in, and what the editor should know."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


_UNDECODABLE_RE = re.compile("[\udc80-\udcff]")
_NON_ASCII_RE = re.compile("[^\x00-\x7f]")
_POSITIONS_SHOWN = 5


def decode_upload(data: bytes) -> DecodedUpload:
    """Decode an uploaded file to text, saying what was not clean UTF-8 and where.

    UTF-8 (with or without BOM) is what current reference managers write; older EndNote and
    Reference Manager exports are Windows-1252. A UTF-8 file with a stray byte stays UTF-8:
    reading all of it as Windows-1252 would garble every accent ("Café" -> "CafÃ©"), so the
    bad bytes become "\ufffd" and the note gives their lines. Only a file in which most
    non-ASCII bytes are not UTF-8 is read as Windows-1252, and the note says so. Binary files
    (a PDF or Word document picked by mistake) are refused instead of being parsed as garbage.
    """
    if not data or not data.strip():
        raise UnreadableFile("The file is empty.")
    if b"\x00" in data[:4096]:
        raise UnreadableFile("This looks like a binary file, not a text reference export.")
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    text = data[bom:].decode("utf-8", errors="surrogateescape")
    bad = [match.start() for match in _UNDECODABLE_RE.finditer(text)]
    if not bad:
        return DecodedUpload(text, "UTF-8")
    if len(_NON_ASCII_RE.findall(text)) - len(bad) < len(bad):
        return DecodedUpload(
            data.decode("cp1252", errors="replace"),
            "Windows-1252",
            [
                "The file is not UTF-8, so it was read as Windows-1252 (older EndNote and "
                "Reference Manager exports). Check that accented letters look right."
            ],
        )
    places = [
        f"line {text.count(chr(10), 0, at) + 1} (byte offset "
        f"{bom + len(text[:at].encode('utf-8', errors='surrogateescape'))})"
        for at in bad[:_POSITIONS_SHOWN]
    ]
    more = f" and {len(bad) - _POSITIONS_SHOWN} more" if len(bad) > _POSITIONS_SHOWN else ""
    count = "1 byte that is" if len(bad) == 1 else f"{len(bad)} bytes that are"
    note = (
        f"The file is UTF-8 but has {count} not valid UTF-8, shown as “\ufffd”: "
        f"{', '.join(places)}{more}. Check the records there."
    )
    return DecodedUpload(_UNDECODABLE_RE.sub("\ufffd", text), "UTF-8", [note])


def check_text(text: str, format_name: str) -> str:
    """Return ``text`` without BOM and with Unix newlines, or raise ``UnreadableFile``.

    Every parser calls this first so empty and binary input get the same message everywhere.
    """
    if text is None or not text.strip():
        raise UnreadableFile(f"The {format_name} file is empty.")
    text = text.lstrip("\ufeff")
    sample = text[:4096]
    if "\x00" in sample or sample.count("\ufffd") > max(10, len(sample) // 20):
        raise UnreadableFile(
            f"This does not look like a {format_name} file: it contains binary data."
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- value helpers -------------------------------------------------------------------------


def clean(value: object) -> str:
    """Collapse whitespace (including line breaks inside wrapped fields) to single spaces."""
    if value is None:
        return ""
    return " ".join(str(value).split())


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}


def parse_month(value: object) -> int | None:
    """Month number from "8", "08", "Aug", "August" or "aug."; None if not a month."""
    text = clean(value).lower().rstrip(".")
    if not text:
        return None
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTHS.get(text)


def parse_day(value: object) -> int | None:
    """Day of month from "24" or "07"; None if not a plausible day."""
    text = clean(value)
    if text.isdigit() and 1 <= int(text) <= 31:
        return int(text)
    return None


def parse_year(value: object) -> int | None:
    """The first plausible four-digit year in ``value`` ("2004", "2004///", "c2004")."""
    match = re.search(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)", clean(value))
    return int(match.group(1)) if match else None


def make_date(year: int | None, month: int | None, day: int | None) -> datetime.date | None:
    """A ``date`` when all three parts are known and valid, else None (e.g. accessed dates)."""
    if not (year and month and day):
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_iso_like_date(value: object) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) from "2004/08/24", "2004-08-24", "2004/08//" or "2004 Aug 24"."""
    text = clean(value)
    if not text:
        return None, None, None
    parts = [p for p in re.split(r"[/\-\s,.]+", text) if p]
    year = parse_year(parts[0]) if parts else None
    if year is None:
        year = parse_year(text)
        return year, None, None
    month = parse_month(parts[1]) if len(parts) > 1 else None
    day = parse_day(parts[2]) if len(parts) > 2 and month else None
    return year, month, day


def normalise_pages(value: object) -> str:
    """Pages with any kind of dash turned into a hyphen and spaces around it removed."""
    text = clean(value)
    return re.sub(r"\s*(?:--|[\u2010-\u2015\u2212-])\s*", "-", text)


def join_pages(start: object, end: object) -> str:
    """Join RIS start and end pages into "721-723"; a range already in the start page is kept."""
    first, last = normalise_pages(start), normalise_pages(end)
    if first and last and "-" not in first and last != first:
        return f"{first}-{last}"
    return first or last


_ORG_WORDS = frozenset(
    {
        "academy",
        "agency",
        "association",
        "board",
        "centre",
        "center",
        "college",
        "collaboration",
        "collaborative",
        "collaborators",
        "commission",
        "committee",
        "consortium",
        "contributors",
        "council",
        "department",
        "developers",
        "federation",
        "foundation",
        "group",
        "institute",
        "investigators",
        "ministry",
        "network",
        "office",
        "organisation",
        "organization",
        "programme",
        "program",
        "service",
        "society",
        "team",
        "university",
    }
)
_ORG_CONNECTIVES = frozenset({"of", "for", "and", "the", "on", "&"})


def looks_like_organisation(raw: str) -> bool:
    """Guess whether a name in a file without structured names is an organisation.

    RIS and similar formats have one free-text author field. A trailing comma with nothing
    after it is the RIS convention for a corporate author; otherwise a leading lower-case
    "the" (a given name may be "The": Vietnamese "Thế" in ASCII), words such as
    "Organization", "Committee" or "contributors", or connectives ("of", "for") that never
    occur in personal names, give it away.
    """
    text = clean(raw)
    if not text:
        return False
    if text.endswith(",") and text.count(",") == 1:
        return True
    if "," in text:
        return False
    if text.startswith("the "):  # "the scikit-image contributors"; not "The Anh Nguyen"
        return True
    words = [w.strip(".()").lower() for w in text.split()]
    return bool(_ORG_WORDS.intersection(words) or _ORG_CONNECTIVES.intersection(words[1:]))


def person_or_organisation(raw: str) -> dict | None:
    """An author dict from a free-text name: a person, an organisation, or None if empty."""
    text = clean(raw)
    if not text:
        return None
    if looks_like_organisation(text):
        return {"literal": text.rstrip(",").strip()}
    name = parse_author_name(text)
    return name if name["family"] else None


def guess_kind(data: ReferenceData) -> str:
    """A kind for generic records (RIS GEN, BibTeX @misc): journal if it has a journal."""
    if data.container_title and (data.volume or data.issue or data.pages):
        return "journal"
    if data.url and not data.publisher:
        return "webpage"
    if data.container_title:
        return "journal"
    return "book"


def validate(data: ReferenceData) -> str:
    """The reason a parsed record cannot be imported, or "" if it can.

    A title is the one thing every Vancouver reference needs; everything else may be filled
    in by an editor later.
    """
    if not data.title:
        return "The record has no title" + _hint(data) + "."
    return ""


def _hint(data: ReferenceData) -> str:
    """Text such as " (Jansen, 1991)" to help find a faulty record in the file; may be ""."""
    bits = []
    if data.authors:
        first = data.authors[0]
        bits.append(first.get("family") or first.get("literal") or "")
    if data.year:
        bits.append(str(data.year))
    if data.doi:
        bits.append(f"doi:{data.doi}")
    bits = [b for b in bits if b]
    return f" ({', '.join(bits)})" if bits else ""
