"""The plain-Python shape of one bibliographic reference, and the normalisers it relies on.

Why this module exists without Django: the importers (RIS, BibTeX, MEDLINE, CSL-JSON) and the
Vancouver formatter have to be testable without a database, and the ``kb.Reference`` model
stores DOI and PMID through the same normalisers, so an identifier spelled
``https://doi.org/10.1212/...`` in one file and ``doi:10.1212/...`` in another ends up as one
record. ``ReferenceData`` mirrors the model's attribute names exactly, so code written against
one works unchanged on the other (duck typing).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import unquote

KINDS: tuple[str, ...] = ("journal", "book", "chapter", "guideline", "webpage", "thesis")
"""The reference kinds the knowledge base knows; mirrors ``kb.models.ReferenceKind``."""


@dataclass
class ReferenceData:
    """One reference as the importers produce it and the formatter consumes it.

    Not frozen on purpose: importers fill it in step by step and the editing UI may adjust a
    parsed record (e.g. fix a title) before it is saved as a ``kb.Reference``.

    ``authors`` and ``editors`` hold ``{"family": "Jansen", "given": "PH"}`` for a person
    (given = initials without dots or spaces, as Vancouver prints them) or
    ``{"literal": "World Health Organization"}`` for an organisation.

    ``season`` holds an issue date that is not one month ("Spring", "Aug-Sep"); ``month``
    then keeps the first month, for sorting. ``degree`` is a thesis's ("dissertation").
    """

    kind: str = "journal"
    authors: list[dict] = field(default_factory=list)
    editors: list[dict] = field(default_factory=list)
    title: str = ""
    container_title: str = ""
    publisher: str = ""
    place: str = ""
    edition: str = ""
    degree: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    season: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    pmcid: str = ""
    url: str = ""
    accessed_on: datetime.date | None = None
    in_press: bool = False
    retracted: bool = False


# --- identifiers -------------------------------------------------------------------------

_DOI_PREFIX_RE = re.compile(
    r"^(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|doi\s*:\s*|doi\s+)",
    re.IGNORECASE,
)


def normalise_doi(raw: str) -> str:
    """Return the DOI in its canonical, comparable form, or "" if ``raw`` is not a DOI.

    DOIs are case-insensitive by definition (the DOI Handbook), but every source spells them
    differently: resolver URLs, ``doi:`` prefixes, upper case from PubMed, URL-encoding from
    web exports. De-duplication across import formats only works when all of these collapse
    to one string, so we strip the wrappers and lower-case. Anything that does not look like
    ``10.<registrant>/<suffix>`` is rejected rather than stored as a bogus identifier.
    """
    text = (raw or "").strip()
    # Several prefixes may be stacked ("DOI: https://doi.org/10...."), so strip repeatedly.
    while True:
        stripped = _DOI_PREFIX_RE.sub("", text, count=1).strip()
        if stripped == text:
            break
        text = stripped
    if "%" in text:
        text = unquote(text)
    # A DOI never contains whitespace; trailing words such as "[doi]" are not part of it.
    text = text.split()[0] if text.split() else ""
    # Sentence punctuation that sticks to a DOI copied out of running text.
    text = text.rstrip(".,;")
    text = text.lower()
    if not text.startswith("10.") or "/" not in text:
        return ""
    registrant, _, suffix = text.partition("/")
    if len(registrant) <= 3 or not suffix:
        return ""
    return text


_PMID_PREFIX_RE = re.compile(r"^\s*pmid\s*[:=]?\s*", re.IGNORECASE)


def normalise_pmid(raw: str) -> str:
    """Return the PubMed ID as bare digits, or "" if ``raw`` holds none.

    Exports write it as ``15326253``, ``PMID: 15326253`` or a PubMed URL; the database stores
    digits only so the unique constraint catches duplicates. A PMCID (``PMC...``) is a
    different identifier and is deliberately not accepted here.
    """
    text = (raw or "").strip()
    if text.upper().startswith("PMC"):
        return ""
    text = _PMID_PREFIX_RE.sub("", text)
    match = re.search(r"\d+", text)
    if not match:
        return ""
    return match.group(0).lstrip("0")


def normalise_pmcid(raw: str) -> str:
    """Return a PubMed Central ID as ``PMC`` plus digits, or "" if ``raw`` holds none.

    Sources give ``PMC1234567``, ``pmc1234567`` or ``PMCID: PMC1234567``; one spelling keeps
    links and comparisons simple.
    """
    match = re.search(r"(?i)pmc\s*(\d+)", raw or "")
    if match:
        return "PMC" + match.group(1)
    digits = (raw or "").strip()
    return "PMC" + digits if digits.isdigit() else ""


# --- issue dates ---------------------------------------------------------------------------

_MONTH_ABBREVIATIONS = {
    name: abbreviation
    for abbreviation, names in (
        ("Jan", ("jan", "january")),
        ("Feb", ("feb", "february")),
        ("Mar", ("mar", "march")),
        ("Apr", ("apr", "april")),
        ("May", ("may",)),
        ("Jun", ("jun", "june")),
        ("Jul", ("jul", "july")),
        ("Aug", ("aug", "august")),
        ("Sep", ("sep", "sept", "september")),
        ("Oct", ("oct", "october")),
        ("Nov", ("nov", "november")),
        ("Dec", ("dec", "december")),
    )
    for name in names
}
_SEASONS = {
    "spring": "Spring",
    "summer": "Summer",
    "fall": "Fall",
    "autumn": "Autumn",
    "winter": "Winter",
}
# CSL-JSON numbers the seasons 1-4; EDTF (Extended Date/Time Format) 21-24.
_SEASON_NUMBERS = {1: "Spring", 2: "Summer", 3: "Fall", 4: "Winter"}
_SEASON_PART_RE = re.compile(r"^(?:(1[5-9]\d\d|20\d\d) )?([A-Za-z]+)\.?$")


def normalise_season(raw: object) -> str:
    """An issue date that is not one month, as NLM prints it: "Aug-Sep", "Spring", or "".

    Journals date some issues by a season or by two months; Citing Medicine prints that
    after the year ("2004 Aug-Sep", "2004 Spring", "2003 Dec-2004 Jan"). Sources write it
    as "August-September", "aug/sep", a CSL season number (1-4) or an EDTF one (21-24), so
    months become NLM's three-letter abbreviations, seasons are capitalised and any dash or
    slash between them becomes a hyphen. Anything else (a single month, a day, "Epub")
    gives "": the year, month and day fields then tell the date on their own.
    """
    if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
        number = int(raw)
        return _SEASON_NUMBERS.get(number - 20 if number > 20 else number, "")
    text = " ".join(str(raw or "").split())
    parts = re.split(r"\s*[/\u2010-\u2015\u2212-]+\s*", text) if text else []
    out = []
    for position, part in enumerate(parts):
        match = _SEASON_PART_RE.match(part)
        # Only a later part may carry its own year, as in "Dec-2004 Jan".
        if not match or (match.group(1) and position == 0):
            return ""
        year, word = match.groups()
        name = _MONTH_ABBREVIATIONS.get(word.lower()) or _SEASONS.get(word.lower())
        if not name:
            return ""
        out.append(f"{year} {name}" if year else name)
    is_season = any(part in _SEASONS.values() for part in out)
    # One month alone belongs in the month field.
    return "-".join(out) if is_season or len(out) > 1 else ""


# --- titles --------------------------------------------------------------------------------

# Letters that NFKD does not decompose into base letter + accent but that people (and
# ASCII-only exports such as MEDLINE's AU field) write as plain ASCII.
_FOLD_TABLE = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)


def fold_accents(text: str) -> str:
    """Remove accents ("Gonçalves" -> "Goncalves", "Østergaard" -> "Ostergaard").

    Used only for comparison keys, never for display: names and titles are stored with their
    accents intact.
    """
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_FOLD_TABLE))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise_title(title: str) -> str:
    """Return a comparison key for a title: lower case, no accents, no punctuation.

    The same paper arrives as "Cramps, muscle pain, and fasciculations: not always benign?"
    from PubMed and "Cramps, Muscle Pain, and Fasciculations: {Not} Always Benign" from a
    BibTeX file; the importer de-duplicates records without a DOI or PMID on this key.
    Punctuation becomes a space (so "pain-fasciculation" and "pain fasciculation" match) and
    whitespace is collapsed.
    """
    folded = fold_accents(title).casefold()
    cleaned = "".join(ch if ch.isalnum() else " " for ch in folded)
    return " ".join(cleaned.split())


# --- author names --------------------------------------------------------------------------

_PARTICLES = frozenset(
    {
        "da",
        "das",
        "de",
        "del",
        "della",
        "der",
        "des",
        "di",
        "do",
        "dos",
        "du",
        "la",
        "le",
        "St",
        "ten",
        "ter",
        "van",
        "von",
        "zu",
    }
)
_SUFFIXES = {
    "jr": "Jr",
    "sr": "Sr",
    "ii": "2nd",
    "iii": "3rd",
    "iv": "4th",
    "2nd": "2nd",
    "3rd": "3rd",
    "4th": "4th",
}


def _is_initials(token: str) -> bool:
    """True for NLM-style initials such as "PH" or "Ø" (1-3 upper-case letters, no dots)."""
    return 1 <= len(token) <= 3 and token.isalpha() and token.isupper()


_DOTTED_INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.-?)+$")


def as_initials(token: str) -> str:
    """Initials written with or without stops ("DG", "D.G.", "D.", "J.-P."), as "DG"; else "".

    Embase and some publishers write "Adler D.G." or "Adler D. G." where MEDLINE writes
    "Adler DG"; recognising the dotted form keeps such names the right way round.
    """
    if _is_initials(token):
        return token
    if _DOTTED_INITIALS_RE.match(token) and token.replace(".", "").replace("-", "").isupper():
        return token.replace(".", "").replace("-", "")
    return ""


def _suffix(token: str) -> str:
    """The NLM spelling of a generational suffix ("Jr.", "III"), or "" if not a suffix."""
    return _SUFFIXES.get(token.strip(".,").lower(), "")


def initials(given: str) -> str:
    """Turn given names into Vancouver initials: "Pieter H." -> "PH", "Jean-Pierre" -> "JP".

    Vancouver prints at most the initials, without dots or spaces; an all-capitals short token
    such as "PH" is taken to be initials already.
    """
    result = []
    for token in given.replace(".", " ").split():
        if _is_initials(token):
            result.append(token)
            continue
        for piece in token.split("-"):
            letters = [ch for ch in piece if ch.isalpha()]
            if letters:
                result.append(letters[0].upper())
    return "".join(result)


def parse_author_name(raw: str) -> dict:
    """Split a person's name into ``{"family": ..., "given": initials}``.

    Accepts the three spellings reference files use: "Jansen, Pieter H." (family first, with
    comma), "Jansen PH" or "Jansen P.H." (MEDLINE/Vancouver, Embase) and "Pieter H. Jansen"
    (given first). Lower-case
    particles stay with the family name ("van Dijck JA", "Mamede de Carvalho") and a suffix is
    kept after the initials as NLM prints it ("King ML Jr"). Non-ASCII letters are kept as
    they are; folding them is the comparison code's job, not storage's.
    """
    text = " ".join((raw or "").split()).strip(" ,;")
    if not text:
        return {"family": "", "given": ""}

    suffix = ""
    if "," in text:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        family = parts[0]
        rest = parts[1:]
        # "King, Martin Luther, Jr." and "King, Jr., Martin Luther" both occur.
        given_parts = []
        for part in rest:
            if _suffix(part):
                suffix = _suffix(part)
            else:
                given_parts.append(part)
        given = initials(" ".join(given_parts))
    else:
        tokens = text.split()
        if len(tokens) > 1 and _suffix(tokens[-1]):
            suffix = _suffix(tokens[-1])
            tokens = tokens[:-1]
        # Initials at the end, with or without stops: "Jansen PH", "Adler D. G.".
        split_at = len(tokens)
        while split_at > 1 and as_initials(tokens[split_at - 1]):
            split_at -= 1
        if len(tokens) == 1:
            family, given = tokens[0], ""
        elif split_at < len(tokens) and not as_initials(tokens[0]):
            # "Jansen PH", "van Dijck JA", "de Carvalho M", "Liu R.", "Adler D.G."
            family = " ".join(tokens[:split_at])
            given = "".join(as_initials(t) for t in tokens[split_at:])
        else:
            # "Pieter H. Jansen", "Mamede de Carvalho"
            split_at = len(tokens) - 1
            while split_at > 1 and tokens[split_at - 1] in _PARTICLES:
                split_at -= 1
            family = " ".join(tokens[split_at:])
            given = initials(" ".join(tokens[:split_at]))

    if suffix:
        given = f"{given} {suffix}".strip()
    return {"family": family, "given": given}
