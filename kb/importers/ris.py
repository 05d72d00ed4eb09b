"""RIS import (EndNote, Zotero, Mendeley, Ovid, most publisher "download citation" links).

rispy does the line-level parsing. We split the file into records ourselves first, so that a
record missing its ``ER`` line cannot swallow the next one and every record keeps its position
for error messages, and we give rispy an identity tag mapping so the code below speaks in the
two-letter RIS tags that exporters document rather than rispy's long names.
"""

from __future__ import annotations

import re
from collections import Counter

import rispy

from kb.importers.base import (
    ParsedRecord,
    ParseResult,
    RecordError,
    UnreadableFile,
    check_text,
    clean,
    guess_kind,
    join_pages,
    make_date,
    parse_iso_like_date,
    person_or_organisation,
    validate,
)
from kb.refdata import ReferenceData, normalise_doi, normalise_pmcid, normalise_pmid

_TYPE_KINDS: dict[str, str] = {
    **dict.fromkeys(
        ("JOUR", "JFULL", "EJOUR", "MGZN", "NEWS", "INPR", "ABST", "SER", "ADVS"), "journal"
    ),
    **dict.fromkeys(("BOOK", "EBOOK", "EDBOOK", "PAMP", "THES", "MANSCPT"), "book"),
    **dict.fromkeys(("CHAP", "ECHAP", "CHAPTER", "CPAPER", "CONF", "ENCYC", "DICT"), "chapter"),
    **dict.fromkeys(("RPRT", "GOVDOC", "STAND", "LEGAL", "STAT", "BILL"), "guideline"),
    **dict.fromkeys(("ELEC", "WEB", "ICOMM", "BLOG", "DBASE", "MULTI"), "webpage"),
}
"""RIS reference types -> our kinds. GEN and anything unknown are guessed from the content."""

_LIST_TAGS = ["AU", "A1", "A2", "A3", "A4", "ED", "KW", "N1", "UR", "L1", "L2", "L4", "AN"]

_TAG_LINE_RE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
_PMID_IN_TEXT_RE = re.compile(r"(?i)\bPMID\b\s*[:=]?\s*(\d{1,9})\b")
_PMCID_IN_TEXT_RE = re.compile(r"(?i)\bPMC\d+\b")
_IN_PRESS_RE = re.compile(r"(?i)\b(in press|forthcoming)\b")


class _IdentityTags(dict):
    """A rispy tag mapping that maps every tag to itself, known or not."""

    def __missing__(self, key: str) -> str:
        return key


def _split_records(text: str) -> list[str]:
    """Cut the file into one chunk per ``TY`` line, each ending in ``ER``.

    Tag lines are rewritten to the canonical ``XX  - value`` spacing because some exporters
    write ``TY - JOUR`` with one space, which rispy would treat as a continuation line.
    """
    records: list[list[str]] = []
    for line in text.split("\n"):
        match = _TAG_LINE_RE.match(line.rstrip())
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            line = f"{tag}  - {value}"
            if tag == "TY":
                records.append([])
        if records:
            records[-1].append(line)
    chunks = []
    for lines in records:
        if not any(line.startswith("ER  -") for line in lines):
            lines.append("ER  - ")
        chunks.append("\n".join(lines) + "\n")
    return chunks


def _values(record: dict, *tags: str) -> list[str]:
    """All non-empty values of the given tags, in tag order."""
    out: list[str] = []
    for tag in tags:
        value = record.get(tag)
        items = value if isinstance(value, list) else [value]
        out.extend(clean(v) for v in items if clean(v))
    return out


def _first(record: dict, *tags: str) -> str:
    """The first non-empty value among ``tags``, or ""."""
    values = _values(record, *tags)
    return values[0] if values else ""


def _names(values: list[str]) -> list[dict]:
    """Author dicts from free-text RIS names, in order; namesakes are two people."""
    people: list[dict] = []
    for value in values:
        person = person_or_organisation(value)
        if person:
            people.append(person)
    return people


def _authors(record: dict) -> list[str]:
    """The author names of AU and A1, each person once when an exporter writes both tags.

    Some exporters repeat the author list under A1 as well as AU; a name in A1 that was
    already given in AU is that repetition, but two namesakes within one tag stay two.
    """
    names = _values(record, "AU")
    already = Counter(names)
    for name in _values(record, "A1"):
        if already[name]:
            already[name] -= 1
        else:
            names.append(name)
    return names


def _record_to_data(record: dict) -> ReferenceData:
    """Map one rispy record (tags as keys) to ``ReferenceData``."""
    type_code = _first(record, "TY").upper()
    data = ReferenceData()
    kind = _TYPE_KINDS.get(type_code, "")
    data.in_press = type_code == "INPR"

    data.title = _first(record, "TI", "T1", "CT") or (
        _first(record, "BT") if kind == "book" else ""
    )
    if kind == "chapter":
        data.container_title = _first(record, "T2", "BT")
    elif kind == "book":
        data.container_title = ""
    elif kind == "webpage":
        data.container_title = _first(record, "T2", "JF", "JO")
    else:
        data.container_title = _first(record, "JO", "JA", "J2", "JF", "T2")

    data.authors = _names(_authors(record))
    editor_tags = ("ED", "A2") if kind in ("chapter", "") else ("ED",)
    data.editors = _names(_values(record, *editor_tags))

    date_values = _values(record, "PY", "Y1", "DA")
    for value in date_values:
        year, month, day = parse_iso_like_date(value)
        if year and not data.year:
            data.year = year
        if year == data.year and month and not data.month:
            data.month, data.day = month, day
    if any(_IN_PRESS_RE.search(v) for v in date_values):
        data.in_press = True

    data.volume = _first(record, "VL")
    data.issue = _first(record, "IS")
    data.pages = join_pages(_first(record, "SP"), _first(record, "EP"))
    data.edition = _first(record, "ET")
    data.publisher = _first(record, "PB")
    data.place = _first(record, "CY", "PP")

    urls = _values(record, "UR", "L2")
    for candidate in [*_values(record, "DO", "M3"), *urls]:
        data.doi = normalise_doi(candidate)
        if data.doi:
            break
    data.url = next(
        (u for u in urls if u.lower().startswith(("http://", "https://")) and not normalise_doi(u)),
        "",
    )

    notes = _values(record, "N1", "AN", "M2", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8")
    for note in notes:
        match = _PMID_IN_TEXT_RE.search(note)
        if match:
            data.pmid = normalise_pmid(match.group(1))
            break
    if not data.pmid:
        database = " ".join(_values(record, "DB", "DP")).lower()
        accession = _first(record, "AN")
        if accession.isdigit() and any(w in database for w in ("pubmed", "medline", "nlm")):
            data.pmid = normalise_pmid(accession)
    for note in notes:
        match = _PMCID_IN_TEXT_RE.search(note)
        if match:
            data.pmcid = normalise_pmcid(match.group(0))
            break

    accessed = _first(record, "Y2")
    if accessed:
        data.accessed_on = make_date(*parse_iso_like_date(accessed))

    data.kind = kind or guess_kind(data)
    return data


def parse(text: str) -> ParseResult:
    """Parse a RIS file into records and per-record errors.

    Raises ``UnreadableFile`` when the text is empty, binary or contains no ``TY`` line.
    """
    text = check_text(text, "RIS")
    chunks = _split_records(text)
    if not chunks:
        raise UnreadableFile(
            "No RIS records found: a RIS file has records starting with a 'TY  - ' line."
        )
    result = ParseResult()
    for position, chunk in enumerate(chunks, start=1):
        try:
            parsed = rispy.loads(chunk, mapping=_IdentityTags(), list_tags=_LIST_TAGS)
            if not parsed:
                raise ValueError("no fields could be read")
            data = _record_to_data(parsed[0])
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            result.errors.append(RecordError(position, f"The record could not be read: {exc}."))
            continue
        problem = validate(data)
        if problem:
            result.errors.append(RecordError(position, problem))
            continue
        result.records.append(ParsedRecord(position, data, key=_first(parsed[0], "ID")))
    return result
