"""BibTeX / BibLaTeX import (Zotero, JabRef, Google Scholar, LaTeX users' own files).

bibtexparser v2 splits the file and resolves ``@string`` macros; ``#`` concatenations are
joined here. Names are split with its BibTeX name rules *before* LaTeX decoding, because
decoding removes the braces that mark an organisation ("{World Health Organization}" must
not become "Organization WH"). Every text value is then decoded with
``LatexDecodingMiddleware`` and our pylatexenc context (``kb.importers.latex``):
``{\\c{c}}`` -> "ç", ``{\\O}`` -> "Ø", ``{\\textless}`` -> "<"; except identifiers and URLs,
where ``%`` and ``~`` are literal characters, not LaTeX.
"""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    LatexDecodingMiddleware,
    RemoveEnclosingMiddleware,
    ResolveStringReferencesMiddleware,
)
from bibtexparser.middlewares.middleware import LibraryMiddleware
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)

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
from kb.importers.latex import DECODER
from kb.refdata import (
    ReferenceData,
    as_initials,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    parse_author_name,
)

_TYPE_KINDS: dict[str, str] = {
    "article": "journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "book",
    "proceedings": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "incollection": "chapter",
    "inbook": "chapter",
    "inproceedings": "chapter",
    "conference": "chapter",
    "inreference": "chapter",
    "techreport": "guideline",
    "report": "guideline",
    "manual": "guideline",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "webpage": "webpage",
}
"""BibTeX/BibLaTeX entry types -> our kinds; @misc and unknown types are guessed."""

#: The degree a thesis entry type implies (BibLaTeX's ``type`` field, when given, wins).
_THESIS_DEGREES = {"phdthesis": "dissertation", "mastersthesis": "master's thesis"}

# Values that are not LaTeX: decoding would eat "%" (a comment) and turn "~" into a space.
_VERBATIM_FIELDS = frozenset({"doi", "url", "urldate", "pmid", "pmcid", "eprint", "eprinttype"})

_DECODER = LatexDecodingMiddleware(decoder=DECODER)
_UNESCAPED_PERCENT_RE = re.compile(r"(?<!\\)%")


def decode_latex(value: str) -> str:
    """Plain Unicode text from a BibTeX value ("Gon{\\c{c}}alves" -> "Gonçalves").

    Uses bibtexparser's own ``LatexDecodingMiddleware`` on a one-off ``String`` block so the
    decoding rules are exactly the library's. A bare "%" (common in exported titles such as
    "50% reduction") is escaped first, since LaTeX would read it as the start of a comment.
    """
    if not any(ch in value for ch in "\\{}$~%"):
        return clean(value)
    value = _UNESCAPED_PERCENT_RE.sub(r"\\%", value)
    block = _DECODER.transform_string(String(key="value", value=value), Library())
    if isinstance(block, String):
        return clean(block.value)
    return clean(value.replace("{", "").replace("}", ""))


def _is_braced(word: str) -> bool:
    """True if the whole word is one brace group, e.g. "{World Health Organization}"."""
    if not (word.startswith("{") and word.endswith("}")):
        return False
    depth = 0
    for i, ch in enumerate(word):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0 and i < len(word) - 1:
            return False
    return True


def parse_names(raw: str) -> list[dict]:
    """Author or editor dicts from a BibTeX name list ("A and B and {Some Organisation}")."""
    people: list[dict] = []
    for name in split_multiple_persons_names(raw or ""):
        parts = parse_single_name_into_parts(name, strict=False)
        if not parts.first and not parts.von and not parts.jr and len(parts.last) == 1:
            word = parts.last[0]
            if _is_braced(word) or " " in word:
                people.append({"literal": decode_latex(word)})
                continue
        if (
            "," not in name
            and len(parts.last) == 1
            and parts.first
            and as_initials(decode_latex(parts.last[0]))
            and not as_initials(decode_latex(parts.first[0]))
        ):
            # "Adler D. G.", "Liu R.": BibTeX would take the initials for the family name.
            people.append(parse_author_name(decode_latex(name)))
            continue
        if "," not in name and looks_like_organisation(decode_latex(name)):
            # "the scikit-image contributors", written without the protecting braces.
            people.append({"literal": decode_latex(name)})
            continue
        family = decode_latex(" ".join([*parts.von, *parts.last]))
        if not family:
            continue
        pieces = [family, *(decode_latex(" ".join(p)) for p in (parts.jr, parts.first) if p)]
        people.append(parse_author_name(", ".join(pieces)))
    return people


def _split_concatenation(value: str) -> list[str]:
    """The operands of ``"Signalling in " # "muscle"``: split at ``#`` outside braces and quotes."""
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for i, ch in enumerate(value):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0 and value[i - 1 : i] != "\\":
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return parts


class _ExpandConcatenation(LibraryMiddleware):
    """Join ``#`` concatenations, resolving ``@string`` names among the operands.

    bibtexparser resolves a field that is a single ``@string`` name but leaves an expression
    such as ``pnas # " U S A"`` as it is written. The result is braced so that bibtexparser's
    ``RemoveEnclosingMiddleware``, which runs next, treats it like any other value.
    """

    def __init__(self):
        super().__init__(allow_inplace_modification=True)

    @classmethod
    def metadata_key(cls) -> str:
        return "expand_concatenation"

    def transform(self, library: Library) -> Library:
        strings = {key.lower(): block.value for key, block in library.strings_dict.items()}
        for entry in library.entries:
            for entry_field in entry.fields:
                value = entry_field.value
                if isinstance(value, str) and len(_split_concatenation(value)) > 1:
                    entry_field.value = "{" + _expand(value, strings, depth=0) + "}"
        return library


def _expand(value: str, strings: dict[str, str], *, depth: int) -> str:
    """The text of a BibTeX value expression; unknown names (e.g. ``jan``) stay as written."""
    out = []
    for part in _split_concatenation(value):
        if len(part) >= 2 and (part[0], part[-1]) in (("{", "}"), ('"', '"')):
            out.append(part[1:-1])
        elif part.lower() in strings and depth < 10:
            out.append(_expand(strings[part.lower()], strings, depth=depth + 1))
        else:
            out.append(part)
    return "".join(out)


def _fields(entry: Entry) -> dict[str, str]:
    """Field values by lower-case key, LaTeX-decoded except identifiers; names left raw."""
    out: dict[str, str] = {}
    for entry_field in entry.fields:
        key = entry_field.key.lower()
        value = entry_field.value if isinstance(entry_field.value, str) else str(entry_field.value)
        if key in ("author", "editor"):
            out[key] = value
        elif key in _VERBATIM_FIELDS:
            out[key] = clean(value.replace("{", "").replace("}", "").replace("\\", ""))
        else:
            out[key] = decode_latex(value)
    return out


def _entry_to_data(entry: Entry) -> ReferenceData:
    """Map one BibTeX entry to ``ReferenceData``."""
    f = _fields(entry)
    entry_type = entry.entry_type.lower()
    kind = _TYPE_KINDS.get(entry_type, "")
    data = ReferenceData()
    data.title = f.get("title", "")
    data.authors = parse_names(f.get("author", ""))
    data.editors = parse_names(f.get("editor", ""))
    if kind == "chapter":
        data.container_title = f.get("booktitle", "")
    elif kind in ("journal", ""):
        data.container_title = f.get("journal") or f.get("journaltitle") or f.get("booktitle") or ""
    elif kind == "webpage":
        data.container_title = f.get("organization") or f.get("journal") or ""
    data.publisher = (
        f.get("publisher") or f.get("institution") or f.get("organization") or f.get("school")
    ) or ""
    if kind == "webpage" and data.publisher == data.container_title:
        data.container_title = ""
    data.place = f.get("address") or f.get("location") or ""
    data.edition = f.get("edition", "")

    if f.get("date"):
        data.year, data.month, data.day = parse_iso_like_date(f["date"])
    if f.get("year"):
        data.year = parse_year(f["year"]) or data.year
    if f.get("month"):
        data.month = parse_month(f["month"]) or data.month
    if f.get("day"):
        data.day = parse_day(f["day"])
    if not data.month:
        data.day = None

    data.volume = f.get("volume", "")
    data.issue = f.get("number") or f.get("issue") or ""
    data.pages = normalise_pages(f.get("pages", ""))

    data.doi = normalise_doi(f.get("doi", ""))
    eprint_type = f.get("eprinttype", "").lower()
    data.pmid = normalise_pmid(f.get("pmid", "")) or (
        normalise_pmid(f.get("eprint", "")) if eprint_type == "pubmed" else ""
    )
    data.pmcid = normalise_pmcid(f.get("pmcid", "")) or (
        normalise_pmcid(f.get("eprint", "")) if eprint_type == "pmc" else ""
    )
    url = f.get("url", "")
    if not data.doi and normalise_doi(url):
        data.doi = normalise_doi(url)
    elif not normalise_doi(url):
        data.url = url
    if f.get("urldate"):
        data.accessed_on = make_date(*parse_iso_like_date(f["urldate"]))

    status = " ".join((f.get("pubstate", ""), f.get("note", ""), f.get("year", ""))).lower()
    data.in_press = bool(re.search(r"\b(in ?press|forthcoming)\b", status))

    if kind == "thesis":
        data.degree = f.get("type") or _THESIS_DEGREES.get(entry_type, "")
    data.kind = kind or guess_kind(data)
    return data


def _describe_failure(block: ParsingFailedBlock) -> str:
    """A sentence on a block bibtexparser could not parse, with its line and the reason.

    bibtexparser keeps the reason in ``abort_reason``; ``str()`` of its exception is empty.
    """
    reason = clean(getattr(block.error, "abort_reason", "") or str(block.error or ""))
    line = f" starting on line {block.start_line + 1}" if block.start_line is not None else ""
    because = f" ({reason.rstrip('.')})" if reason else ""
    return f"The entry{line} could not be read{because}; check its braces, quotes and commas."


def parse(text: str) -> ParseResult:
    """Parse a BibTeX file into records and per-entry errors.

    Raises ``UnreadableFile`` when the text is empty, binary or contains no ``@type{...}``
    entries at all.
    """
    text = check_text(text, "BibTeX")
    library = bibtexparser.parse_string(
        text,
        parse_stack=[
            ResolveStringReferencesMiddleware(),
            _ExpandConcatenation(),
            RemoveEnclosingMiddleware(),
        ],
    )
    result = ParseResult()
    position = 0
    for block in library.blocks:
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            # Same key twice is a BibTeX problem, not a reference problem: import both;
            # the importer de-duplicates on DOI, PMID and title.
            entry = block.ignore_error_block
        elif isinstance(block, Entry):
            entry = block
        elif isinstance(block, ParsingFailedBlock):
            position += 1
            result.errors.append(RecordError(position, _describe_failure(block)))
            continue
        else:
            continue  # @string, @preamble, @comment and text between entries
        position += 1
        try:
            data = _entry_to_data(entry)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            result.errors.append(
                RecordError(
                    position,
                    f"The entry [{entry.key}] could not be read: one of its fields has a form "
                    "we do not recognise.",
                )
            )
            continue
        problem = validate(data)
        if problem:
            result.errors.append(RecordError(position, f"{problem[:-1]} [{entry.key}]."))
            continue
        result.records.append(ParsedRecord(position, data, key=entry.key))
    if position == 0:
        raise UnreadableFile("No BibTeX entries found: entries look like '@article{key, ...}'.")
    return result
