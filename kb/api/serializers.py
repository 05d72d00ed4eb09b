"""The JSON contract partners code against. Field names are fixed by the design; change
them only in a new API version."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kb.api.filters import format_cursor
from kb.api.links import absolute_links, api_url, page_url
from kb.api.schema_org import health_aspects
from kb.models import ChangeAction, ChangeClass, CodeSystem, SectionKind
from kb.vancouver import format_name

CHANGE_CLASS_HELP = (
    "What kind of change this revision made, as its medical reviewer confirmed: clinical "
    "(changes advice or facts), editorial (wording, structure) or correction (typos, "
    "links). Re-review your copy for clinical changes."
)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. not_found.")


class MovedSerializer(ErrorSerializer):
    location = serializers.URLField(help_text="The new address, as in the Location header.")


class GoneSerializer(ErrorSerializer):
    withdrawn_at = serializers.DateTimeField(help_text="When the condition was withdrawn.")


class ConditionSummarySerializer(serializers.Serializer):
    """One list item (a published revision with its latest review's dates)."""

    slug = serializers.CharField(source="condition.slug")
    name = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The public page (canonical URL).")
    api_url = serializers.SerializerMethodField(help_text="This condition in the API.")
    revision = serializers.IntegerField(source="number", help_text="Published revision number.")
    published_at = serializers.DateTimeField(help_text="When this revision went live.")
    last_reviewed = serializers.DateField(allow_null=True)
    next_review_due = serializers.DateField(allow_null=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, revision) -> str:
        return page_url(revision.condition.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, revision) -> str:
        return api_url(revision.condition.slug)


class _StoredListSerializer(serializers.ListSerializer):
    """A list a live revision stores as its serialiser writes it (``kb.renditions``): served
    from the stored page when it has it, else serialised item by item. So the field reads
    the whole article from a ``ConditionDocument``, whatever its ``source`` says (the
    schema's)."""

    def get_attribute(self, instance):
        article = getattr(instance, "article", None)
        return article if article is not None else super().get_attribute(instance)

    def to_representation(self, data):
        if not hasattr(data, "rendered"):  # a plain list of rendered items
            return super().to_representation(data)
        stored = self.stored(data.stored) if data.stored is not None else None
        if stored is None:
            return super().to_representation(self.rendered(data.rendered))
        return stored

    def stored(self, page) -> list | None:
        raise NotImplementedError

    def rendered(self, rendered) -> list:
        raise NotImplementedError


class SectionListSerializer(_StoredListSerializer):
    """An article's sections, stored against the article's address then
    (``kb.renditions.StoredPage.api_sections``): nothing in them is live, so they are
    served as stored while the address is the same."""

    def stored(self, page) -> list | None:
        return page.api_sections(page_url=self.context["page_url"])

    def rendered(self, rendered) -> list:
        return rendered.sections


class SectionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SectionKind.choices)
    heading = serializers.CharField()
    html = serializers.SerializerMethodField(help_text="Sanitised HTML; every link is absolute.")

    class Meta:
        list_serializer_class = SectionListSerializer

    def get_html(self, section) -> str:
        return absolute_links(section.html, base=self.context["page_url"])


class ReferenceListSerializer(_StoredListSerializer):
    """An article's references, stored without the retraction flag
    (``kb.renditions.StoredPage.api_references``): only the flag is read live (I9), and
    it is the last field, as here."""

    def stored(self, page) -> list | None:
        return [
            {**item, "retracted": page.retracted(item["number"])} for item in page.api_references
        ]

    def rendered(self, rendered) -> list:
        return rendered.references


class ReferenceSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The number the text cites it by.")
    citation = serializers.CharField(source="text", help_text="Formatted in Vancouver style.")
    authors = serializers.SerializerMethodField()
    title = serializers.CharField(source="reference.title")
    journal = serializers.CharField(
        source="reference.container_title", help_text="Journal, book or website."
    )
    year = serializers.IntegerField(source="reference.year", allow_null=True)
    doi = serializers.CharField(source="reference.doi", allow_null=True)
    pmid = serializers.CharField(source="reference.pmid", allow_null=True)
    url = serializers.SerializerMethodField()
    retracted = serializers.BooleanField(source="reference.retracted")

    class Meta:
        list_serializer_class = ReferenceListSerializer

    def get_authors(self, rendered) -> list[str]:
        names = (format_name(a) for a in rendered.reference.authors or [] if isinstance(a, dict))
        return [n for n in names if n]

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_url(self, rendered) -> str | None:
        # Partners put this in an href: only http(s), as on our own pages, so a URL stored by
        # an unvalidated import (javascript:, data:) never reaches their readers.
        url = rendered.reference.url or ""
        return url if url.lower().startswith(("http://", "https://")) else None


class ReviewerSerializer(serializers.Serializer):
    name = serializers.CharField(source="reviewer.byline_name")
    credentials = serializers.CharField(source="reviewer.credentials")


class RelatedSerializer(serializers.Serializer):
    slug = serializers.CharField(source="condition.slug")
    name = serializers.CharField()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, revision) -> str:
        return api_url(revision.condition.slug)


class CodeSerializer(serializers.Serializer):
    system = serializers.ChoiceField(choices=CodeSystem.choices)
    code = serializers.CharField()
    display = serializers.CharField()


class AttributionSerializer(serializers.Serializer):
    publisher = serializers.CharField()
    canonical_url = serializers.URLField()
    licence = serializers.CharField()


class ConditionDetailSerializer(serializers.Serializer):
    """A list item's fields plus the article: sections, references, review, links, codes."""

    slug = serializers.CharField(source="condition.slug")
    name = serializers.CharField(source="revision.name")
    summary = serializers.CharField(source="revision.summary")
    url = serializers.SerializerMethodField(help_text="The public page (canonical URL).")
    api_url = serializers.SerializerMethodField()
    revision = serializers.IntegerField(source="revision.number")
    change_class = serializers.ChoiceField(
        choices=ChangeClass.choices,
        source="revision.change_class",
        help_text=CHANGE_CLASS_HELP,
    )
    published_at = serializers.DateTimeField(source="revision.published_at")
    last_reviewed = serializers.DateField(allow_null=True)
    next_review_due = serializers.DateField(allow_null=True)
    also_known_as = serializers.ListField(
        child=serializers.CharField(), source="revision.also_known_as"
    )
    sections = SectionSerializer(many=True, source="article.rendered.sections")
    references = ReferenceSerializer(many=True, source="article.rendered.references")
    reviewed_by = ReviewerSerializer(source="review", allow_null=True)
    related = RelatedSerializer(many=True, source="article.related")
    codes = CodeSerializer(many=True)
    disclaimer = serializers.SerializerMethodField()
    attribution = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, document) -> str:
        return page_url(document.condition.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, document) -> str:
        return api_url(document.condition.slug)

    def get_disclaimer(self, document) -> str:
        return settings.KB_DISCLAIMER

    @extend_schema_field(AttributionSerializer)
    def get_attribution(self, document) -> dict:
        return {
            "publisher": settings.KB_PUBLISHER_NAME,
            "canonical_url": page_url(document.condition.slug),
            "licence": settings.KB_CONTENT_LICENCE,
        }


class ChangeSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="The condition's slug when the change was made.")
    action = serializers.ChoiceField(
        choices=ChangeAction.choices,
        help_text="published: fetch the condition again; updated: fetch it again too (same "
        "revision; a new review or a retraction notice); withdrawn: delete your copy (held "
        "under `slug` or any of `former_slugs`); moved: the condition's address changed "
        "from `previous_slug` to `slug` (re-key your copy; if you already hold `slug`, the "
        "article at `previous_slug` was merged into it: delete that copy and refetch `slug`).",
    )
    revision = serializers.IntegerField(source="revision.number")
    change_class = serializers.ChoiceField(
        choices=ChangeClass.choices,
        source="revision.change_class",
        help_text=CHANGE_CLASS_HELP + " For withdrawn and moved entries: the class of the "
        "revision that was live then.",
    )
    time = serializers.DateTimeField(source="at")
    previous_slug = serializers.SerializerMethodField(
        help_text="For `moved`: the slug it moved from; otherwise null."
    )
    former_slugs = serializers.ListField(
        child=serializers.CharField(),
        help_text="Every earlier slug of the condition when the change was made.",
    )
    cursor = serializers.SerializerMethodField(
        help_text="Opaque. Ask `?after=<cursor>` for the changes committed after this one."
    )

    def get_previous_slug(self, change) -> str | None:
        return change.previous_slug or None

    def get_cursor(self, change) -> str:
        return format_cursor(sequence=change.sequence, pk=change.pk)


class ManifestItemSerializer(serializers.Serializer):
    """One live page in the manifest: where it is, its dates and what it covers."""

    slug = serializers.CharField(source="condition.slug")
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The public page (canonical URL).")
    api_url = serializers.SerializerMethodField(help_text="This condition in the API (JSON).")
    schema_url = serializers.SerializerMethodField(
        help_text="This condition as a schema.org MedicalWebPage (NHS website shape)."
    )
    date_published = serializers.DateTimeField(
        source="first_published_at", help_text="When the condition first went live."
    )
    date_modified = serializers.DateTimeField(
        source="published_at", help_text="When the text now live went live."
    )
    last_reviewed = serializers.DateField(allow_null=True)
    next_review_due = serializers.DateField(allow_null=True)
    health_aspects = serializers.SerializerMethodField(
        help_text="The schema.org health aspects its sections cover, in page order."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, revision) -> str:
        return page_url(revision.condition.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, revision) -> str:
        return api_url(revision.condition.slug)

    @extend_schema_field(OpenApiTypes.URI)
    def get_schema_url(self, revision) -> str:
        return f"{api_url(revision.condition.slug)}?format=schema"

    @extend_schema_field(
        {
            "type": "array",
            "items": {"type": "string", "format": "uri"},
            "description": "Values of `hasHealthAspect`, e.g. "
            "http://schema.org/SymptomsHealthAspect.",
        }
    )
    def get_health_aspects(self, revision) -> list[str]:
        return health_aspects(revision.section_kinds)


# The infobutton's knowledge response (``kb.api.infobutton``): MedlinePlus Connect's JSON
# shape, Atom elements as objects whose text is in ``_value``.


class InfobuttonTextSerializer(serializers.Serializer):
    _value = serializers.CharField()
    type = serializers.ChoiceField(choices=["text"], help_text="Plain text, never HTML.")


class InfobuttonValueSerializer(serializers.Serializer):
    _value = serializers.CharField()


class InfobuttonTimeSerializer(serializers.Serializer):
    _value = serializers.DateTimeField()


class InfobuttonLinkSerializer(serializers.Serializer):
    href = serializers.URLField(help_text="The public page (canonical URL).")
    rel = serializers.ChoiceField(choices=["alternate"])
    title = serializers.CharField()


class InfobuttonCategorySerializer(serializers.Serializer):
    scheme = serializers.CharField(help_text="A request parameter's name.")
    term = serializers.CharField(help_text="Its value, as asked.")


class InfobuttonAuthorSerializer(serializers.Serializer):
    name = InfobuttonValueSerializer()
    uri = InfobuttonValueSerializer()


class InfobuttonEntrySerializer(serializers.Serializer):
    lang = serializers.CharField()
    title = InfobuttonTextSerializer(help_text="The condition's published name.")
    link = InfobuttonLinkSerializer(many=True)
    id = InfobuttonValueSerializer(help_text="The public page's URL.")
    updated = InfobuttonTimeSerializer(help_text="Publication or latest review, the later.")
    summary = InfobuttonTextSerializer(help_text="The one-line summary.")
    api_url = serializers.URLField(help_text="The full article in this API.")
    published_at = serializers.DateTimeField()
    last_reviewed = serializers.DateField(allow_null=True)
    next_review_due = serializers.DateField(allow_null=True)


class InfobuttonFeedSerializer(serializers.Serializer):
    title = InfobuttonTextSerializer()
    subtitle = InfobuttonTextSerializer(help_text="What was asked.")
    updated = InfobuttonTimeSerializer()
    author = InfobuttonAuthorSerializer()
    category = InfobuttonCategorySerializer(many=True, help_text="The code and system asked.")
    entry = InfobuttonEntrySerializer(many=True, help_text="Matching live articles, A–Z.")


class InfobuttonResponseSerializer(serializers.Serializer):
    feed = InfobuttonFeedSerializer()
