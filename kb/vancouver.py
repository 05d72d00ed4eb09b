"""Vancouver reference formatting, following NLM's *Citing Medicine* (2nd edition).

Why hand-written rather than citeproc: the knowledge base needs only six reference kinds, the
output must be byte-stable for approved revisions, and the common CSL Vancouver style gets
details wrong that clinicians notice (e.g. "2022Jan" without a space). Missing data is left out
cleanly instead of producing placeholders such as "[place unknown]", because records imported
from reference managers are often incomplete and stray punctuation looks like an error.

``ref`` is duck-typed: a ``kb.refdata.ReferenceData`` or a ``kb.models.Reference`` instance
both work, and ``None`` in any attribute is treated as "not given".
"""

from __future__ import annotations

import datetime
import html
import re
from typing import Any
from urllib.parse import quote

from kb.refdata import normalise_season

MONTHS: tuple[str, ...] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
"""NLM's three-letter month abbreviations (no full stop)."""

MAX_AUTHORS = 6
"""Citing Medicine: list the first six authors, then "et al."."""

_DASHES_RE = re.compile(r"\s*[\u2010-\u2015\u2212-]+\s*")
_RANGE_RE = re.compile(r"^([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)$")
_MASTERS_RE = re.compile(r"master|m\.?\s?(?:sc|s|a|phil|res)\b")
_DOCTORAL_RE = re.compile(r"dissertation|doctor|ph\.?\s?d|d\.?\s?phil|ed\.?\s?d\b")


# --- small helpers -----------------------------------------------------------------------


def _text(ref: Any, name: str) -> str:
    """Read a text attribute with whitespace collapsed; missing or None becomes ""."""
    value = getattr(ref, name, "")
    if value is None:
        return ""
    return " ".join(str(value).split())


def _int(ref: Any, name: str) -> int | None:
    """Read an optional integer attribute (year, month, day)."""
    value = getattr(ref, name, None)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _end(text: str, mark: str = ".") -> str:
    """Terminate an element with ``mark`` unless it already ends in sentence punctuation.

    Citing Medicine: a title ending in "?" or "!" keeps that mark instead of a full stop, and
    abbreviations such as "Inc." must not turn into "Inc..".
    """
    text = text.strip()
    if not text:
        return ""
    if text[-1] in ".?!":
        return text
    return text + mark


def _join(*elements: str) -> str:
    """Join non-empty elements with single spaces."""
    return " ".join(e for e in elements if e)


def abbreviate_pages(pages: str) -> str:
    """Abbreviate page ranges the NLM way: "102-104" -> "102-4", "1887-1895" -> "1887-95".

    Repeated leading digits of the last page are dropped; a shared letter prefix is kept only
    on the first page ("S12-S14" -> "S12-4"). Ranges that are already abbreviated, single
    pages and electronic article numbers ("e123") are returned unchanged. Several ranges may
    be separated by commas. Any dash (en dash, minus) becomes a hyphen.
    """
    pages = " ".join((pages or "").split())
    if not pages:
        return ""
    out = []
    for part in pages.split(","):
        part = _DASHES_RE.sub("-", part.strip())
        match = _RANGE_RE.match(part)
        if match:
            prefix1, first, prefix2, last = match.groups()
            if (not prefix2 or prefix2 == prefix1) and len(first) == len(last):
                if first == last:
                    part = prefix1 + first
                elif int(last) > int(first):
                    i = 0
                    while first[i] == last[i]:
                        i += 1
                    part = f"{prefix1}{first}-{last[i:]}"
        if part:
            out.append(part)
    return ", ".join(out)


def format_name(person: dict) -> str:
    """One name as Vancouver prints it: "Jansen PH", or the organisation's name."""
    literal = " ".join(str(person.get("literal") or "").split())
    if literal:
        return literal
    family = " ".join(str(person.get("family") or "").split())
    given = " ".join(str(person.get("given") or "").split())
    return _join(family, given)


def format_names(people: list[dict] | None) -> str:
    """Author or editor list, without a closing full stop (except the one of "et al.").

    More than six names: the first six, then "et al." (Citing Medicine, Chapter 1).
    """
    names = [n for n in (format_name(p) for p in (people or []) if isinstance(p, dict)) if n]
    if len(names) > MAX_AUTHORS:
        return ", ".join(names[:MAX_AUTHORS]) + ", et al."
    return ", ".join(names)


def _editors(people: list[dict] | None) -> str:
    """Editor list as "Vogelstein B, Kinzler KW, editors" (singular "editor" for one)."""
    names = format_names(people)
    if not names:
        return ""
    count = len([p for p in (people or []) if isinstance(p, dict) and format_name(p)])
    return f"{names}, {'editor' if count == 1 else 'editors'}"


def format_date(year: int | None, month: int | None = None, day: int | None = None) -> str:
    """NLM date: "2004 Aug 24", "2004 Aug" or "2004"; month or day without a year is dropped.

    NLM puts a space between year and month; a day without a month is meaningless.
    """
    if not year:
        return ""
    parts = [str(year)]
    if month and 1 <= month <= 12:
        parts.append(MONTHS[month - 1])
        if day and 1 <= day <= 31:
            parts.append(str(day))
    return " ".join(parts)


def _issue_date(ref: Any) -> str:
    """The date of an issue, report or page: "2004 Aug 24", or "2004 Aug-Sep", "2004 Spring".

    A season or month range (``season``) replaces month and day: Citing Medicine prints what
    the issue carries, and a range's first month alone would date the issue wrongly.
    """
    year = _int(ref, "year")
    season = normalise_season(getattr(ref, "season", None))
    if year and season:
        return f"{year} {season}"
    return format_date(year, _int(ref, "month"), _int(ref, "day"))


def _cited(accessed_on: Any) -> str:
    """The access date as "[cited 2024 Jan 5]", or "" when it is unknown."""
    if isinstance(accessed_on, datetime.date):
        return f"[cited {format_date(accessed_on.year, accessed_on.month, accessed_on.day)}]"
    return ""


def _edition(edition: str) -> str:
    """Edition as "2nd ed." from "2nd", "2", "2nd edition" or "2nd ed."; "" for a first one.

    Citing Medicine gives the edition only when it is not the first.
    """
    text = re.sub(r"(?i)\s*\b(?:ed\.?|edn\.?|edition)\s*$", "", edition.strip()).strip()
    if not text:
        return ""
    if text.isdigit():
        number = int(text)
        if 10 <= number % 100 <= 20:
            suffix = "th"
        else:
            suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
        text = f"{number}{suffix}"
    if text.lower() in ("1st", "first"):
        return ""
    return f"{text} ed."


def _publication(place: str, publisher: str, date: str) -> str:
    """Publication element "Place: Publisher; Date." without stray ":" or ";" for gaps."""
    who = ": ".join(p for p in (place, publisher) if p)
    return _end("; ".join(p for p in (who, date) if p))


# --- the citation proper -----------------------------------------------------------------


def _authors_element(ref: Any, *, editors_stand_in: bool = False) -> str:
    """Authors, ending in a full stop; for edited books the editors take their place."""
    authors = format_names(getattr(ref, "authors", None))
    if authors:
        return _end(authors)
    if editors_stand_in:
        return _end(_editors(getattr(ref, "editors", None)))
    return ""


def _online_only(ref: Any) -> bool:
    """True for a journal article found only through its URL: no DOI and no pages.

    Citing Medicine (Chapter 1, articles on the Internet) then cites the journal as
    "[Internet]" with the date it was seen and the URL. With a DOI or pages the URL is just a
    landing page, and the print form finds the article.
    """
    return bool(_text(ref, "url")) and not _text(ref, "doi") and not _text(ref, "pages")


def _journal(ref: Any) -> list[str]:
    """Authors. Title. Journal [Internet]. Year Mon Day [cited ...];Volume(Issue):Pages."""
    date = _issue_date(ref)
    if getattr(ref, "in_press", False):
        date = _join("Forthcoming", date)
    journal = _text(ref, "container_title")
    if _online_only(ref):
        journal = _join(journal, "[Internet]") if journal else ""
        date = _join(date, _cited(getattr(ref, "accessed_on", None)))
    volume, issue = _text(ref, "volume"), _text(ref, "issue")
    located = volume + (f"({issue})" if issue else "")
    pages = abbreviate_pages(_text(ref, "pages"))
    where = ";".join(p for p in (date, located) if p)
    where = ":".join(p for p in (where, pages) if p)
    return [
        _authors_element(ref),
        _end(_text(ref, "title")),
        _end(journal),
        _end(where),
    ]


def _book(ref: Any) -> list[str]:
    """Authors. Title [Internet]. Edition ed. Place: Publisher; Year [cited ...].

    Citing Medicine (Chapter 2) dates a book by its year alone.
    """
    return _monograph(ref, date=format_date(_int(ref, "year")))


def _report(ref: Any) -> list[str]:
    """Authors. Title [Internet]. Place: Publisher; Year Mon [cited ...].

    Guidelines are cited as reports (Citing Medicine, Chapter 15), which keep the month and
    day of publication ("2001 Feb"): agencies reissue them, so the year alone can be
    ambiguous.
    """
    return _monograph(ref, date=_issue_date(ref))


def _thesis(ref: Any) -> list[str]:
    """Authors. Title [dissertation]. Place: University; Year.

    Citing Medicine, Chapter 7: the content type in brackets after the title, the
    degree-granting place and university as place and publisher, and the year.
    """
    return _monograph(
        ref,
        date=format_date(_int(ref, "year")),
        content_type=thesis_type(degree=_text(ref, "degree")),
    )


def thesis_type(*, degree: str) -> str:
    """The bracketed content type of a thesis: "dissertation", "master's thesis" or "thesis".

    Citing Medicine calls a doctoral thesis a dissertation and a master's a master's thesis;
    records spell the degree many ways ("PhD", "Doctoral thesis", "MSc", "Masters"). When the
    degree is unknown the neutral "thesis" is used rather than guessing a level.
    """
    text = " ".join(degree.split()).lower()
    if not text:
        return "thesis"
    if _MASTERS_RE.match(text):
        return "master's thesis"
    if _DOCTORAL_RE.search(text):
        return "dissertation"
    return text


def _monograph(ref: Any, *, date: str, content_type: str = "") -> list[str]:
    """The shared shape of books, reports and theses, print or on the Internet.

    ``content_type`` ("dissertation") goes in brackets after the title; on the Internet it
    becomes "[dissertation on the Internet]", as Citing Medicine writes it (Chapter 24).
    """
    url = _text(ref, "url")
    title = _text(ref, "title")
    if getattr(ref, "in_press", False):
        date = _join("Forthcoming", date)
    if url:
        # Citing Medicine, Chapter 22 (books on the Internet).
        content_type = f"{content_type} on the Internet" if content_type else "Internet"
        date = _join(date, _cited(getattr(ref, "accessed_on", None)))
    if title and content_type:
        title = f"{title} [{content_type}]"
    return [
        _authors_element(ref, editors_stand_in=True),
        _end(title),
        _edition(_text(ref, "edition")),
        _publication(_text(ref, "place"), _text(ref, "publisher"), date),
    ]


def _chapter(ref: Any) -> list[str]:
    """Authors. Chapter. In: Editors, editors. Book. Ed. Place: Publisher; Year. p. Pages.

    A chapter of a book on the Internet (Citing Medicine, Chapter 24, e.g. NCBI Bookshelf)
    marks the book "[Internet]" and adds the cited date; the URL follows the citation.
    """
    date = format_date(_int(ref, "year"))
    if getattr(ref, "in_press", False):
        date = _join("Forthcoming", date)
    editors = _editors(getattr(ref, "editors", None))
    book = _text(ref, "container_title")
    if _text(ref, "url"):
        book = _join(book, "[Internet]") if book else ""
        date = _join(date, _cited(getattr(ref, "accessed_on", None)))
    in_part = ""
    if editors or book:
        in_part = _join("In:", _end(editors), _end(book))
    pages = abbreviate_pages(_text(ref, "pages"))
    return [
        _authors_element(ref),
        _end(_text(ref, "title")),
        in_part,
        _edition(_text(ref, "edition")),
        _publication(_text(ref, "place"), _text(ref, "publisher"), date),
        f"p. {pages}." if pages else "",
    ]


def _webpage(ref: Any) -> list[str]:
    """Authors. Title [Internet]. Place: Publisher; Year Mon Day [cited Year Mon Day]."""
    title = _text(ref, "title")
    date = _issue_date(ref)
    date = _join(date, _cited(getattr(ref, "accessed_on", None)))
    # The site's name stands in for the publisher when no publisher was recorded.
    publisher = _text(ref, "publisher") or _text(ref, "container_title")
    return [
        _authors_element(ref),
        _end(_join(title, "[Internet]")) if title else "",
        _publication(_text(ref, "place"), publisher, date),
    ]


_BUILDERS = {
    "journal": _journal,
    "book": _book,
    "guideline": _report,
    "chapter": _chapter,
    "webpage": _webpage,
    "thesis": _thesis,
}


def _parts(ref: Any) -> tuple[str, str, str, str, bool]:
    """The citation split into (core, url, doi, pmid, retracted) for both renderers."""
    kind = _text(ref, "kind") or "journal"
    builder = _BUILDERS.get(kind, _journal)
    core = _join(*builder(ref))
    url = _text(ref, "url")
    if builder is _journal and not _online_only(ref):
        url = ""
    doi = _text(ref, "doi")
    pmid = _text(ref, "pmid")
    return core, url, doi, pmid, bool(getattr(ref, "retracted", False))


def format_reference(ref: Any) -> str:
    """The reference as plain Vancouver text, e.g. for copying or a plain-text export.

    After the citation come "Available from: URL" (web pages, online books, chapters, reports
    and theses, and journal articles published online only), "doi:...." and "PMID: ...." when
    known, and " [Retracted]" when the paper has been retracted so readers are warned
    wherever the reference appears.

    The identifiers follow NLM's current samples ("Samples of Formatted References for Authors
    of Journal Articles"): "doi:10.1056/NEJMsa020632. PMID: 12140307.", each a sentence of
    its own ending in a full stop. The "PubMed PMID:" label of older examples is not used.
    The URL gets no full stop, so that copying it cannot break the address.
    """
    core, url, doi, pmid, retracted = _parts(ref)
    plain = _join(
        core,
        f"Available from: {url}" if url else "",
        f"doi:{doi}." if doi else "",
        f"PMID: {pmid}." if pmid else "",
    )
    return mark_retracted(plain, retracted=retracted)


#: The last word of a retracted record's citation, in both formats.
RETRACTED_MARK = "[Retracted]"


def mark_retracted(formatted: str, *, retracted: bool) -> str:
    """A citation formatted without its retraction mark, with the mark if ``retracted``.

    Why separate: the flag is the one part of a cited record read live (I9), so a stored
    rendition keeps its citations unmarked and marks them from the live flag on every
    read (``kb.renditions``); a mark formatted in once would follow the flag of that day.
    """
    return _join(formatted, RETRACTED_MARK if retracted else "")


def _safe_href(url: str) -> str:
    """Only http(s) URLs become links, so a stored ``javascript:`` URL cannot run."""
    return url if re.match(r"(?i)^https?://", url) else ""


def format_reference_html(ref: Any) -> str:
    """The reference as an HTML fragment: every piece of user text escaped, identifiers linked.

    The DOI links to https://doi.org/ and the PMID to PubMed (the closing full stop stays
    outside the link, as it is not part of the identifier). Titles come from imported files
    and editors, so a title such as ``<script>`` must come out as inert text.
    """
    core, url, doi, pmid, retracted = _parts(ref)
    pieces = [html.escape(core)]
    if url:
        href = _safe_href(url)
        link = f'<a href="{html.escape(href)}">{html.escape(url)}</a>' if href else html.escape(url)
        pieces.append(f"Available from: {link}")
    if doi:
        href = "https://doi.org/" + quote(doi, safe="/:;()[]._-")
        pieces.append(f'<a href="{html.escape(href)}">doi:{html.escape(doi)}</a>.')
    if pmid:
        href = f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid, safe='')}/"
        pieces.append(f'<a href="{html.escape(href)}">PMID: {html.escape(pmid)}</a>.')
    return mark_retracted(" ".join(p for p in pieces if p), retracted=retracted)
