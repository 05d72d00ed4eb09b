"""RIS import (EndNote, Zotero, Mendeley, Ovid, most publisher "download citation" links).

rispy does the line-level parsing. We split the file into records ourselves first, so that a
record missing its ``ER`` line cannot swallow the next one and every record keeps its position
for error messages, and we give rispy an identity tag mapping so the code below speaks in the
two-letter RIS tags that exporters document rather than rispy's long names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

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
from kb.refdata import (
    ReferenceData,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    normalise_season,
)

_TYPE_KINDS: dict[str, str] = {
    **dict.fromkeys(
        ("JOUR", "JFULL", "EJOUR", "MGZN", "NEWS", "INPR", "ABST", "SER", "ADVS"), "journal"
    ),
    **dict.fromkeys(("BOOK", "EBOOK", "EDBOOK", "PAMP", "MANSCPT"), "book"),
    "THES": "thesis",
    **dict.fromkeys(("CHAP", "ECHAP", "CHAPTER", "CPAPER", "CONF", "ENCYC", "DICT"), "chapter"),
    **dict.fromkeys(("RPRT", "GOVDOC", "STAND", "LEGAL", "STAT", "BILL"), "guideline"),
    **dict.fromkeys(("ELEC", "WEB", "ICOMM", "BLOG", "DBASE", "MULTI"), "webpage"),
}
"""RIS reference types -> our kinds. GEN and anything unknown are guessed from the content."""

_LIST_TAGS = ["AU", "A1", "A2", "A3", "A4", "ED", "KW", "N1", "UR", "L1", "L2", "L4", "AN"]

_TAG_LINE_RE = re.compile(r"^([A-Z][A-Z0-9]) {1,2}-(?: (.*)|\s*)$")
# Tags longer than RIS's two characters, e.g. APA PsycNET's "PMID  - 33355555".
_LONG_TAG_LINE_RE = re.compile(r"^([A-Z][A-Z0-9]{2,5}) {1,2}-(?: (.*)|\s*)$")
_EXTRA_TAGS = frozenset({"PMID", "PMCID"})
"""Long tags we read; any other long tag is dropped, as rispy would choke on it."""
_PMID_IN_TEXT_RE = re.compile(r"(?i)\bPMID\b\s*[:=]?\s*(\d{1,9})\b")
_PMCID_IN_TEXT_RE = re.compile(r"(?i)\bPMC\d+\b")
_IN_PRESS_RE = re.compile(r"(?i)\b(in press|forthcoming)\b")


class _IdentityTags(dict):
    """A rispy tag mapping that maps every tag to itself, known or not."""

    def __missing__(self, key: str) -> str:
        return key


@dataclass
class _Chunk:
    """One record's lines as rispy reads them, where it starts, and the long tags set aside."""

    line: int
    text: str
    extras: dict[str, str]


def _split_records(text: str) -> list[_Chunk]:
    """Cut the file into one chunk per ``TY`` line, each ending in ``ER``.

    Tag lines are rewritten to the canonical ``XX  - value`` spacing because some exporters
    write ``TY - JOUR`` with one space, which rispy would treat as a continuation line.
    Lines rispy cannot take are kept out of the chunk: tags longer than two characters
    (the ones we know go to ``extras``), and untagged lines before the first tag after
    ``TY``, which rispy would try to append to a tag that does not exist.
    """
    records: list[tuple[int, list[str], dict[str, str]]] = []
    after_ty = False
    for number, line in enumerate(text.split("\n"), start=1):
        match = _TAG_LINE_RE.match(line.rstrip())
        long_match = None if match else _LONG_TAG_LINE_RE.match(line.rstrip())
        if match:
            tag, value = match.group(1), (match.group(2) or "").strip()
            line = f"{tag}  - {value}"
            after_ty = tag == "TY"
            if tag == "TY":
                records.append((number, [], {}))
        elif records and long_match:
            tag, value = long_match.group(1), (long_match.group(2) or "").strip()
            if tag in _EXTRA_TAGS and value:
                records[-1][2].setdefault(tag, value)
            continue
        elif after_ty:
            continue
        if records:
            records[-1][1].append(line)
    chunks = []
    for number, lines, extras in records:
        if not any(line.startswith("ER  -") for line in lines):
            lines.append("ER  - ")
        chunks.append(_Chunk(number, "\n".join(lines) + "\n", extras))
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


def _people(record: dict, tag: str, repeat_tag: str) -> list[str]:
    """The names under ``tag`` then ``repeat_tag``, each person once when both are written.

    Some exporters repeat the authors under A1 as well as AU, or the editors under A2 as well
    as ED; a name in the second tag that the first already gave is that repetition, but two
    namesakes within one tag stay two.
    """
    names = _values(record, tag)
    already = Counter(names)
    for name in _values(record, repeat_tag):
        if already[name]:
            already[name] -= 1
        else:
            names.append(name)
    return names


def _journal(record: dict) -> str:
    """The journal as Vancouver cites it: its abbreviation without full stops, if given.

    Web of Science puts the full title in capitals in T2 and the ISO abbreviation in JI
    ("World J. Gastroenterol."); Embase puts it in JA, Zotero in JO. NLM writes abbreviations
    without stops, as the CSL-JSON importer does. WoS's J9 is its own abbreviation of at most
    29 characters, in capitals and often cut short ("WORLD J GASTROENTERO"), so it is used
    only when there is no other name.
    """
    abbreviation = _first(record, "JO", "JA", "J2", "JI")
    if abbreviation:
        return clean(abbreviation.replace(".", " "))
    return _first(record, "JF", "T2") or clean(_first(record, "J9").replace(".", " "))


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
    elif kind in ("book", "thesis"):
        data.container_title = ""
    elif kind == "webpage":
        data.container_title = _first(record, "T2", "JF", "JO")
    else:
        data.container_title = _journal(record)

    data.authors = _names(_people(record, "AU", "A1"))
    if kind in ("chapter", ""):
        data.editors = _names(_people(record, "ED", "A2"))
    else:
        data.editors = _names(_values(record, "ED"))

    date_values = _values(record, "PY", "Y1", "DA")
    for value in date_values:
        year, month, day = parse_iso_like_date(value)
        if year and not data.year:
            data.year = year
        if year == data.year and month and not data.month:
            data.month, data.day = month, day
        if value.count("/") >= 3 and not data.season:  # "2004/08//Aug-Sep": season last
            data.season = normalise_season(value.split("/", 3)[3])
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

    if kind == "thesis":  # M3, "type of work": "Doctoral dissertation", "MSc thesis"
        data.degree = _first(record, "M3")
    data.pmid = normalise_pmid(_first(record, "PMID"))
    data.pmcid = normalise_pmcid(_first(record, "PMCID"))
    notes = _values(record, "N1", "AN", "M2", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8")
    for note in notes if not data.pmid else ():
        match = _PMID_IN_TEXT_RE.search(note)
        if match:
            data.pmid = normalise_pmid(match.group(1))
            break
    if not data.pmid:
        database = " ".join(_values(record, "DB", "DP")).lower()
        accession = _first(record, "AN")
        if accession.isdigit() and any(w in database for w in ("pubmed", "medline", "nlm")):
            data.pmid = normalise_pmid(accession)
    for note in notes if not data.pmcid else ():
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
            parsed = rispy.loads(chunk.text, mapping=_IdentityTags(), list_tags=_LIST_TAGS)
            if not parsed:
                raise ValueError("no fields could be read")
            record = {**chunk.extras, **parsed[0]}
            data = _record_to_data(record)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            result.errors.append(
                RecordError(
                    position,
                    f"The record starting on line {chunk.line} could not be read; "
                    "check that each of its lines starts with a tag such as 'TI  - '.",
                )
            )
            continue
        problem = validate(data)
        if problem:
            result.errors.append(RecordError(position, problem))
            continue
        result.records.append(ParsedRecord(position, data, key=_first(record, "ID")))
    return result
