"""Partner API endpoints. Thin: parsing in ``filters``, reads in ``queries``, validators in
``conditional``, the contract in ``serializers``."""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlencode

from django.db import DatabaseError
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.generics import ListAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.db_router import primary
from kb import workflow
from kb.api import conditional, filters, infobutton, queries
from kb.api.detail import DetailAnswer
from kb.api.encoded import Encoded, EncodedJSONRenderer, encode
from kb.api.errors import Gone, moved_permanently
from kb.api.links import absolute, api_url
from kb.api.negotiation import PartnerContentNegotiation
from kb.api.pagination import ConditionPagination, ManifestPagination
from kb.api.schema_org import MedicalWebPageSerializer
from kb.api.serializers import (
    ChangeSerializer,
    ConditionDetailSerializer,
    ConditionSummarySerializer,
    ErrorSerializer,
    GoneSerializer,
    InfobuttonResponseSerializer,
    ManifestItemSerializer,
    MovedSerializer,
)
from kb.caching import state, store
from kb.caching.answers import NotLive, keyed_answer
from kb.models import Condition
from kb.selectors import ArticleGone, ArticleMoved, ArticleNotFound

logger = logging.getLogger(__name__)

SLUG_MAX_LENGTH = Condition._meta.get_field("slug").max_length


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


#: The statuses every keyed endpoint can answer besides its own.
COMMON_ERRORS = {
    401: _error(
        "No key, or a key that is unknown, revoked or expired. Carries `WWW-Authenticate: Api-Key`."
    ),
    403: _error("The key's partner has been switched off."),
    405: _error("Only GET and HEAD are allowed."),
    406: _error("The Accept header asks for something other than JSON."),
    429: _error("Too many requests for this key; `Retry-After` gives the seconds to wait."),
}
BAD_PARAMETER = _error("A parameter is malformed or out of range (the message names it).")
NOT_MODIFIED = OpenApiResponse(
    description="Not modified: the copy named by If-None-Match / If-Modified-Since is current."
)
PAGE_NOT_FOUND = _error("The page number is past the last page.")


#: What the endpoints answer. OPTIONS is left out (405, like any other method): the schema
#: documents the API, and ``Allow`` must not list a method that answers 405.
READ_METHODS = ["get", "head"]


class PartnerAPIMixin:
    """Answers are for one keyed partner: caches may keep them only privately, and must
    check back (cheaply, with the validators) before reuse. Cached payloads are kept
    encoded (``kb.api.encoded``), so a warm answer writes stored bytes."""

    http_method_names = READ_METHODS
    renderer_classes = [EncodedJSONRenderer]
    content_negotiation_class = PartnerContentNegotiation

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.setdefault("Cache-Control", "private, no-cache")
        return response


@extend_schema(
    summary="List published conditions",
    description=(
        "Published conditions, A–Z, paginated. Walk the list by following `next` (its "
        "`cursor` keeps your place: nothing is skipped or repeated when conditions are "
        "published or withdrawn meanwhile); `page` numbers still work. "
        "`q` keeps conditions whose published name, "
        "other names or summary contain every word of it (case-insensitive); "
        "`updated_since` keeps conditions published or re-reviewed at or after that "
        "instant; `code` finds conditions by clinical code. Answers carry `ETag` and "
        "`Last-Modified`; send them back as `If-None-Match` / `If-Modified-Since` to get "
        "304 when nothing changed."
    ),
    parameters=[
        OpenApiParameter(
            "q",
            {"type": "string", "maxLength": filters.MAX_QUERY_LENGTH},
            description="Words that must all appear in the name, other names or summary.",
        ),
        OpenApiParameter(
            "updated_since",
            OpenApiTypes.DATETIME,
            description="ISO 8601 date-time with an offset, e.g. 2024-05-01T00:00:00Z.",
        ),
        OpenApiParameter(
            "code",
            {"type": "string", "pattern": filters.CODE_PATTERN},
            description="SYSTEM|CODE, e.g. ICD-10|G12.21. Systems: ICD-10, ICD-11, "
            "SNOMED-CT, MeSH; an unknown system answers 400.",
        ),
    ],
    responses={
        200: ConditionSummarySerializer(many=True),
        304: NOT_MODIFIED,
        400: BAD_PARAMETER,
        404: PAGE_NOT_FOUND,
        **COMMON_ERRORS,
    },
)
class ConditionListView(PartnerAPIMixin, ListAPIView):
    serializer_class = ConditionSummarySerializer
    pagination_class = ConditionPagination
    #: Names this list's cached pages and starts its ETags (``conditional.list_validators``).
    answer_name = "api-list"
    etag_kind = "l"

    def get_queryset(self):
        """The filtered list's keys; the pagination loads only its page's items."""
        return filters.filter_conditions(queries.listed_keys(), self.request.query_params)

    def list(self, request, *args, **kwargs):
        # One page's answer is cached in the current publication state under its parameters (and
        # host, which its next/previous links carry); bad parameters raise before caching.
        params = urlencode(sorted(request.query_params.lists()), doseq=True)
        name = hashlib.sha256(f"{request.get_host()}?{params}".encode()).hexdigest()
        etag, last_modified, data = store.fresh(
            f"{self.answer_name}:{name}", lambda: self._answer(request), large=True
        )
        if answer := conditional.not_modified(request, etag=etag, last_modified=last_modified):
            return answer
        return conditional.set_validators(Response(data), etag=etag, last_modified=last_modified)

    def _answer(self, request) -> tuple[str, int | None, Encoded]:
        page = self.paginate_queryset(self.get_queryset())
        etag, last_modified = conditional.list_validators(
            page,
            count=self.paginator.count,
            last_change=queries.last_public_change_at(),
            kind=self.etag_kind,
        )
        data = self.get_paginated_response(self.get_serializer(page, many=True).data).data
        return etag, last_modified, encode(data)


@extend_schema(
    summary="One published condition",
    description=(
        "The published article: sections as sanitised HTML with absolute links, numbered "
        "references, the latest review, published related conditions and clinical codes. "
        "A former slug, or the slug of an article merged into another, answers 301 to the "
        "current `api_url`; a withdrawn condition answers "
        "410 with `withdrawn_at` (delete your copy). Answers carry `ETag` and "
        "`Last-Modified` for conditional requests (304)."
    ),
    parameters=[
        OpenApiParameter(
            "slug",
            {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$", "maxLength": SLUG_MAX_LENGTH},
            OpenApiParameter.PATH,
            description="The condition's slug, as in its api_url.",
        ),
        OpenApiParameter(
            "format",
            {"type": "string", "enum": list(filters.DETAIL_FORMATS), "default": "json"},
            description="`json` (default): the article as below. `schema`: the article as "
            "the NHS website content API shapes it, a schema.org `MedicalWebPage` whose "
            "`hasPart` lists `HealthTopicContent` sections with `hasHealthAspect`, and "
            "`lastReviewed` = [last reviewed, next review due]. Each has its own `ETag`. "
            "Anything else answers 400.",
        ),
    ],
    responses={
        200: PolymorphicProxySerializer(
            component_name="ConditionDetailOrMedicalWebPage",
            serializers=[ConditionDetailSerializer, MedicalWebPageSerializer],
            resource_type_field_name=None,
        ),
        301: OpenApiResponse(
            MovedSerializer, description="A former slug: `Location` is the current api_url."
        ),
        304: NOT_MODIFIED,
        400: _error("`format` is neither `json` nor `schema`."),
        404: _error("No condition has this slug, or it has never been published."),
        410: OpenApiResponse(GoneSerializer, description="The condition was withdrawn."),
        **COMMON_ERRORS,
    },
)
class ConditionDetailView(PartnerAPIMixin, APIView):
    def get(self, request, slug: str):
        if len(slug) > SLUG_MAX_LENGTH:
            # No condition has such a slug; and an address must not name a cache entry
            # longer than a cache key may be.
            raise exceptions.NotFound("No published condition has this slug.")
        representation = filters.detail_format(request.query_params)

        # The keyed-answer pipeline (kb.caching.answers): validators in the current
        # publication state, the payload under its ETag, which names all of it.
        answer = DetailAnswer(slug=slug, representation=representation)
        try:
            return keyed_answer(
                request,
                name=answer.name,
                read_validators=answer.read_validators,
                render=answer.render,
                respond=Response,
                kept_as=answer.kept_as,
                kept_body=Encoded,
            )
        except NotLive:
            return self._not_live(slug, representation=representation)

    @staticmethod
    def _not_live(slug: str, *, representation: str = "json"):
        """The answer for a slug with no live article: 301 (in the representation asked
        for), or raise 410 or 404."""
        try:
            queries.get_condition_document(slug=slug)
        except ArticleMoved as moved:
            target = api_url(moved.new_slug)
            if representation != "json":
                target = f"{target}?{urlencode({'format': representation})}"
            return moved_permanently(location=target)
        except ArticleGone as gone:
            raise Gone(withdrawn_at=gone.condition.withdrawn_at) from None
        except ArticleNotFound:
            raise exceptions.NotFound("No published condition has this slug.") from None
        raise exceptions.NotFound("No published condition has this slug.")


@extend_schema(
    summary="Every live page, with its dates and health aspects",
    description=(
        "The manifest of live condition pages, for partners moving from the NHS website "
        "content API: each item's public `url`, `api_url` and `schema_url` (the page as a "
        "schema.org `MedicalWebPage`), `date_published` (first went live), `date_modified` "
        "(the text now live went live), `last_reviewed`, `next_review_due` and the "
        "schema.org `health_aspects` its sections cover. Same order, pages, `cursor` and "
        "filters as the condition list; `ETag`/`Last-Modified` and 304 likewise."
    ),
    responses={
        200: ManifestItemSerializer(many=True),
        304: NOT_MODIFIED,
        400: BAD_PARAMETER,
        404: PAGE_NOT_FOUND,
        **COMMON_ERRORS,
    },
)
class ManifestView(ConditionListView):
    serializer_class = ManifestItemSerializer
    pagination_class = ManifestPagination
    answer_name = "api-manifest"
    etag_kind = "m"


@extend_schema(
    summary="Publications, withdrawals and moves, in commit order",
    description=(
        "Every publication, withdrawal and move (rename), in the order they were committed. "
        "Apply them in order: `published` → fetch the condition's api_url again, "
        "`withdrawn` → delete your copy (held under `slug` or one of `former_slugs`), "
        "`moved` → re-key your copy from `previous_slug` to `slug` (a merge when you already "
        "hold `slug`: delete the copy under `previous_slug`). Then ask again with "
        "`after` set to the `cursor` of the last entry you applied: a change committed "
        "later always comes after it, so nothing is skipped. `since` (an instant) is kept "
        "for existing clients; entry times also grow in commit order, so `since` set to "
        "the `time` of the last entry applied skips nothing either (entries at exactly "
        "that time are repeated; applying one twice is harmless)."
    ),
    parameters=[
        OpenApiParameter(
            "after",
            {"type": "string", "pattern": filters.CURSOR_PATTERN},
            description="The `cursor` of the last change you applied.",
        ),
        OpenApiParameter(
            "since",
            OpenApiTypes.DATETIME,
            description="ISO 8601 date-time with an offset, e.g. 2024-05-01T00:00:00Z.",
        ),
        OpenApiParameter(
            "change_class",
            {"type": "string", "pattern": filters.CHANGE_CLASS_PATTERN},
            description="Only changes of revisions of these classes: one of `clinical`, "
            "`editorial`, `correction`, or several separated by commas (e.g. "
            "`clinical,editorial`). Without it, every change.",
        ),
    ],
    responses={
        200: ChangeSerializer(many=True),
        400: BAD_PARAMETER,
        404: PAGE_NOT_FOUND,
        **COMMON_ERRORS,
    },
)
class ChangeListView(PartnerAPIMixin, ListAPIView):
    serializer_class = ChangeSerializer

    def list(self, request, *args, **kwargs):
        if state.current().due:
            # A scheduled go-live has come and is not yet entered (cron does it each
            # minute): enter it now, on the primary, so the feed lists it from its go-live
            # time on. Best effort: the feed answers even if this fails.
            try:
                with primary():
                    workflow.publish_scheduled()
            except DatabaseError:
                logger.exception("Catching up a scheduled go-live for the feed failed.")
            state.forget()
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        return filters.filter_changes(queries.public_changes(), self.request.query_params)


@extend_schema(
    summary="Articles for a clinical code (HL7 Infobutton)",
    description=(
        "The look-up an EHR's infobutton makes, with the parameters of the HL7 Infobutton "
        "URL-based guide as MedlinePlus Connect takes them: the code system's OID and the "
        "code of a problem. Answers the live articles carrying that code (A–Z, at most "
        f"{infobutton.MAX_ENTRIES}) in MedlinePlus Connect's JSON feed shape, each entry with "
        "its review dates and `api_url`; no match is an empty `entry` list. Codes match as "
        "the list's `code` filter does (the code ignoring case). OIDs: "
        "2.16.840.1.113883.6.90 ICD-10-CM and 2.16.840.1.113883.6.3 ICD-10 (both our "
        "ICD-10 codes), 2.16.840.1.113883.6.96 SNOMED CT, 2.16.840.1.113883.6.177 MeSH."
    ),
    parameters=[
        OpenApiParameter(
            infobutton.SYSTEM_PARAM,
            {"type": "string", "enum": list(infobutton.SYSTEMS_BY_OID)},
            required=True,
            description="The code system's OID, e.g. 2.16.840.1.113883.6.90 (ICD-10-CM).",
        ),
        OpenApiParameter(
            infobutton.CODE_PARAM,
            {"type": "string", "pattern": filters.CODE_VALUE_PATTERN},
            required=True,
            description="The code, e.g. G12.21.",
        ),
        OpenApiParameter(
            infobutton.DISPLAY_PARAM,
            {"type": "string", "maxLength": infobutton.DISPLAY_MAX_LENGTH},
            description="The code's display name; echoed in the feed's subtitle only.",
        ),
        OpenApiParameter(
            infobutton.TYPE_PARAM,
            {"type": "string", "enum": [infobutton.RESPONSE_TYPE]},
            description="Only application/json (the default); anything else answers 400.",
        ),
    ],
    responses={
        200: InfobuttonResponseSerializer,
        400: _error(
            "A parameter is missing or unsupported: an unknown OID, a malformed code, a "
            "response type other than application/json (the message names it)."
        ),
        **COMMON_ERRORS,
    },
)
class InfobuttonView(PartnerAPIMixin, APIView):
    def get(self, request):
        knowledge = infobutton.parse_request(params=request.query_params)
        revisions = infobutton.matching(listed=queries.listed_conditions(), request=knowledge)
        data = infobutton.knowledge_response(
            request=knowledge, revisions=revisions, now=timezone.now()
        )
        return Response(InfobuttonResponseSerializer(data).data)


class JSONErrorsMixin:
    """Errors in JSON, whatever the view renders on success (the schema's YAML, the docs'
    HTML): a client reads every ``/api/`` error the same way."""

    http_method_names = READ_METHODS

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


class SchemaView(JSONErrorsMixin, SpectacularAPIView):
    """The OpenAPI document, public."""


class DocsView(JSONErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI, public, served from our own static files."""


@extend_schema(exclude=True)
class UnknownEndpointView(PartnerAPIMixin, APIView):
    """Any other address under ``/api/`` answers in the API's error shape: 404, or 301 to
    the same address with a slash when that is an endpoint (what ``APPEND_SLASH`` does
    for the site, but in JSON). Public, like the 404 of the site."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    http_method_names = ["get", "head", "post", "put", "patch", "delete", "options", "trace"]

    def get(self, request, *args, **kwargs):
        if location := _slashed_endpoint(request):
            return moved_permanently(location=location)
        raise exceptions.NotFound("There is no such endpoint in this API version.")

    post = put = patch = delete = options = trace = get


def _slashed_endpoint(request) -> str | None:
    """The absolute address of ``request.path`` with a slash added, if that is an endpoint."""
    path = request.path_info
    if path.endswith("/"):
        return None
    try:
        match = resolve(path + "/", getattr(request, "urlconf", None))
    except Resolver404:
        return None
    if getattr(match.func, "view_class", None) is UnknownEndpointView:
        return None
    location = absolute(escape_uri_path(request.path + "/"))
    query = request.META.get("QUERY_STRING", "")
    return f"{location}?{query}" if query else location
