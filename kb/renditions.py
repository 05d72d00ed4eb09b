"""Render an approved revision once and read it back (``kb.models.Rendition``).

``write`` renders a revision's sections and reference list with ``kb.rendering`` and stores
the result; ``read`` gives a live article's rendered parts from it, rendering and storing
first when it is missing or was produced by other code. What a reader sees is the same
either way: a rendition holds exactly what ``render_article`` returns for the revision's
approved text and frozen references, and the retraction flags (the one library change that
reaches a live page at once, I9) are read live on every read.

``RENDERER`` names the rendering code: a hash of the modules that shape the output (this
one included, for the shape of a stored row) and of the Markdown, Markdown plugin and
sanitiser versions, so a deployment that changes any of them re-renders on first read,
with no version number to remember to raise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import markdown_it
import mdit_py_plugins
import nh3
from django.db import DatabaseError, transaction
from django.utils import timezone

from kb import changelog, citations, refdata, rendering, text, vancouver
from kb.changelog import ChangeLogEntry, PublicHistory
from kb.citations import FrozenReference
from kb.models import Citation, Reference, Rendition, Revision, Section
from kb.rendering import RenderedArticle, RenderedReference, RenderedSection, render_article

logger = logging.getLogger(__name__)


def _renderer() -> str:
    digest = hashlib.sha256()
    for module in (rendering, vancouver, refdata, citations, changelog, text):
        digest.update(Path(module.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())  # the shape rows are stored in
    versions = (markdown_it.__version__, mdit_py_plugins.__version__, nh3.__version__)
    digest.update("/".join(versions).encode())
    return digest.hexdigest()[:40]


RENDERER = _renderer()


@dataclass(frozen=True)
class _LiveFlags:
    """What ``FrozenReference`` reads live from the record: its retraction state."""

    pk: int
    retracted: bool = False
    retraction_note: str = ""


def _sections(revision: Revision) -> list[Section]:
    return list(Section.objects.filter(revision=revision).order_by("position", "id"))


def _render(revision: Revision, sections: list[Section]) -> tuple[RenderedArticle, bool]:
    """The revision rendered from its approved rows; False if it cannot be stored (a citation
    approved before snapshots existed shows the live record, which may change)."""
    cited = list(Citation.objects.filter(revision=revision).select_related("reference"))
    cited.sort(key=lambda c: c.number)
    keys = list(citations.number_keys(s.body for s in sections))
    if len(keys) == len(cited):
        references = {
            key: citations.approved_reference(c) for key, c in zip(keys, cited, strict=True)
        }
    else:  # approved before citations were recorded at approval
        references = {c.reference.key: citations.approved_reference(c) for c in cited}
    storable = all(c.snapshot is not None for c in cited)
    return render_article(revision=revision, sections=sections, references=references), storable


def _as_row(revision: Revision, rendered: RenderedArticle) -> Rendition:
    return Rendition(
        revision=revision,
        renderer=RENDERER,
        sections=[[s.kind, s.heading, s.anchor, s.html] for s in rendered.sections],
        references=[
            {
                "number": r.number,
                "reference": r.reference.pk,
                "snapshot": citations.reference_snapshot(r.reference),
                "html": r.html,
                "text": r.text,
            }
            for r in rendered.references
        ],
        unresolved=list(rendered.unresolved),
    )


def _store(row: Rendition, *, fields: list[str]) -> None:
    """Insert or replace; best effort (a reader still gets the answer if this fails)."""
    try:
        with transaction.atomic():
            Rendition.objects.bulk_create(
                [row], update_conflicts=True, unique_fields=["revision"], update_fields=fields
            )
    except DatabaseError:
        logger.exception("Storing the rendition of revision %s failed.", row.revision_id)


_ALL_FIELDS = ["renderer", "sections", "references", "unresolved", "history"]


def _render_and_store(revision: Revision) -> tuple[Rendition | None, RenderedArticle, list]:
    """Render the revision and store the result, with its public history if it is live.

    Returns the stored row (None if it cannot be stored, see ``_render``), what was
    rendered and the sections it was rendered from."""
    sections = _sections(revision)
    rendered, storable = _render(revision, sections)
    if not storable:
        return None, rendered, sections
    row = _as_row(revision, rendered)
    if revision.published_at <= timezone.now():
        row.history = _history_json(changelog.compute_history(revision, sections))
    _store(row, fields=_ALL_FIELDS)
    return row, rendered, sections


def write(*, revision: Revision) -> Rendition | None:
    """Render an approved revision and store it (``approve`` calls this once the revision is
    in place); None if it cannot be stored."""
    return _render_and_store(revision)[0]


def _history_json(history: PublicHistory) -> dict:
    return {
        "entries": [
            [e.number, e.published_at.isoformat(), e.note, e.first, e.change_class]
            for e in history.entries
        ],
        "sections": [d.isoformat() if d else None for d in history.section_updated],
    }


def _history_from(data: dict) -> PublicHistory:
    return PublicHistory(
        entries=[
            ChangeLogEntry(
                number=n,
                published_at=dt.datetime.fromisoformat(at),
                note=note,
                first=first,
                change_class=rest[0] if rest else "clinical",
            )  # fmt: skip
            for n, at, note, first, *rest in data["entries"]
        ],
        section_updated=[dt.datetime.fromisoformat(d) if d else None for d in data["sections"]],
    )


def _rendered_from(row: Rendition) -> RenderedArticle:
    ids = [item["reference"] for item in row.references]
    flags = {
        pk: _LiveFlags(pk, True, note)
        for pk, note in Reference.objects.filter(pk__in=ids, retracted=True).values_list(
            "pk", "retraction_note"
        )
    }
    return RenderedArticle(
        sections=[RenderedSection(*item) for item in row.sections],
        references=[
            RenderedReference(
                number=item["number"],
                reference=FrozenReference(
                    item["snapshot"], flags.get(item["reference"], _LiveFlags(item["reference"]))
                ),
                html=item["html"],
                text=item["text"],
            )
            for item in row.references
        ],
        unresolved=list(row.unresolved),
    )


def read(*, revision: Revision) -> tuple[RenderedArticle, PublicHistory]:
    """An approved revision's rendered parts and public history, from its rendition.

    Costs one query (the retraction flags) when the revision was loaded with its
    rendition (``select_related("rendition")``), and one more the first time it is read
    live (its history is stored then).
    """
    if not revision.is_approved:
        raise ValueError("Only approved revisions have a rendition.")
    row = _loaded(revision)
    if row is None or row.renderer != RENDERER:
        row, rendered, sections = _render_and_store(revision)
        if row is None:
            return rendered, changelog.public_history(revision=revision, sections=sections)
    if row.history is None:
        sections = _sections(revision)
        if revision.published_at > timezone.now():  # not live yet: its log is not final
            history = changelog.public_history(revision=revision, sections=sections)
            return _rendered_from(row), history
        row.history = _history_json(changelog.compute_history(revision, sections))
        _store(row, fields=["history"])
    return _rendered_from(row), _history_from(row.history)


def _loaded(revision: Revision) -> Rendition | None:
    try:
        return revision.rendition  # loaded with the revision, or one query
    except Rendition.DoesNotExist:
        return None


def write_missing(*, live_only: bool = False, batch: int = 200) -> int:
    """Render approved revisions without a current rendition (``write_renditions``);
    ``live_only``: only those readers see now."""
    from kb.selectors import published_revisions

    approved = published_revisions() if live_only else Revision.objects.filter(status="approved")
    ids = list(
        approved.exclude(rendition__renderer=RENDERER).order_by("pk").values_list("pk", flat=True)
    )
    written = 0
    for start in range(0, len(ids), batch):
        for revision in Revision.objects.filter(pk__in=ids[start : start + batch]):
            written += write(revision=revision) is not None
    return written
