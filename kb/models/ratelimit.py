"""One fixed window's count of requests for one subject, used by ``kb.ratelimit``.

Only the database store writes here (no Redis configured). A row is named by the scope,
a keyed hash of the subject (a reader's address or a partner key's prefix, so no
address is stored), the window's length and its number; it expires with its window and
is deleted once expired.

Written only through queryset ``update()``/``bulk_create()`` and a raw ``DELETE``, which
send no model signals: counting a request is not a change to public content.
"""

from __future__ import annotations

from django.db import models


class RateLimitCounter(models.Model):
    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "rate-limit counter"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
