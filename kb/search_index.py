"""Writing search documents: one per approved revision (see ``kb.models.search``).

``index_revisions`` is called by ``kb.workflow.approve`` for the revision it approves and
by the library import for the approved revisions it restores; the migration that
introduced documents and ``manage.py rebuild_search_index`` call it for every approved
revision lacking one. Documents are derived data: rebuilding them loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Prefetch, QuerySet

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
