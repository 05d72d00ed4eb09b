"""The searchable text of one published or scheduled revision, written once at approval.

An approved revision never changes (I2), so neither does its search document: it is
computed once (``kb.search_index``) instead of on every search, and deleted when the
revision stops being public (superseded, withdrawn, its go-live cancelled), so there are
about as many documents as live conditions. On PostgreSQL its
weighted ``tsvector`` is GIN-indexed (migration 0005), so a search reads the index rather
than every revision's sections. Search still starts from ``published_revisions()`` (I1):
a document is reached only through a live revision, never on its own.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from kb.models.publication import PublicQuerySet


class SearchDocument(models.Model):
    revision = models.OneToOneField(
        "kb.Revision",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    #: The name and the other names, space-separated (weight A; "did you mean" matching).
    names = models.TextField()
    #: The one-sentence summary (weight B; the start of every snippet).
    summary = models.TextField()
    #: Each section's heading and body as plain words, Markdown and citation keys removed
    #: (weight C; snippets are quoted from it).
    body = models.TextField()
    #: PostgreSQL only: the weighted document (A names, B summary, C body), GIN-indexed.
    vector = SearchVectorField(null=True, editable=False)
    #: PostgreSQL only: names (A) and summary (B) alone, small enough to stay in the row:
    #: results are ranked by it, so ranking thousands of matches reads no large vector.
    head = SearchVectorField(null=True, editable=False)

    objects = PublicQuerySet.as_manager()

    class Meta:
        verbose_name = "search document"

    def __str__(self) -> str:
        return f"Search document of revision {self.revision_id}"
