"""``{% open_findings as findings %}``: the evidence watch's open findings, for the review
dashboard (an include, so the dashboard view needs no change)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def open_findings(limit: int = 50):
    from kb.evidence.models import EvidenceFinding, FindingStatus

    return list(
        EvidenceFinding.objects.filter(status=FindingStatus.OPEN)
        .select_related("reference")
        .order_by("found_at", "pk")[:limit]
    )
