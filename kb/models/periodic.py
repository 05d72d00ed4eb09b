"""When each piece of daily background work was last enqueued (``enqueue_periodic``)."""

from __future__ import annotations

from django.db import models


class PeriodicRun(models.Model):
    """One row per daily job: the last day it was enqueued.

    Why: cron calls ``enqueue_periodic`` every few minutes; daily work (reminders, the
    evidence watch) must be enqueued once a day however often, or however many servers,
    call it. The claim is one conditional UPDATE on this row, so two callers never both win.
    """

    name = models.CharField(max_length=100, unique=True)
    last_day = models.DateField(null=True, blank=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "periodic run"

    def __str__(self) -> str:
        return f"{self.name} (last {self.last_day or 'never'})"
