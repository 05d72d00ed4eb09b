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
from collections.abc import Callable
from dataclasses import dataclass, field

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


@dataclass
class ImportReport:
    format: str
    lines: list[ImportLine] = field(default_factory=list)

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
) -> ImportReport:
    """Parse ``text`` and add its new references to the library; see the module docstring."""
    if file_format is None:
        file_format = detect_format(filename, text)
    elif file_format not in PARSERS:
        raise UnreadableFile(
            f"Unknown format {file_format!r}; choose one of {', '.join(sorted(PARSERS))}."
        )
    result = PARSERS[file_format](text)
    if not result.records and not result.errors:
        raise UnreadableFile("The file holds no references.")
    report = ImportReport(format=file_format)
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
        with transaction.atomic():
            ref.full_clean(exclude=["key"] if not ref.key else None, validate_unique=False)
            ref.save()
            if ref.retracted:
                from kb.workflow import record_imported_retraction

                record_imported_retraction(
                    reference=ref, by=user, note="Marked as retracted by the imported record."
                )
    except IntegrityError as exc:
        return ImportLine(position, "skipped", title=data.title, reason=f"Not saved: {exc}")
    except Exception as exc:  # ValidationError from full_clean: report, keep going
        messages = getattr(exc, "messages", [str(exc)])
        return ImportLine(position, "skipped", title=data.title, reason="; ".join(messages))
    return ImportLine(position, "created", key=ref.key, title=ref.title)
