"""A live article's partner API detail as an answer: its validators and its payload.

The view (``ConditionDetailView``) answers partners with them through the keyed-answer
pipeline (``kb.caching.answers``), and ``kb.pages.keep_answers`` renders the same payload
when the revision goes live and keeps it in the database (``kb.caching.kept``), so a
partner's first fetch of an article no cache holds costs a query for stored bytes.
"""

from __future__ import annotations

from kb.api import conditional, queries
from kb.api.encoded import Encoded, encode
from kb.api.links import page_url
from kb.api.schema_org import medical_web_page
from kb.api.serializers import ConditionDetailSerializer
from kb.caching import store
from kb.caching.answers import NotLive, Validators
from kb.selectors import ArticleGone, ArticleMoved, ArticleNotFound, get_page_key

#: The representations kept rendered (``?format=schema`` is rendered on each cache miss).
KEPT_REPRESENTATIONS = ("json",)


class DetailAnswer:
    """The live article at ``slug`` in ``representation`` (``json`` or ``schema``)."""

    def __init__(self, *, slug: str, representation: str = "json") -> None:
        self.slug, self.representation = slug, representation
        kind = "api-detail" if representation == "json" else f"api-detail-{representation}"
        self.name = f"{kind}:{slug}"
        self.kept_as = kind if representation in KEPT_REPRESENTATIONS else None
        self._codes: list | None = None

    def read_validators(self) -> Validators | None:
        """The validators of the answer and the codes they name; one query."""
        key = get_page_key(slug=self.slug)
        if key is None:
            return None
        self._codes = key.codes
        etag, last_modified = conditional.keyed_detail_validators(
            key, slug=self.slug, codes=key.codes, representation=self.representation
        )
        return Validators(etag=etag, last_modified=last_modified, revision_id=key.revision_id,
                          kept=key.kept)  # fmt: skip

    def render(self) -> tuple[int, Encoded]:
        """(the revision shown, the payload); the revision is 0 when what the validators in
        use name changed since they were read (serve it once, keep none)."""
        current = True
        if self._codes is None:  # validators from the cache: read what they name again
            in_use = store.fresh(f"{self.name}:validators", self.read_validators)
            again = self.read_validators()
            current = in_use is not None and again is not None and again.etag == in_use.etag
        try:
            document = queries.get_condition_document(slug=self.slug, codes=self._codes)
        except (ArticleMoved, ArticleGone, ArticleNotFound) as exc:
            raise NotLive(self.slug) from exc
        revision_id = document.revision.pk if current else 0
        if self.representation == "schema":
            first = queries.first_published_at(condition_id=document.condition.pk)
            return revision_id, encode(medical_web_page(document, first_published=first))
        serializer = ConditionDetailSerializer(
            document, context={"page_url": page_url(document.condition.slug)}
        )
        return revision_id, encode(serializer.data)
