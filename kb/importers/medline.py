"""MEDLINE / PubMed import (the ``.nbib`` or "PubMed format" ``.txt`` that PubMed exports).

Hand-written because no maintained Python parser exists and the format is simple: a tag of up
to four letters padded to four characters, "- ", the value, continuation lines indented six
spaces, and a blank line between records. PubMed is the most authoritative source we import,
so we read it carefully: full author names (FAU) keep accents that the AU field strips
("Gonçalves" vs "Goncalves"), the NLM journal abbreviation (TA) is exactly what Vancouver
wants, and retractions are flagged.
"""

from __future__ import annotations

import re

from kb.importers.base import (
    ParsedRecord,
    ParseResult,
    RecordError,
    UnreadableFile,
    check_text,
    clean,
    normalise_pages,
    parse_day,
    parse_month,
    parse_year,
    validate,
)
from kb.refdata import (
    ReferenceData,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    normalise_season,
    parse_author_name,
)

_TAG_RE = re.compile(r"^([A-Z]{2,4}) {0,3}- ?(.*)$")
_ID_TYPE_RE = re.compile(r"^(.*?)\s*\[([a-z-]+)\]\s*$")

_MEDLINE_ONLY_TAGS = frozenset(
    {"PMID", "FAU", "TA", "JT", "PG", "VI", "IP", "LID", "AID", "BTI", "OWN", "STAT"}
)

Field = tuple[str, str]


def _records(text: str) -> list[list[Field]]:
    """Split the file into records of (tag, value) pairs, joining continuation lines.

    A blank line ends a record; a ``PMID-`` line also starts a new one, in case an export was
    concatenated without blank lines. Text before the first tag line is ignored.
    """
    records: list[list[Field]] = []
    current: list[Field] = []
    for line in text.split("\n"):
        if not line.strip():
            if current:
                records.append(current)
                current = []
            continue
        match = _TAG_RE.match(line)
        if match:
            tag, value = match.group(1), match.group(2).strip()
            if tag == "PMID" and any(t == "PMID" for t, _ in current):
                records.append(current)
                current = []
            current.append((tag, value))
        elif line[:1].isspace() and current:
            tag, value = current[-1]
            current[-1] = (tag, f"{value} {line.strip()}".strip())
    if current:
        records.append(current)
    return records


def _first(fields: list[Field], *tags: str) -> str:
    """The first value of the first tag present, or ""."""
    for tag in tags:
        for t, value in fields:
            if t == tag and value:
                return clean(value)
    return ""


def _people(fields: list[Field], full_tag: str, short_tag: str, corporate_tag: str) -> list[dict]:
    """Authors (FAU/AU/CN) or editors (FED/ED) in file order.

    MEDLINE gives each person twice: FAU "Gonçalves, Ana Maria" then AU "Goncalves AM". We take
    the family name from FAU (accents intact) and the initials from the AU that follows it
    (NLM's own initials, e.g. for hyphenated given names); an AU without FAU stands alone.
    Corporate authors (CN) keep their position in the list.
    """
    people: list[dict] = []
    pending_full = False
    for tag, value in fields:
        value = clean(value)
        if not value:
            continue
        if tag == full_tag:
            people.append(parse_author_name(value))
            pending_full = True
        elif tag == short_tag:
            short = parse_author_name(value)
            if pending_full:
                if short["given"]:
                    people[-1]["given"] = short["given"]
            elif short["family"]:
                people.append(short)
            pending_full = False
        elif tag == corporate_tag:
            people.append({"literal": value})
            pending_full = False
    return [p for p in people if p.get("family") or p.get("literal")]


def _ids(fields: list[Field], id_type: str) -> list[str]:
    """Values of LID/AID lines of one type, e.g. "10.1212/... [doi]" -> "10.1212/..."."""
    out = []
    for tag, value in fields:
        if tag in ("LID", "AID"):
            match = _ID_TYPE_RE.match(value)
            if match and match.group(2) == id_type:
                out.append(match.group(1))
    return out


def _date(value: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) from DP: "2004 Aug 24", "2004 Aug-Sep", "2004 Spring", "2004"."""
    tokens = clean(value).split()
    year = parse_year(tokens[0]) if tokens else None
    month = parse_month(tokens[1].split("-")[0]) if len(tokens) > 1 else None
    day = parse_day(tokens[2].split("-")[0]) if len(tokens) > 2 and month else None
    return year, month, day


def _strip_final_stop(title: str) -> str:
    """MEDLINE ends every title with a full stop; other formats do not, so drop it."""
    return title[:-1].rstrip() if title.endswith(".") and not title.endswith("..") else title


def _record_to_data(fields: list[Field]) -> ReferenceData:
    """Map one MEDLINE record to ``ReferenceData``."""
    data = ReferenceData()
    book_title = _first(fields, "BTI")
    article_title = _strip_final_stop(_first(fields, "TI"))
    if book_title:
        data.kind = "chapter" if article_title else "book"
        data.title = article_title or _strip_final_stop(book_title)
        data.container_title = _strip_final_stop(book_title) if article_title else ""
        data.publisher = _first(fields, "PB")
        # For journals PL is the journal's country, so it is only used for books.
        data.place = _first(fields, "PL")
        data.edition = _first(fields, "EN")
    else:
        data.kind = "journal"
        data.title = article_title
        data.container_title = _first(fields, "TA", "JT")

    data.authors = _people(fields, "FAU", "AU", "CN")
    data.editors = _people(fields, "FED", "ED", "")
    data.year, data.month, data.day = _date(_first(fields, "DP"))
    data.season = normalise_season(" ".join(_first(fields, "DP").split()[1:]))
    data.volume = _first(fields, "VI")
    data.issue = _first(fields, "IP")
    data.pages = normalise_pages(_first(fields, "PG"))

    for candidate in _ids(fields, "doi"):
        data.doi = normalise_doi(candidate)
        if data.doi:
            break
    data.pmid = normalise_pmid(_first(fields, "PMID"))
    data.pmcid = normalise_pmcid(_first(fields, "PMC") or next(iter(_ids(fields, "pmc")), ""))

    publication_types = {clean(v).lower() for t, v in fields if t == "PT"}
    data.retracted = "retracted publication" in publication_types or any(
        t == "RIN" for t, _ in fields
    )
    return data


def parse(text: str) -> ParseResult:
    """Parse a MEDLINE/PubMed file into records and per-record errors.

    Raises ``UnreadableFile`` when the text is empty, binary or has no MEDLINE tag lines.
    """
    text = check_text(text, "MEDLINE")
    records = _records(text)
    # Other tagged formats (RIS) also match the line shape; these tags exist only in MEDLINE.
    if not any(tag in _MEDLINE_ONLY_TAGS for fields in records for tag, _ in fields):
        raise UnreadableFile(
            "No MEDLINE records found: PubMed format files have lines such as 'PMID- 12345678'."
        )
    result = ParseResult()
    for position, fields in enumerate(records, start=1):
        try:
            data = _record_to_data(fields)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            result.errors.append(
                RecordError(
                    position,
                    "The record could not be read: one of its fields has a form we do not "
                    "recognise.",
                )
            )
            continue
        problem = validate(data)
        if problem:
            pmid = f" [PMID {data.pmid}]" if data.pmid else ""
            result.errors.append(RecordError(position, f"{problem[:-1]}{pmid}."))
            continue
        result.records.append(ParsedRecord(position, data))
    return result
