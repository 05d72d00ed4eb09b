"""An approved revision rendered once: its sections as HTML and its reference list.

An approved revision never changes (I2), and neither do the references it shows (their
snapshots, I9) but for the retraction flag, which is read live. So the Markdown, citation
numbering, sanitising and Vancouver formatting are done once, when the revision is
approved (or on its first read, for revisions approved before renditions existed), and a
page or API answer that no cache holds costs a query rather than a render. The public
history up to the revision is added on its first read while live: it is final from then on.

A rendition is derived data, not content: it can be deleted at any time and is written
again on the next read. ``renderer`` names the code that produced it; a rendition from
other code is ignored and replaced, so a change to the renderer reaches every page.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Rendition(models.Model):
    revision = models.OneToOneField(
        "kb.Revision",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="rendition",
    )
    #: ``kb.renditions.RENDERER``: the rendering code this was produced by.
    renderer = models.CharField(max_length=40)
    #: ``[[kind, heading, anchor, html], …]`` in section order.
    sections = models.JSONField()
    #: ``[{"number", "reference", "snapshot", "html", "text"}, …]`` in citation order.
    references = models.JSONField()
    #: Citation keys that matched no record (shown marked in the text).
    unresolved = models.JSONField(default=list)
    #: The public change log up to this revision and each section's last-updated date,
    #: once the revision has been live (None before).
    history = models.JSONField(null=True, blank=True)
    #: Once live, the part of the page that never changes (``kb.renditions.StoredPage``):
    #: ``{"body": [html, reference number, html, …], "citations": "[JSON-LD, …]", …}``, the
    #: numbers marking where each reference goes with its live retraction mark and
    #: notice. None before.
    page = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "rendition"

    def __str__(self) -> str:
        return f"rendition of revision {self.revision_id}"
