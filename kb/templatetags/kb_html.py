"""Template filters for the HTML the site writes.

``machine_datetime``: the value of a ``<time datetime>`` attribute. Django's ``date:'c'``
writes microseconds (``…T03:47:38.672992+00:00``), but HTML's valid global date and time
string allows at most three digits of fraction, so every such page failed validation. A
reader's page never needs sub-second precision, so the fraction is dropped.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter(expects_localtime=True)
def machine_datetime(value: dt.datetime | dt.date | None) -> str:
    """An ISO 8601 value valid in ``datetime=`` (seconds and offset, no fraction)."""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return ""
