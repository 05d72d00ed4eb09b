"""A live article's page as an answer: its validators and its rendering.

The view (``kb.views.articles``) answers readers with them through the keyed-answer
pipeline (``kb.caching.answers``); ``keep_answers`` renders the same answer (and the
partner API's detail, ``kb.api.detail``) when a revision goes live and keeps it in the
database (``kb.caching.kept``), so the first reader of a page no cache holds gets stored
bytes rather than a render. Both go through ``PageAnswer``, so what is kept is exactly
what the view would render.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from kb.caching import kept, store
from kb.caching.answers import NotLive, Validators
from kb.selectors import (
    ArticleGone,
    ArticleMoved,
    ArticleNotFound,
    get_condition_codes,
    get_page_key,
    get_published_article,
)
from kb.structured_data import article_jsonld, as_script

#: The page templates kept rendered (the print view is rendered on each cache miss).
KEPT_TEMPLATES = ("kb/article.html",)


def _codes_tag(codes) -> str:
    """A short name for the condition's clinical codes, added to the page's ETag."""
    text = repr([(c.system, c.code) for c in codes])
    return "k" + hashlib.sha256(text.encode()).hexdigest()[:12]


class PageAnswer:
    """The live article at ``slug`` rendered with ``template``, for ``request``.

    ``get_page_key`` names everything the article shows (revision, latest review, cited
    references' retraction state, live related conditions); the condition's clinical codes
    (in the JSON-LD) sit outside the revision, so their tag is added to the ETag.
    """

    def __init__(self, *, slug: str, template: str, request: HttpRequest) -> None:
        self.slug, self.template, self.request = slug, template, request
        self.name = f"page:{template}:{slug}"
        self.kept_as = template if template in KEPT_TEMPLATES else None
        self._codes: list | None = None

    def read_validators(self) -> Validators | None:
        key = get_page_key(slug=self.slug)
        if key is None:
            return None
        self._codes = codes = key.codes
        etag = f'{key.etag[:-1]}-{_codes_tag(codes)}"'
        return Validators(etag=etag, last_modified=key.last_modified,
                          revision_id=key.revision_id, kept=key.kept)  # fmt: skip

    def render(self) -> tuple[int, bytes]:
        """(the revision shown, the page's bytes); the revision is 0 when the codes were
        edited since the validators in use were read (serve it once, keep none)."""
        try:
            art = get_published_article(slug=self.slug)
        except (ArticleMoved, ArticleGone, ArticleNotFound) as exc:  # changed meanwhile
            raise NotLive(self.slug) from exc
        codes, current = self._codes, True
        if codes is None:  # validators from the cache: do they name these codes?
            codes = get_condition_codes(slug=self.slug)
            validators = store.fresh(f"{self.name}:validators", self.read_validators)
            current = validators is not None and _codes_tag(codes) in validators.etag
        context = {"article": art, "jsonld": as_script(article_jsonld(article=art, codes=codes))}
        html = render_to_string(self.template, context, self.request)
        # Kept encoded: a warm answer writes the stored bytes.
        return (art.revision.pk if current else 0), html.encode()


def reader_request(path: str) -> HttpRequest:
    """A reader's GET of ``path`` with no session: what a kept page is rendered for (public
    pages show every reader the same bytes; the shared cache relies on that too)."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    return request


def _kept_answers(slug: str) -> list:
    """Each answer kept rendered for the live article at ``slug``: its page and its partner
    API detail (``kb.api.detail``)."""
    from kb.api.detail import KEPT_REPRESENTATIONS, DetailAnswer

    request = reader_request(reverse("kb:article", args=[slug]))
    return [
        *(PageAnswer(slug=slug, template=t, request=request) for t in KEPT_TEMPLATES),
        *(DetailAnswer(slug=slug, representation=r) for r in KEPT_REPRESENTATIONS),
    ]


def keep_answers(*, slug: str) -> int:
    """Render each kept answer of the live article at ``slug`` and keep it
    (``kb.caching.kept``); how many were kept (0 when nothing is live there)."""
    return sum(
        kept.keep(
            template=answer.kept_as,
            name=answer.name,
            read_validators=answer.read_validators,
            render=answer.render,
        )
        for answer in _kept_answers(slug)
    )


def keep_missing_answers(*, batch: int = 500) -> tuple[int, int]:
    """Keep every live article's answers that are not kept under their current key (after
    a deployment, a bulk load or a restore: ``write_renditions --live``); (articles kept,
    articles that failed).

    An answer that cannot be rendered here (say, static files not collected yet) is logged
    and left to be rendered on its first read; its article counts as failed."""
    from kb.models import RenderedPage
    from kb.selectors import published_revisions

    live = list(published_revisions().order_by("pk").values_list("pk", "condition__slug"))
    done = failed = 0
    for start in range(0, len(live), batch):
        chunk = live[start : start + batch]
        kept_keys = set(
            RenderedPage.objects.filter(revision__in=[pk for pk, _slug in chunk]).values_list(
                "template", "key"
            )
        )
        for _pk, slug in chunk:
            answers = _kept_answers(slug)
            if all(_kept_current(answer, kept_keys) for answer in answers):
                continue
            if keep_answers(slug=slug) == len(answers):
                done += 1
            else:  # logged by kb.caching.kept
                failed += 1
    return done, failed


def _kept_current(answer, kept_keys: set) -> bool:
    validators = answer.read_validators()
    if validators is None:
        return True
    return (answer.kept_as, kept.key_for(name=answer.name, etag=validators.etag)) in kept_keys
