"""CSL-JSON import (Zotero "CSL JSON" export, Crossref/doi.org content negotiation, citeproc).

CSL-JSON is already structured (names split into family/given, dates as date-parts), so this is
mostly renaming. The work is in being tolerant: date parts may be strings, ``issued`` may be a
``raw`` string, and an export may be one object instead of a list.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kb.importers.base import (
    ParsedRecord,
    ParseResult,
    RecordError,
    UnreadableFile,
    check_text,
    clean,
    guess_kind,
    looks_like_organisation,
    make_date,
    normalise_pages,
    parse_day,
    parse_iso_like_date,
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

_TYPE_KINDS: dict[str, str] = {
    "article-journal": "journal",
    "article-magazine": "journal",
    "article-newspaper": "journal",
    "review": "journal",
    "article": "journal",
    "book": "book",
    "thesis": "thesis",
    "chapter": "chapter",
    "entry-encyclopedia": "chapter",
    "entry-dictionary": "chapter",
    "paper-conference": "chapter",
    "report": "guideline",
    "standard": "guideline",
    "legislation": "guideline",
    "webpage": "webpage",
    "post": "webpage",
    "post-weblog": "webpage",
}
"""CSL item types -> our kinds; anything else is guessed from the content."""


def _text(item: dict, *keys: str) -> str:
    """The first non-empty value among ``keys``, as clean text (numbers become strings)."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value not in (None, ""):
            return clean(value)
    return ""


def _strip_markup(text: str) -> str:
    """Remove the rich-text tags CSL allows in titles (<i>, <b>, <sup>, <span ...>)."""
    return clean(re.sub(r"</?(?:i|b|sup|sub|span|sc)(?:\s[^>]*)?>", "", text))


def _names(value: Any) -> list[dict]:
    """Author dicts from a CSL name list (family/given, literal, or a bare string)."""
    people: list[dict] = []
    if not isinstance(value, list):
        return people
    for name in value:
        if isinstance(name, str):
            name = {"literal": name}
        if not isinstance(name, dict):
            continue
        literal = clean(name.get("literal"))
        family = clean(
            " ".join(
                clean(name.get(k))
                for k in ("dropping-particle", "non-dropping-particle", "family")
                if clean(name.get(k))
            )
        )
        given = clean(name.get("given"))
        if family and not given and looks_like_organisation(family):
            # An organisation put in "family": "the scikit-image contributors".
            people.append({"literal": family})
        elif family:
            suffix = clean(name.get("suffix"))
            people.append(parse_author_name(", ".join(p for p in (family, given, suffix) if p)))
        elif literal:
            people.append({"literal": literal})
        elif given:
            # Some exporters put a mononym or an organisation in "given" only.
            people.append({"literal": given})
    return people


def _date(value: Any) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) from a CSL date: date-parts, ``raw``, ``literal`` or a string."""
    if isinstance(value, str):
        return parse_iso_like_date(value)
    if not isinstance(value, dict):
        return None, None, None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = parts[0]
        year = parse_year(first[0])
        month = parse_month(first[1]) if len(first) > 1 else None
        day = parse_day(first[2]) if len(first) > 2 and month else None
        return year, month, day
    for key in ("raw", "literal"):
        if isinstance(value.get(key), str):
            return parse_iso_like_date(value[key])
    return None, None, None


def _item_to_data(item: dict) -> ReferenceData:
    """Map one CSL item to ``ReferenceData``."""
    csl_type = _text(item, "type").lower()
    kind = _TYPE_KINDS.get(csl_type, "")
    data = ReferenceData()
    data.title = _strip_markup(_text(item, "title"))
    # Vancouver cites journals by their abbreviation, written without full stops by NLM
    # ("Eur Arch Psychiatry Clin Neurosci"); exporters often add ISO 4 stops.
    short = _text(item, "container-title-short", "journalAbbreviation")
    if kind in ("journal", "") and short:
        data.container_title = _strip_markup(short.replace(".", ""))
    else:
        data.container_title = _strip_markup(_text(item, "container-title"))
    data.authors = _names(item.get("author"))
    data.editors = _names(item.get("editor"))
    data.publisher = _text(item, "publisher")
    data.place = _text(item, "publisher-place", "event-place")
    data.edition = _text(item, "edition")
    data.year, data.month, data.day = _date(item.get("issued"))
    if isinstance(item.get("issued"), dict):
        data.season = normalise_season(item["issued"].get("season"))
    if not data.year:
        # Pre-prints and in-press items often only have an online date.
        data.year, data.month, data.day = _date(item.get("published-online"))
    data.volume = _text(item, "volume")
    data.issue = _text(item, "issue")
    data.pages = normalise_pages(_text(item, "page"))
    data.doi = normalise_doi(_text(item, "DOI", "doi"))
    data.pmid = normalise_pmid(_text(item, "PMID", "pmid"))
    data.pmcid = normalise_pmcid(_text(item, "PMCID", "pmcid"))
    url = _text(item, "URL", "url")
    if normalise_doi(url):
        data.doi = data.doi or normalise_doi(url)
    else:
        data.url = url
    data.accessed_on = make_date(*_date(item.get("accessed")))
    status = _text(item, "status").lower()
    data.in_press = status in ("in press", "in-press", "inpress", "forthcoming")
    if kind == "thesis":
        data.degree = _text(item, "genre")  # "PhD thesis", "Master's thesis"
    data.kind = kind or guess_kind(data)
    return data


def parse(text: str) -> ParseResult:
    """Parse CSL-JSON (a list of items or a single item) into records and per-item errors.

    Raises ``UnreadableFile`` when the text is empty, binary, not valid JSON, or JSON that
    holds no CSL items.
    """
    text = check_text(text, "CSL-JSON")
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(
            f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    except RecursionError as exc:
        raise UnreadableFile(
            "The JSON is nested too deeply to be a list of references: CSL-JSON is a list "
            "of items, each with its fields one or two levels down."
        ) from exc
    if isinstance(loaded, dict) and isinstance(loaded.get("items"), list):
        loaded = loaded["items"]  # Some tools wrap the list: {"items": [...]}.
    items = [loaded] if isinstance(loaded, dict) else loaded
    if not isinstance(items, list) or not items:
        raise UnreadableFile("The JSON holds no references: CSL-JSON is a list of items.")
    result = ParseResult()
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            result.errors.append(RecordError(position, "The item is not a JSON object."))
            continue
        try:
            data = _item_to_data(item)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            result.errors.append(
                RecordError(
                    position,
                    "The item could not be read: one of its fields has a form CSL-JSON does "
                    "not use.",
                )
            )
            continue
        problem = validate(data)
        if problem:
            result.errors.append(RecordError(position, problem))
            continue
        key = item.get("id")
        result.records.append(ParsedRecord(position, data, key=clean(key) if key else ""))
    if not result.records and all(
        not isinstance(item, dict) or not ({"type", "title"} & set(item)) for item in items
    ):
        raise UnreadableFile("The JSON holds no CSL items (objects with a 'type' and 'title').")
    return result
