"""Content negotiation for the partner API, without parsing the usual ``Accept`` headers.

Why: DRF parses and orders the ``Accept`` header on every request, a noticeable share of a
warm partner answer. Nearly every client sends none, ``*/*`` or ``application/json``; for
those the answer is known (the first renderer, in its own media type, as DRF picks it), so
it is given at once. Anything else, including parameters such as ``indent=2`` and headers
that must answer 406, goes through DRF's negotiation unchanged.
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation

#: ``Accept`` values (None: no header) that DRF resolves to the first renderer.
PLAIN_ACCEPTS = frozenset({None, "*/*"})


class PartnerContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT")
        if not format_suffix and renderers:
            if accept in PLAIN_ACCEPTS:
                return renderers[0], renderers[0].media_type
            for renderer in renderers:
                if renderer.media_type == accept:
                    return renderer, accept
        return super().select_renderer(request, renderers, format_suffix)
