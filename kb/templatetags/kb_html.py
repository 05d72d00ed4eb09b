"""Template filters for the HTML the site writes.

``machine_datetime``: the value of a ``<time datetime>`` attribute. Django's ``date:'c'``
writes microseconds (``…T03:47:38.672992+00:00``), but HTML's valid global date and time
string allows at most three digits of fraction, so every such page failed validation. A
reader's page never needs sub-second precision, so the fraction is dropped.

``retraction_notice``: the notice after a retracted reference. It is the one part of an
approved article's reference list read live (I9), so the stored article body
(``kb.renditions``) keeps a slot where it goes and fills it with this same tag's output.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag
def retraction_notice(reference) -> SafeString:
    """The notice for a retracted reference, or nothing.

    A reference carrying ``notice_slot`` (the stored body being rendered) gets that marker
    instead, replaced on every read by this tag's answer for the live flags.
    """
    if (slot := getattr(reference, "notice_slot", None)) is not None:
        return mark_safe(slot)  # noqa: S308 - a marker of our own, never shown
    if not reference.retracted:
        return mark_safe("")
    note = ""
    if reference.retraction_note:
        note = format_html(' <span class="retraction-note">{}</span>', reference.retraction_note)
    return format_html(
        ' <strong class="retracted">This publication has been retracted.</strong>{}', note
    )
