"""The partner API (``/api/v1/``): approved articles as JSON for partner sites.

One concern per module:

- ``authentication``: ``X-API-Key: <key>`` (or ``Authorization: Api-Key <key>``) against
  ``accounts.PartnerAPIKey``.
- ``permissions``: a valid key of an active partner.
- ``throttling``: each key's own rate (``Partner.throttle_rate``).
- ``pagination``: pages with strictly checked ``page`` / ``page_size``; the condition list
  is paged by key (``cursor``), page numbers found from its cached outline.
- ``keyset``: the condition list's cursor, a place in its A–Z order.
- ``filters``: parsing and applying ``q``, ``updated_since``, ``code`` and ``since``.
- ``queries``: the reads, all starting from ``kb.selectors.published_revisions()`` (I1).
- ``links``: absolute URLs from ``SITE_URL`` and absolute links inside section HTML.
- ``conditional``: ETag / Last-Modified validators and 304 answers.
- ``serializers``: the JSON contract (field names fixed by the design).
- ``errors``: one error shape, ``{"detail": …, "code": …}``, for every error status
  and for 301s.
- ``infobutton``: the HL7 Infobutton look-up by code system OID and code.
- ``schema``: what the OpenAPI document says about HTTP itself (headers by status, HEAD).
- ``views`` and ``urls``: the endpoints, the OpenAPI schema and its offline docs; any other
  address under ``/api/`` answers in the error shape (``UnknownEndpointView``).
"""
