"""Importing reference-manager files into the shared library, without duplicates.

A record matches an existing reference by DOI (any spelling), then PMID, then by title and
year together with first author and container (and volume, issue and first page where both
give them): see ``find_match``. A match is reported, not duplicated, and the existing
record is left as it is (editors may have corrected it). Title and year alone are not
identity: such a record is imported and reported as a possible duplicate, for a person to
compare and merge (``kb.reference_merge``), never dropped.

Records that cannot be read are reported with their position and reason and do not stop
the others. A file that cannot be read at all raises ``UnreadableFile`` before anything is
written.

A new record whose source marks it retracted (PubMed's "Retracted Publication") comes in
flagged, and that is logged as a ``ReferenceEvent`` (``kb.workflow.record_imported_retraction``):
nothing cites a new record, so no page changes. An existing record is never touched, so an
import never flags or unflags one: that is ``kb.workflow.set_retraction``'s job.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connections, router, transaction

from kb.importers import PARSERS, UnreadableFile, detect_format
from kb.models import Reference
from kb.models.reference import KEY_RE, title_key
from kb.refdata import ReferenceData, normalise_doi, normalise_pmid, normalise_title


@dataclass
class ImportLine:
    position: int
    outcome: str  # "created", "matched" or "skipped"
    key: str = ""
    title: str = ""
    reason: str = ""
    #: For a created record that may be a copy of a library record: that record's key.
    duplicate_of: str = ""
    #: The library record created or matched.
    reference_id: int | None = None
    notes: list[str] = field(default_factory=list)
    """What was left out of or shortened in a record that was created."""


@dataclass
class ImportReport:
    format: str
    lines: list[ImportLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What the editor should know about the file as a whole, e.g. how it was decoded."""

    def _count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def created(self) -> int:
        return self._count("created")

    @property
    def matched(self) -> int:
        return self._count("matched")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def possible_duplicates(self) -> int:
        return sum(1 for line in self.lines if line.duplicate_of)

    def summary(self) -> str:
        text = f"{self.created} created, {self.matched} matched, {self.skipped} skipped"
        if self.possible_duplicates:
            n = self.possible_duplicates
            text += f"; {n} possible duplicate{'' if n == 1 else 's'} to check"
        return text


FIELDS = [f.name for f in dataclasses.fields(ReferenceData)]


@dataclass(frozen=True)
class Match:
    """A library record an incoming record resembles.

    ``same_work`` is True when the two are one publication (same DOI or PMID, or same
    title, year, first author and journal or book, and no disagreeing volume, issue or
    first page); False for a possible duplicate: same title and year only, for a person
    to compare and, if need be, merge.
    """

    reference: Reference
    same_work: bool
    reason: str


def _norm(value) -> str:
    return normalise_title(str(value or ""))


def _first_family(authors) -> str:
    for author in authors or []:
        return _norm(author.get("family") or author.get("literal"))
    return ""


def _container(record) -> str:
    """Where it was published: the journal, book or site, or failing that the publisher
    (reference managers file a web page's or report's site in either field)."""
    return _norm(record.container_title) or _norm(record.publisher)


def _first_page(pages) -> str:
    """``"721-3"`` and ``"721–723"`` both start on ``"721"``."""
    return (_norm(pages).split() or [""])[0]


def _disagreements(data: ReferenceData, candidate: Reference) -> list[str]:
    """What keeps two records of the same title and year from being one work.

    First author and container must agree (both empty agrees: an anonymous note in no
    journal; one empty does not, so such a record is imported for a person to check).
    Volume, issue and first page must agree where both records give them, as reference
    managers often leave them out.
    """
    found = []
    if _first_family(data.authors) != _first_family(candidate.authors):
        found.append("first author")
    if _container(data) != _container(candidate):
        found.append("journal or book")
    for label, mine, theirs in (
        ("volume", _norm(data.volume), _norm(candidate.volume)),
        ("issue", _norm(data.issue), _norm(candidate.issue)),
        ("pages", _first_page(data.pages), _first_page(candidate.pages)),
    ):
        if mine and theirs and mine != theirs:
            found.append(label)
    return found


def find_match(*, data: ReferenceData, exclude_pk: int | None = None) -> Match | None:
    """The library record this one is (or may be) a copy of; ``None`` when it is new.

    DOI, then PMID, identify a work outright. Without them, candidates share the title
    key and the year (one indexed query, ``Reference.title_key``), then are compared in
    full: title and year alone are not identity (two "Correction" notices of one year are
    different works), so a candidate that disagrees on author, container, volume, issue
    or pages is returned as a possible duplicate, not as the same work.
    """
    others = Reference.objects.exclude(pk=exclude_pk) if exclude_pk else Reference.objects
    if data.doi:
        doi = normalise_doi(data.doi)
        found = others.filter(doi=doi).first() if doi else None
        if found:
            return Match(_kept(found), True, "same DOI")
    if data.pmid:
        pmid = normalise_pmid(data.pmid)
        found = others.filter(pmid=pmid).first() if pmid else None
        if found:
            return Match(_kept(found), True, "same PMID")
    others = others.filter(merged_into__isnull=True)  # an alias is its kept record's copy
    wanted = normalise_title(data.title or "")
    if not wanted:
        return None
    same_key = others.filter(title_key=title_key(data.title), year=data.year).order_by("pk")
    candidates = [c for c in same_key if normalise_title(c.title) == wanted]
    possible = None
    for candidate in candidates:
        differing = _disagreements(data, candidate)
        if not differing:
            return Match(candidate, True, "same title, year, first author and journal or book")
        if possible is None:
            possible = Match(
                candidate, False, f"same title and year, but not the same {', '.join(differing)}"
            )
    return possible


def _kept(reference: Reference) -> Reference:
    """The record that stands for ``reference``: itself, or the one it was merged into."""
    seen = {reference.pk}
    while reference.merged_into_id is not None and reference.merged_into_id not in seen:
        seen.add(reference.merged_into_id)
        reference = reference.merged_into
    return reference


def data_of(*, reference: Reference) -> ReferenceData:
    """A library record as importers describe one, to compare it with the others."""
    return ReferenceData(**{name: getattr(reference, name) for name in FIELDS})


def reference_from_data(data: ReferenceData, *, key: str = "") -> Reference:
    values = {name: getattr(data, name) for name in FIELDS}
    values["doi"] = values["doi"] or None
    values["pmid"] = values["pmid"] or None
    for name in ("volume", "issue", "pages", "edition"):
        values[name] = str(values[name] or "")
    ref = Reference(**values)
    if key and KEY_RE.match(key) and not Reference.objects.filter(key=key).exists():
        ref.key = key[:60]
    return ref


class TooManyRecords(Exception):
    """The file holds more records than the caller takes in one go (nothing was written)."""


def import_references(
    *,
    text: str,
    filename: str = "",
    file_format: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    by=None,
    notes: Sequence[str] = (),
    max_records: int | None = None,
    all_or_nothing: bool = True,
) -> ImportReport:
    """Parse ``text`` and add its new references to the library; see the module docstring.

    With ``all_or_nothing`` (the default, and what the desk uses) the whole import is one
    transaction: it completes, or anything that stops it half-way (an error, a lost
    connection, a worker killed at its timeout) leaves the library as it was. A record that
    cannot be saved is still only skipped (its own savepoint). Without it each batch of new
    records (``BATCH_SIZE``) is committed as it is written: the command does that for files
    of any size, so a long import does not hold the publication lock from every approval
    until it ends, and an interrupted one can simply be run again (what it wrote is then
    matched).

    ``max_records``: refuse, with ``TooManyRecords`` and before writing anything, a file
    holding more records than that.

    ``notes`` are carried into the report as they are (``decode_upload``'s, for instance).
    """
    if file_format is None:
        file_format = detect_format(filename, text)
    elif file_format not in PARSERS:
        raise UnreadableFile(
            f"Unknown format {file_format!r}; choose one of {', '.join(sorted(PARSERS))}."
        )
    result = PARSERS[file_format](text)
    if not result.records and not result.errors:
        raise UnreadableFile("The file holds no references.")
    total = len(result.records)
    if max_records is not None and total > max_records:
        raise TooManyRecords(
            f"The file holds {total:,} records; at most {max_records:,} are imported at a time."
        )
    report = ImportReport(format=file_format, notes=list(notes))
    for error in result.errors:
        report.lines.append(ImportLine(error.position, "skipped", reason=error.message))
    writer = _Writer(user=by, lines=report.lines)
    with transaction.atomic() if all_or_nothing else contextlib.nullcontext():
        for done, record in enumerate(result.records, start=1):
            writer.add(record.position, record.data, record.key)
            if progress:
                progress(done, total)
        writer.flush()
    report.lines.sort(key=lambda line: line.position)
    return report


#: New records inserted together (one INSERT and one publication advance per batch,
#: instead of a dozen queries a record through ``Reference.save``).
BATCH_SIZE = 500


@dataclass
class _New:
    position: int
    data: ReferenceData
    ref: Reference
    match: Match | None
    notes: list[str]


class _Writer:
    """Matches each record as it comes and inserts the new ones in batches.

    Every record is matched against the library as it stands after the records before
    it, exactly as if each were saved in turn: a record that could match (same DOI, PMID,
    title key and year) or take the key of one still waiting writes the waiting ones
    first. If the database refuses a batch (a rule only it checks, such as a month of
    13), the batch is saved record by record, so only the faulty record is skipped.
    """

    def __init__(self, *, user, lines: list[ImportLine]) -> None:
        self.user = user
        self.lines = lines
        self.waiting: list[_New] = []
        self.seen: set[tuple] = set()

    @staticmethod
    def _marks(data: ReferenceData) -> set[tuple]:
        marks = {("title", title_key(data.title), data.year)}
        if data.doi:
            marks.add(("doi", normalise_doi(data.doi)))
        if data.pmid:
            marks.add(("pmid", normalise_pmid(data.pmid)))
        return marks

    def add(self, position: int, data: ReferenceData, key: str) -> None:
        if not (data.title or "").strip():
            self.lines.append(ImportLine(position, "skipped", reason="The record has no title."))
            return
        marks = self._marks(data)
        if key:
            marks.add(("key", key))
        if marks & self.seen:
            self.flush()
        match = find_match(data=data)
        if match is not None and match.same_work:
            existing = match.reference
            self.lines.append(ImportLine(
                position, "matched", key=existing.key, title=existing.title,
                reason=f"Already in the library ({match.reason}).", reference_id=existing.pk,
            ))  # fmt: skip
            return
        ref = reference_from_data(data, key=key)
        try:
            notes = _fit_to_model(ref, exclude=["key"] if not ref.key else None)
        except ValidationError as exc:
            self.lines.append(
                ImportLine(position, "skipped", title=data.title, reason=_describe(exc))
            )
            return
        ref.fill_derived_fields()
        if ("key", ref.key) in self.seen:  # generated from the library without those waiting
            self.flush()
            ref.key = ""
            ref.fill_derived_fields()
        self.waiting.append(_New(position, data, ref, match, notes))
        self.seen |= marks | {("key", ref.key)}
        if len(self.waiting) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        waiting, self.waiting, self.seen = self.waiting, [], set()
        if not waiting:
            return
        database = connections[router.db_for_write(Reference)]
        if database.features.can_return_rows_from_bulk_insert:  # the new ids, for the report
            try:
                with transaction.atomic():
                    Reference.objects.bulk_create([new.ref for new in waiting])
                    for new in waiting:
                        self._log_retraction(new.ref)
            except IntegrityError:
                for new in waiting:  # nothing of the batch was written: one by one
                    new.ref.pk = None
                    new.ref._state.adding = True
            else:
                self.lines.extend(self._created(new) for new in waiting)
                return
        for new in waiting:
            self.lines.append(self._save_one(new))

    def _save_one(self, new: _New) -> ImportLine:
        try:
            with transaction.atomic():
                new.ref.save()
                self._log_retraction(new.ref)
        except IntegrityError as exc:
            return ImportLine(new.position, "skipped", title=new.data.title, reason=_explain(exc))
        return self._created(new)

    def _log_retraction(self, ref: Reference) -> None:
        if ref.retracted:
            from kb.workflow import record_imported_retraction

            record_imported_retraction(
                reference=ref, by=self.user, note="Marked as retracted by the imported record."
            )

    @staticmethod
    def _created(new: _New) -> ImportLine:
        ref, match = new.ref, new.match
        if match is not None:
            twin = match.reference.key
            return ImportLine(
                new.position, "created", key=ref.key, title=ref.title, duplicate_of=twin,
                reason=f"Possible duplicate of [{twin}]: {match.reason}. Compare the two and "
                "merge them if they are one publication.", reference_id=ref.pk,
                notes=new.notes,
            )  # fmt: skip
        return ImportLine(
            new.position, "created", key=ref.key, title=ref.title, reference_id=ref.pk,
            notes=new.notes,
        )  # fmt: skip


#: What the importer says of a record the database refused under one of its rules.
CONSTRAINT_MESSAGES = {
    "kb_reference_month_valid": "The month must be a number from 1 to 12.",
    "kb_reference_day_valid": "The day must be a number from 1 to 31.",
}


def _explain(exc: IntegrityError) -> str:
    for name, message in CONSTRAINT_MESSAGES.items():
        if name in str(exc):
            return message
    return "Not saved: the library already has a record with this DOI, PMID or key."


_LEFT_OUT_WHOLE = frozenset({"url", "doi", "pmid", "pmcid"})
"""Fields where a shortened value would be a wrong one, so a bad value is left out."""


def _fit_to_model(ref: Reference, *, exclude: list[str] | None) -> list[str]:
    """Validate ``ref``, first leaving out or shortening the fields that would stop it being
    saved; returns what was done, for the report. Raises ``ValidationError`` if the record
    still cannot be saved (e.g. its title is too long).

    Why: one bad field (a URL with "_" in its host name, two URLs in one field, EndNote's
    "<Go to ISI>://WOS:..." link, an issue of 105 characters) used to cost the whole record.
    Text too long for its column is shortened with "…"; a URL or identifier that is not valid
    is left out, except that of several URLs in one field the first valid one is kept. The
    title is never shortened: it is what editors find and cite the record by.
    """
    try:
        ref.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        problems = [name for name in exc.message_dict if name not in (NON_FIELD_ERRORS, "title")]
    else:
        return []
    notes = []
    for name in problems:
        model_field = Reference._meta.get_field(name)
        value = getattr(ref, name)
        label = model_field.verbose_name
        if name == "url":
            notes.append(_fit_url(ref, value))
        elif name not in _LEFT_OUT_WHOLE and isinstance(value, str) and model_field.max_length:
            limit = model_field.max_length
            setattr(ref, name, value[: limit - 1].rstrip() + "…")
            notes.append(
                f"The {label} had {len(value)} characters, more than the {limit} the library "
                f"holds, so it was shortened to “{getattr(ref, name)}”."
            )
        else:
            setattr(ref, name, model_field.get_default())
            notes.append(f"The {label} “{_shown(value)}” is not valid and was left out.")
    ref.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    return notes


def _fit_url(ref: Reference, value: str) -> str:
    """Keep the first valid web address in ``value``; the note says what was left out."""
    url_field = Reference._meta.get_field("url")
    candidates = [c for c in value.replace(";", " ").split() if c]
    for candidate in candidates:
        try:
            url_field.clean(candidate, ref)
        except ValidationError:
            continue
        ref.url = candidate
        others = " ".join(c for c in candidates if c != candidate)
        return f"The URL field held more than one address; kept {candidate}, left out {others}."
    ref.url = ""
    return f"The URL “{_shown(value)}” is not a valid web address and was left out."


def _shown(value: object) -> str:
    """A field value short enough to quote in a report line."""
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _describe(exc: ValidationError) -> str:
    """Why a record could not be saved, as sentences naming the fields."""
    if not hasattr(exc, "error_dict"):
        return "Not saved: " + " ".join(exc.messages)
    parts = []
    for name, messages in exc.message_dict.items():
        if name == NON_FIELD_ERRORS:
            parts.extend(messages)
        else:
            label = str(Reference._meta.get_field(name).verbose_name)
            parts.extend(f"{label.capitalize()}: {message}" for message in messages)
    return "Not saved. " + " ".join(parts)


@dataclass(frozen=True)
class IdentifierImport:
    """A reference looked up by DOI or PMID: the library record and whether it is new."""

    reference: Reference
    created: bool
    #: What the author should check (a possible duplicate, fields left out, a retraction).
    notes: list[str] = field(default_factory=list)


def import_by_identifier(*, identifier: str, by, fetch=None) -> IdentifierImport:
    """Add the publication a DOI or PMID names to the library, or find it already there.

    For the desk's citation picker: an author citing a paper not yet in the library gets
    it without leaving the draft. The lookup is ``kb.lookup`` (``fetch`` replaces its HTTP
    call in tests) and the match the importers' (``find_match``), so the same paper is never
    added twice. Raises ``kb.lookup.LookupFailed`` (its message says what went wrong) and
    ``kb.exceptions.NotPermitted``; writes nothing then.
    """
    from kb.exceptions import NotPermitted
    from kb.lookup import LookupNotFound, lookup

    if not (by and by.is_active and by.has_perm("kb.add_reference")):
        raise NotPermitted("You do not have permission to add references to the library.")
    data = lookup(identifier, fetch=fetch)
    match = find_match(data=data)
    if match is not None and match.same_work:
        return IdentifierImport(reference=match.reference, created=False)
    if not (data.title or "").strip():
        raise LookupNotFound("The record found has no title: add it by hand in the library.")
    with transaction.atomic():
        ref = reference_from_data(data)
        notes = _fit_to_model(ref, exclude=["key"])
        ref.fill_derived_fields()
        ref.save()
        if ref.retracted:
            from kb.workflow import record_imported_retraction

            record_imported_retraction(
                reference=ref, by=by, note="Marked as retracted by the record looked up."
            )
    if match is not None:
        notes.append(
            f"Possible duplicate of [@{match.reference.key}]: {match.reason}. Ask a medical "
            "reviewer to merge them if they are one publication."
        )
    if ref.retracted:
        notes.append("The source marks this publication as retracted: do not cite it.")
    return IdentifierImport(reference=ref, created=True, notes=notes)
