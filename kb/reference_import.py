"""Importing reference-manager files into the shared library, without duplicates.

A record matches an existing reference by DOI (any spelling), then PMID, then normalised
title + year; a match is reported, not duplicated, and the existing record is left as it
is (editors may have corrected it). Records that cannot be read are reported with their
position and reason and do not stop the others. A file that cannot be read at all raises
``UnreadableFile`` before anything is written.

A new record whose source marks it retracted (PubMed's "Retracted Publication") comes in
flagged, and that is logged as a ``ReferenceEvent`` (``kb.workflow.record_imported_retraction``):
nothing cites a new record, so no page changes. An existing record is never touched, so an
import never flags or unflags one: that is ``kb.workflow.set_retraction``'s job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from kb.importers import PARSERS, UnreadableFile, detect_format
from kb.models import Reference
from kb.models.reference import KEY_RE
from kb.refdata import ReferenceData, normalise_title


@dataclass
class ImportLine:
    position: int
    outcome: str  # "created", "matched" or "skipped"
    key: str = ""
    title: str = ""
    reason: str = ""
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

    def summary(self) -> str:
        return f"{self.created} created, {self.matched} matched, {self.skipped} skipped"


FIELDS = [f.name for f in dataclasses.fields(ReferenceData)]


def find_existing(data: ReferenceData) -> tuple[Reference | None, str]:
    """The library record this one duplicates, and by what (``doi``, ``pmid``, ``title``)."""
    if data.doi:
        found = Reference.objects.filter(doi=data.doi).first()
        if found:
            return found, "DOI"
    if data.pmid:
        found = Reference.objects.filter(pmid=data.pmid).first()
        if found:
            return found, "PMID"
    wanted = normalise_title(data.title)
    if wanted:
        candidates = Reference.objects.filter(year=data.year).only("pk", "title", "key")
        for candidate in candidates.iterator():
            if normalise_title(candidate.title) == wanted:
                return candidate, "title and year"
    return None, ""


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


def import_references(
    *,
    text: str,
    filename: str = "",
    file_format: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    by=None,
    notes: Sequence[str] = (),
) -> ImportReport:
    """Parse ``text`` and add its new references to the library; see the module docstring.

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
    report = ImportReport(format=file_format, notes=list(notes))
    for error in result.errors:
        report.lines.append(ImportLine(error.position, "skipped", reason=error.message))
    total = len(result.records)
    for done, record in enumerate(result.records, start=1):
        report.lines.append(_import_one(record.position, record.data, record.key, user=by))
        if progress:
            progress(done, total)
    report.lines.sort(key=lambda line: line.position)
    return report


def _import_one(position: int, data: ReferenceData, key: str, *, user=None) -> ImportLine:
    if not (data.title or "").strip():
        return ImportLine(position, "skipped", reason="The record has no title.")
    existing, by = find_existing(data)
    if existing is not None:
        return ImportLine(
            position, "matched", key=existing.key, title=existing.title,
            reason=f"Already in the library (same {by}).",
        )  # fmt: skip
    ref = reference_from_data(data, key=key)
    try:
        notes = _fit_to_model(ref, exclude=["key"] if not ref.key else None)
        with transaction.atomic():
            ref.save()
            if ref.retracted:
                from kb.workflow import record_imported_retraction

                record_imported_retraction(
                    reference=ref, by=user, note="Marked as retracted by the imported record."
                )
    except IntegrityError:
        return ImportLine(
            position, "skipped", title=data.title,
            reason="Not saved: the library already has a record with this DOI, PMID or key.",
        )  # fmt: skip
    except ValidationError as exc:
        return ImportLine(position, "skipped", title=data.title, reason=_describe(exc))
    except Exception as exc:  # anything else: report it, keep importing the others
        messages = getattr(exc, "messages", [str(exc)])
        return ImportLine(
            position, "skipped", title=data.title, reason="Not saved: " + " ".join(messages)
        )
    return ImportLine(position, "created", key=ref.key, title=ref.title, notes=notes)


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
        ref.full_clean(exclude=exclude, validate_unique=False)
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
    ref.full_clean(exclude=exclude, validate_unique=False)
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
