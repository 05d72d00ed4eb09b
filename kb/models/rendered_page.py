"""A live article's whole page, rendered once and kept with its revision.

Why: a page that no cache holds (a partner's crawler, a reader of a rarely read article)
would otherwise run the page template and the JSON-LD on every read, although nearly all
of the page is fixed once the revision is live. So the page is rendered when the revision
goes live (and by ``write_renditions``) and kept here under ``key``: a hash of everything
the bytes depend on (the article's address, its ETag — which names the revision, its
latest review, the retraction flags it shows, its related conditions and clinical codes —
and the deployment: templates, code, settings and static files). A read uses the bytes
only when the key it computes now is the same; otherwise it renders, as before.

Like a rendition, a rendered page is derived data, not content: it can be deleted at any
time, and it never decides what is live (the page key, read from the database, does).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RenderedPage(models.Model):
    revision = models.ForeignKey(
        "kb.Revision", on_delete=models.CASCADE, related_name="rendered_pages"
    )
    #: The template the page was rendered with (``kb/article.html``).
    template = models.CharField(max_length=100)
    #: ``kb.rendered_pages.page_key``: what the bytes show, under which deployment.
    key = models.CharField(max_length=64)
    content = models.BinaryField()
    rendered_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "rendered page"
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "template"], name="kb_renderedpage_one_per_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} of revision {self.revision_id}"
