"""Writing search documents: one per revision that is public now or scheduled to be.

A document exists for a condition's published revision and its scheduled one (unless the
condition is withdrawn), and for nothing else: a search finds its matches among about as
many documents as there are live conditions, not among every revision ever approved (three
times as many at the benchmark's 10,000 conditions). A scheduled revision keeps its
document before its go-live, so when the time comes it is searchable with no write: the
query still picks the live one of the two (``published_revisions()``, I1).

``sync_documents`` applies that rule to some conditions (or all): it writes the missing
documents and deletes those of revisions that stopped being public. The workflow calls it
wherever a condition's published or scheduled revision, or its withdrawal, changes
(approval, go-live catch-up, cancelled schedule, withdrawal, merge, restore), and so do the
library import, ``manage.py rebuild_search_index``, the benchmark's generator and
migration 0026. ``index_revisions`` writes the documents of given revisions (the older
migrations call it with their historical models). Documents are derived data: rebuilding
them loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from kb.search import HEADING_JOINER, SEARCH_CONFIG, plain_text

BATCH = 500


def document_fields(*, name: str, also_known_as, summary: str, sections: Iterable) -> dict:
    """The text columns of a document, from a revision's fields and its ordered sections."""
    others = [str(n).strip() for n in (also_known_as or []) if str(n).strip()]
    body = "\n".join(
        f"{s.heading}{HEADING_JOINER}{' '.join(plain_text(s.body).split())}" for s in sections
    )
    return {"names": " ".join([name, *others]), "summary": summary, "body": body}


def index_revisions(
    revisions: QuerySet, *, document_model=None, section_model=None, vendor: str | None = None
) -> int:
    """Write the missing documents of ``revisions`` (approved ones); returns how many.

    The model arguments let a migration pass its historical models.
    """
    from kb.models import SearchDocument, Section

    document_model = document_model or SearchDocument
    section_model = section_model or Section
    pending = (
        revisions.filter(status="approved", search_document__isnull=True)
        .order_by("pk")
        .prefetch_related(
            Prefetch("sections", queryset=section_model.objects.order_by("position", "id"))
        )
    )
    written = 0
    batch: list = []
    for revision in pending.iterator(chunk_size=BATCH):
        fields = document_fields(
            name=revision.name,
            also_known_as=revision.also_known_as,
            summary=revision.summary,
            sections=revision.sections.all(),
        )
        batch.append(document_model(revision_id=revision.pk, **fields))
        if len(batch) >= BATCH:
            written += _write(batch, document_model, vendor)
            batch = []
    if batch:
        written += _write(batch, document_model, vendor)
    return written


def public_revisions(*, conditions: QuerySet | None = None, revision_model=None) -> QuerySet:
    """The revisions that keep a document: published or scheduled, of a condition that is
    not withdrawn (of ``conditions``, default all). The model argument is for migrations."""
    from kb.models import Revision

    revision_model = revision_model or Revision
    conditions = conditions if conditions is not None else _conditions(revision_model)
    shown = conditions.filter(withdrawn_at__isnull=True)
    return revision_model.objects.filter(
        Q(pk__in=shown.filter(published_revision__isnull=False).values("published_revision"))
        | Q(pk__in=shown.filter(scheduled_revision__isnull=False).values("scheduled_revision")),
        status="approved",
    )


def sync_documents(
    *,
    conditions: QuerySet | None = None,
    revision_model=None,
    document_model=None,
    section_model=None,
    vendor: str | None = None,
) -> tuple[int, int]:
    """Make the documents of ``conditions`` (default all) follow the rule above: write the
    missing ones, delete the others; returns (written, deleted)."""
    from kb.models import Revision, SearchDocument

    revision_model = revision_model or Revision
    document_model = document_model or SearchDocument
    wanted = public_revisions(conditions=conditions, revision_model=revision_model)
    stale = document_model.objects.exclude(revision_id__in=wanted.values("pk"))
    if conditions is not None:
        stale = stale.filter(revision__condition__in=conditions.values("pk"))
    deleted = stale.delete()[0]
    written = index_revisions(
        wanted, document_model=document_model, section_model=section_model, vendor=vendor
    )
    return written, deleted


def sync_condition(condition) -> tuple[int, int]:
    """``sync_documents`` for one condition, after a transition changed what it shows."""
    return sync_documents(conditions=type(condition).objects.filter(pk=condition.pk))


def _conditions(revision_model) -> QuerySet:
    return revision_model._meta.get_field("condition").related_model.objects.all()


def _write(batch: list, document_model, vendor: str | None) -> int:
    document_model.objects.bulk_create(batch, ignore_conflicts=True)
    if (vendor or connection.vendor) == "postgresql":
        from django.contrib.postgres.search import SearchVector

        head = SearchVector("names", weight="A", config=SEARCH_CONFIG) + SearchVector(
            "summary", weight="B", config=SEARCH_CONFIG
        )
        vectors = {"vector": head + SearchVector("body", weight="C", config=SEARCH_CONFIG)}
        # Migrations before 0020 pass a historical model without ``head`` (0020 fills it).
        if any(field.name == "head" for field in document_model._meta.concrete_fields):
            vectors["head"] = head
        document_model.objects.filter(
            revision_id__in=[d.revision_id for d in batch], vector__isnull=True
        ).update(**vectors)
    return len(batch)
