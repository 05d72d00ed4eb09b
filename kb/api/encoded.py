"""JSON answers kept encoded: a warm answer writes stored bytes instead of re-encoding.

Why: a cached detail (about 26 KB) or list page was kept as a dict, and DRF's
``JSONRenderer`` encoded it again on every request, a cost larger than the rest of a warm
answer. The cached value is now ``Encoded`` (the bytes the renderer wrote the first time);
``EncodedJSONRenderer`` writes them as they are when the request asks for the default
rendering, which is byte for byte what encoding the dict gives. A request for another
rendering (``Accept: application/json; indent=4``) decodes them and renders as before;
a plain dict still renders as DRF always did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from rest_framework.renderers import JSONRenderer


@dataclass(frozen=True)
class Encoded:
    """A JSON payload as ``EncodedJSONRenderer`` writes it by default."""

    content: bytes

    def __bytes__(self) -> bytes:
        return self.content

    def decoded(self) -> Any:
        return json.loads(self.content)


class EncodedJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, writing an ``Encoded`` payload without encoding it again."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, Encoded):
            if self.get_indent(accepted_media_type or "", renderer_context or {}) is None:
                return data.content
            data = data.decoded()
        return super().render(data, accepted_media_type, renderer_context)


def encode(data: Any) -> Encoded:
    """``data`` encoded as the default rendering of every partner answer."""
    return Encoded(EncodedJSONRenderer().render(data, EncodedJSONRenderer.media_type, {}))
