"""Render an approved revision once and read it back (``kb.models.Rendition``).

``write`` renders a revision's sections and reference list with ``kb.rendering`` and stores
the result; ``read`` gives a live article's rendered parts from it, rendering and storing
first when it is missing or was produced by other code. What a reader sees is the same
either way: a rendition holds exactly what ``render_article`` returns for the revision's
approved text and frozen references, and the retraction flags (the one library change that
reaches a live page at once, I9) are read live on every read.

``RENDERER`` names the rendering code: a hash of the modules that shape the output (this
one included, for the shape of a stored row) and of the Markdown, Markdown plugin,
sanitiser and Django versions (Django's template engine writes the stored body), so a
deployment that changes any of them re-renders on first read, with no version number to
remember to raise.

Once a revision is live its public history is final too, and so is most of its page: the
table of contents, the sections with their dates, the reference list and the change log
(``kb/_article_body.html``), and the citations of its JSON-LD. Those are stored as well
(``Rendition.page``), so a page no cache holds costs a few queries and no template loop.
The reference list is stored with a slot for each reference, filled on every read with
its HTML, the "[Retracted]" mark and the retraction notice (``kb_html.retraction_notice``)
of the live flags (I9). No stored citation carries the mark: renditions are rendered
without the flags, and every read marks citations (page, API, plain text) from them.
The templates and tags that shape that part are in ``RENDERER`` too, and so are the time
zone and language settings its dates are written in. The partner API's sections and
references are stored beside it, the sections' links made absolute against the article's
address then; while its address is another (a rename, another ``SITE_URL``) they are made
again on every read, as before they were stored, until the next approval stores them anew.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import django
import markdown_it
import mdit_py_plugins
import nh3
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import QuerySet, Subquery
from django.db.models.functions import JSONArray
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from kb import changelog, citations, refdata, rendering, structured_data, text, vancouver
from kb.changelog import ChangeLogEntry, PublicHistory
from kb.citations import FrozenReference
from kb.compiled import CompiledQuery
from kb.dbfunctions import JSONList
from kb.models import Citation, Rendition, Revision, Section
from kb.rendering import RenderedArticle, RenderedReference, RenderedSection, render_article
from kb.templatetags import kb_html

logger = logging.getLogger(__name__)


#: The template of the stored part of an article page (``Rendition.page``).
BODY_TEMPLATE = "kb/_article_body.html"


def _renderer() -> str:
    digest = hashlib.sha256()
    modules = (rendering, vancouver, refdata, citations, changelog, text, structured_data, kb_html)
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    # The partner API's references and sections are stored as its serialiser writes them,
    # the sections' links made absolute by its links module.
    for name in ("serializers.py", "links.py"):
        digest.update((Path(rendering.__file__).parent / "api" / name).read_bytes())
    digest.update(Path(__file__).read_bytes())  # the shape rows are stored in
    for folder in (Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])):
        if (template := folder / BODY_TEMPLATE).exists():
            digest.update(template.read_bytes())
    # Django writes the stored body (escaping, the date filter's month names).
    versions = (
        markdown_it.__version__,
        mdit_py_plugins.__version__,
        nh3.__version__,
        django.__version__,
    )
    digest.update("/".join(versions).encode())
    digest.update(f"{settings.TIME_ZONE}/{settings.LANGUAGE_CODE}".encode())
    return digest.hexdigest()[:40]


RENDERER = _renderer()


@dataclass(frozen=True)
class _LiveFlags:
    """What ``FrozenReference`` reads live from the record: its retraction state."""

    pk: int
    retracted: bool = False
    retraction_note: str = ""


def _sections(revision: Revision) -> list[Section]:
    return list(Section.objects.filter(revision=revision).order_by("position", "id"))


def _render(revision: Revision, sections: list[Section]) -> tuple[RenderedArticle, bool]:
    """The revision rendered from its approved rows; False if it cannot be stored (a citation
    approved before snapshots existed shows the live record, which may change).

    What is stored is rendered without the retraction flags, so no citation is stored with
    the "[Retracted]" mark of the day it was rendered: reads mark it from the live flag."""
    cited = list(Citation.objects.filter(revision=revision).select_related("reference"))
    cited.sort(key=lambda c: c.number)
    storable = all(c.snapshot is not None for c in cited)

    def approved(citation: Citation):
        if storable:
            return FrozenReference(citation.snapshot, _LiveFlags(citation.reference_id))
        return citations.approved_reference(citation)

    keys = list(citations.number_keys(s.body for s in sections))
    if len(keys) == len(cited):
        references = {key: approved(c) for key, c in zip(keys, cited, strict=True)}
    else:  # approved before citations were recorded at approval
        references = {c.reference.key: approved(c) for c in cited}
    return render_article(revision=revision, sections=sections, references=references), storable


def _as_row(revision: Revision, rendered: RenderedArticle) -> Rendition:
    return Rendition(
        revision=revision,
        renderer=RENDERER,
        sections=[[s.kind, s.heading, s.anchor, s.html] for s in rendered.sections],
        references=[
            {
                "number": r.number,
                "reference": r.reference.pk,
                "snapshot": citations.reference_snapshot(r.reference),
                "html": r.html,
                "text": r.text,
            }
            for r in rendered.references
        ],
        unresolved=list(rendered.unresolved),
    )


def _store(row: Rendition, *, fields: list[str]) -> None:
    """Insert or replace; best effort (a reader still gets the answer if this fails)."""
    try:
        with transaction.atomic():
            Rendition.objects.bulk_create(
                [row], update_conflicts=True, unique_fields=["revision"], update_fields=fields
            )
    except DatabaseError:
        logger.exception("Storing the rendition of revision %s failed.", row.revision_id)


_ALL_FIELDS = ["renderer", "sections", "references", "unresolved", "history", "page"]


def _render_and_store(revision: Revision) -> tuple[Rendition | None, RenderedArticle, list]:
    """Render the revision and store the result, with its public history if it is live.

    Returns the stored row (None if it cannot be stored, see ``_render``), what was
    rendered and the sections it was rendered from."""
    sections = _sections(revision)
    rendered, storable = _render(revision, sections)
    if not storable:
        return None, rendered, sections
    row = _as_row(revision, rendered)
    if revision.published_at <= timezone.now():
        history = changelog.compute_history(revision, sections)
        row.history = _history_json(history)
        row.page = _page_json(rendered, history, page_url=_page_url(revision))
    _store(row, fields=_ALL_FIELDS)
    return row, rendered, sections


def write(*, revision: Revision) -> Rendition | None:
    """Render an approved revision and store it (``approve`` calls this once the revision is
    in place); None if it cannot be stored."""
    return _render_and_store(revision)[0]


def _history_json(history: PublicHistory) -> dict:
    return {
        "entries": [
            [e.number, e.published_at.isoformat(), e.note, e.first, e.change_class]
            for e in history.entries
        ],
        "sections": [d.isoformat() if d else None for d in history.section_updated],
    }


def _history_from(data: dict) -> PublicHistory:
    return PublicHistory(
        entries=[
            ChangeLogEntry(
                number=n,
                published_at=dt.datetime.fromisoformat(at),
                note=note,
                first=first,
                change_class=rest[0] if rest else "clinical",
            )  # fmt: skip
            for n, at, note, first, *rest in data["entries"]
        ],
        section_updated=[dt.datetime.fromisoformat(d) if d else None for d in data["sections"]],
    )


# --- the stored part of the page ----------------------------------------------------------


class StoredPage:
    """What a live article's page and its partner API answer take from the rendition
    rather than rendering: each part is decoded when first read, so the page never decodes
    the API's parts, nor the API the page's."""

    def __init__(self, data: dict, notices: dict[int, _LiveFlags]) -> None:
        self._data = data
        #: Each reference's live retraction flags, by its number.
        self.notices = notices

    def retracted(self, number: int) -> bool:
        return self.notices[number].retracted

    @cached_property
    def body(self) -> SafeString:
        """``kb/_article_body.html`` as a full render writes it, retraction notices filled
        in from the live flags."""
        html, notices = self._data["html"], self.notices
        body = [
            part if isinstance(part, str) else _filled(html[part - 1], notices[part])
            for part in self._data["body"]
        ]
        return mark_safe("".join(body))  # noqa: S308 - stored from the templates' own output

    @cached_property
    def citations(self) -> list[dict]:
        """The ``citation`` list of the page's JSON-LD (``structured_data.citation_jsonld``)."""
        return json.loads(self._data["citations"])

    @cached_property
    def api_references(self) -> list[dict]:
        """The partner API's ``references``, each without its live ``retracted`` flag
        (``kb.api.serializers.ReferenceListSerializer``), citations marked from the live
        flags."""
        references = json.loads(self._data["api_references"])
        for item in references:
            item["citation"] = _marked(item["citation"], self.notices[item["number"]])
        return references

    def api_sections(self, *, page_url: str) -> list[dict] | None:
        """The partner API's ``sections`` (``kb.api.serializers.SectionSerializer``), their
        links made absolute against ``page_url``; None when they were stored against
        another address (the condition renamed since, or another ``SITE_URL``)."""
        if self._data.get("api_base") != page_url:
            return None
        return json.loads(self._data["api_sections"])


@dataclass(frozen=True)
class _Slot:
    """Stands for a reference while the body is stored: ``retraction_notice`` writes this
    marker instead of a notice, after the reference's HTML left empty (NUL never occurs
    in stored text)."""

    notice_slot: str


_SLOT_RE = re.compile("\x00slot:(\\d+)\x00")


@dataclass(frozen=True)
class _Body:
    """The context ``kb/_article_body.html`` reads, as ``kb.selectors.Article`` gives it."""

    rendered: RenderedArticle
    history: PublicHistory

    @property
    def sections(self) -> list[tuple]:
        return list(zip(self.rendered.sections, self.history.section_updated, strict=False))


def _page_json(rendered: RenderedArticle, history: PublicHistory, *, page_url: str) -> dict | None:
    """The body with a slot per reference, the JSON-LD citations and the partner API's
    sections and references (its sections' links made absolute against ``page_url``, the
    article's address now); None if the text holds something that looks like a slot (then
    pages render it in full)."""
    slotted = RenderedArticle(
        sections=rendered.sections,
        references=[  # the slot stands for the reference's HTML and its notice
            replace(r, reference=_Slot(f"\x00slot:{r.number}\x00"), html="")
            for r in rendered.references
        ],
        unresolved=rendered.unresolved,
    )
    parts = _SLOT_RE.split(render_to_string(BODY_TEMPLATE, {"article": _Body(slotted, history)}))
    body: list = [int(part) if odd else part for odd, part in _alternate(parts)]
    if body[1::2] != [r.number for r in rendered.references] or any("\x00" in p for p in body[::2]):
        return None
    from kb.api.serializers import ReferenceSerializer, SectionSerializer

    api_sections = SectionSerializer(rendered.sections, many=True, context={"page_url": page_url})
    return {
        "body": body,
        # Each reference's record, by number: its live flags are read by it.
        "refs": [r.reference.pk for r in rendered.references],
        # Each reference's HTML, unmarked: its slot writes it with its live mark.
        "html": [r.html for r in rendered.references],
        # As JSON text: PostgreSQL's jsonb keeps no key order, and both the JSON-LD and the
        # API show their keys in the order they are written; decoding text keeps it, and
        # costs far less than putting every object back in order on each read.
        "citations": json.dumps(
            [structured_data.citation_jsonld(reference=r.reference) for r in rendered.references],
            ensure_ascii=False,
        ),
        "api_references": json.dumps(
            [
                {k: v for k, v in ReferenceSerializer(r).data.items() if k != "retracted"}
                for r in rendered.references
            ],
            ensure_ascii=False,
        ),
        "api_base": page_url,
        "api_sections": json.dumps(api_sections.data, ensure_ascii=False),
    }


def _page_url(revision: Revision) -> str:
    from kb.api.links import page_url

    return page_url(revision.condition.slug)


def _alternate(parts: list[str]):
    return ((index % 2 == 1, part) for index, part in enumerate(parts))


def _page_from(data: dict, notices: dict[int, _LiveFlags]) -> StoredPage:
    """The stored page with each reference's live notice (usually none) in its slot."""
    return StoredPage(data, notices)


def _marked(formatted: str, flags: _LiveFlags) -> str:
    """A stored citation (formatted unflagged) with the live "[Retracted]" mark, if any."""
    return vancouver.mark_retracted(formatted, retracted=flags.retracted)


def _filled(html: str, flags: _LiveFlags) -> str:
    """A reference's slot in the stored body: its stored HTML with the live mark, then the
    live notice, as a full render of ``kb/_article_body.html`` writes them."""
    return _marked(html, flags) + kb_html.retraction_notice(flags)


def _flags_query(*, revision: int) -> QuerySet:
    # Approved citations keep the record they were approved with (a merge repoints only
    # open revisions' citations), so these are the rendition's references.
    return Citation.objects.filter(revision=revision, reference__retracted=True).values_list(
        "reference_id", "reference__retraction_note"
    )


#: Read on every page or API answer no cache holds, so compiled once (``kb.compiled``).
_flags = CompiledQuery(_flags_query, revision=-(2**31) + 7)


def retraction_flags(revision) -> Subquery:
    """The retracted references ``revision`` (an ``OuterRef``) cites, as a JSON array of
    ``[reference id, retraction note]`` (NULL: none): read in the article's own query
    (``kb.selectors``), so a page no cache holds pays no round trip for them."""
    cited = (
        Citation.objects.filter(revision=revision, reference__retracted=True)
        .order_by()
        .values("revision")
        .annotate(flags=JSONList(JSONArray("reference_id", "reference__retraction_note")))
    )
    return Subquery(cited.values("flags")[:1])


def _live_flags(row: Rendition, *, retracted: dict | None = None) -> dict[int, _LiveFlags]:
    """The retraction flags of the rendition's references, by their number: ``retracted``
    (reference id → note) when read with the revision, else one query."""
    if row.page is not None and "refs" in row.page:  # no need to read the references
        pks = row.page["refs"]
    else:
        pks = [item["reference"] for item in sorted(row.references, key=lambda i: i["number"])]
    if retracted is None:
        retracted = dict(_flags.rows(revision=row.revision_id))
    return {
        number: _LiveFlags(pk, True, retracted[pk]) if pk in retracted else _LiveFlags(pk)
        for number, pk in enumerate(pks, start=1)
    }


class _StoredRendering:
    """A rendition's parts as ``RenderedArticle`` holds them. The references (a record
    object each) are built only when something reads them: a page or API answer with a
    stored page needs only their flags."""

    def __init__(self, row: Rendition, flags: dict[int, _LiveFlags]) -> None:
        self._row, self._flags = row, flags
        self.sections = [RenderedSection(*item) for item in row.sections]
        self.unresolved = list(row.unresolved)

    @cached_property
    def references(self) -> list[RenderedReference]:
        references = []
        for item in self._row.references:
            flags = self._flags.get(item["number"], _LiveFlags(item["reference"]))
            references.append(
                RenderedReference(
                    number=item["number"],
                    reference=FrozenReference(item["snapshot"], flags),
                    html=_marked(item["html"], flags),
                    text=_marked(item["text"], flags),
                )
            )
        return references


def _rendered_from(row: Rendition, *, live: bool = True) -> RenderedArticle:
    """The rendition's parts; with the live retraction flags (one query) unless ``live`` is
    False (storing the page body, whose notices are slots)."""
    return _StoredRendering(row, _live_flags(row) if live else {})  # type: ignore[return-value]


def read(*, revision: Revision) -> tuple[RenderedArticle, PublicHistory]:
    """An approved revision's rendered parts and public history, from its rendition.

    Costs one query (the retraction flags) when the revision was loaded with its
    rendition (``select_related("rendition")``), and one more the first time it is read
    live (its history is stored then).
    """
    rendered, history, _page = read_page(revision=revision)
    return rendered, history


def read_page(*, revision: Revision) -> tuple[RenderedArticle, PublicHistory, StoredPage | None]:
    """``read``, and the stored part of the page once the revision has been live (None
    before: its history, hence its dates, are not final)."""
    if not revision.is_approved:
        raise ValueError("Only approved revisions have a rendition.")
    row = _loaded(revision)
    if row is None or row.renderer != RENDERER:
        row, rendered, sections = _render_and_store(revision)
        if row is None:
            history = changelog.public_history(revision=revision, sections=sections)
            return rendered, history, None
    if row.history is None:
        sections = _sections(revision)
        if revision.published_at > timezone.now():  # not live yet: its log is not final
            history = changelog.public_history(revision=revision, sections=sections)
            return _rendered_from(row), history, None
        row.history = _history_json(changelog.compute_history(revision, sections))
        _store(row, fields=["history"])
    flags = _live_flags(row, retracted=getattr(revision, "_retraction_flags", None))
    rendered, history = _StoredRendering(row, flags), _history_from(row.history)
    if row.page is None:  # live before pages were stored
        row.page = _page_json(
            _rendered_from(row, live=False), history, page_url=_page_url(revision)
        )
        if row.page is None:
            return rendered, history, None  # type: ignore[return-value]
        _store(row, fields=["page"])
    return rendered, history, _page_from(row.page, flags)  # type: ignore[return-value]


def _loaded(revision: Revision) -> Rendition | None:
    try:
        return revision.rendition  # loaded with the revision, or one query
    except Rendition.DoesNotExist:
        return None


def write_missing(*, live_only: bool = False, batch: int = 200) -> int:
    """Render approved revisions without a current rendition (``write_renditions``);
    ``live_only``: only those readers see now."""
    from kb.selectors import published_revisions

    approved = published_revisions() if live_only else Revision.objects.filter(status="approved")
    ids = list(
        approved.exclude(rendition__renderer=RENDERER).order_by("pk").values_list("pk", flat=True)
    )
    written = 0
    for start in range(0, len(ids), batch):
        for revision in Revision.objects.filter(pk__in=ids[start : start + batch]):
            written += write(revision=revision) is not None
    return written
