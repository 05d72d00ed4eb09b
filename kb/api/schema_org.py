"""The detail as the NHS website content API shapes it: a schema.org ``MedicalWebPage``.

Partners who take the NHS website's conditions from its content API parse a
``MedicalWebPage`` whose ``hasPart`` lists ``HealthTopicContent`` items, each naming what
it is about with ``hasHealthAspect`` (https://schema.org/HealthAspectEnumeration) and
carrying its text as ``WebPageElement`` parts; ``lastReviewed`` is the pair [last reviewed,
next review due]. Serving the same shape (``?format=schema``) lets such a partner switch
to us with a new base URL and key and keep its parser.

Built only from the published document the JSON detail serves (I1), so it shows nothing
the JSON does not; the section HTML is the same sanitised HTML with absolute links.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kb import site_url
from kb.api.links import absolute_links, page_url
from kb.models import SectionKind

SCHEMA_ORG = "http://schema.org"

#: Our section kinds as health aspects, as the NHS website content API names them (it
#: writes ``http://schema.org/…``; ``DiagnosisHealthAspect`` is its name for tests and
#: diagnosis). A custom section has no aspect: its item carries no ``hasHealthAspect``.
HEALTH_ASPECTS: dict[str, str] = {
    SectionKind.OVERVIEW: f"{SCHEMA_ORG}/OverviewHealthAspect",
    SectionKind.CAUSES: f"{SCHEMA_ORG}/CausesHealthAspect",
    SectionKind.SYMPTOMS: f"{SCHEMA_ORG}/SymptomsHealthAspect",
    SectionKind.DIAGNOSIS: f"{SCHEMA_ORG}/DiagnosisHealthAspect",
    SectionKind.TREATMENT: f"{SCHEMA_ORG}/TreatmentsHealthAspect",
    SectionKind.PROGNOSIS: f"{SCHEMA_ORG}/PrognosisHealthAspect",
    SectionKind.WHEN_TO_GET_HELP: f"{SCHEMA_ORG}/SeeDoctorHealthAspect",
}


def health_aspect(kind: str) -> str | None:
    return HEALTH_ASPECTS.get(kind)


def health_aspects(kinds) -> list[str]:
    """The distinct aspects of sections of these kinds, in order of first appearance."""
    found: list[str] = []
    for kind in kinds:
        aspect = health_aspect(kind)
        if aspect and aspect not in found:
            found.append(aspect)
    return found


def _organisation() -> dict:
    return {"@type": "Organization", "name": settings.KB_PUBLISHER_NAME, "url": site_url.base()}


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def medical_web_page(document, *, first_published: dt.datetime | None) -> dict:
    """The published ``document`` (``queries.ConditionDocument``) as a ``MedicalWebPage``.

    ``first_published`` is when the condition first went live (``datePublished``);
    ``dateModified`` is when the text readers see went live (a re-review is not a
    modification: it moves ``lastReviewed`` only).
    """
    revision, review = document.revision, document.review
    canonical = page_url(document.condition.slug)
    names = list(revision.also_known_as)
    page: dict = {
        "@context": SCHEMA_ORG,
        "@type": "MedicalWebPage",
        "name": revision.name,
        "description": revision.summary,
        "url": canonical,
        "inLanguage": "en-GB",
        "genre": ["Condition"],
        "alternateName": names,
        "about": {
            "@type": "MedicalCondition",
            "name": revision.name,
            "alternateName": names,
            "code": [
                {"@type": "MedicalCode", "codeValue": code.code, "codingSystem": code.system}
                for code in document.codes
            ],
        },
        "datePublished": _iso(min(filter(None, [first_published, revision.published_at]))),
        "dateModified": _iso(revision.published_at),
        "lastReviewed": [_iso(review.reviewed_on), _iso(review.next_review_due)]
        if review is not None
        else [],
        "license": settings.KB_CONTENT_LICENCE,
        "copyrightHolder": _organisation(),
        "author": _organisation(),
        "publisher": _organisation(),
        "hasPart": [
            _topic(section, canonical=canonical) for section in document.article.rendered.sections
        ],
        "relatedLink": [page_url(related.condition.slug) for related in document.article.related],
    }
    if review is not None:
        page["reviewedBy"] = {
            "@type": "Person",
            "name": review.reviewer.byline_name,
            "description": review.reviewer.credentials,
        }
    return page


def _topic(section, *, canonical: str) -> dict:
    topic: dict = {
        "@type": "HealthTopicContent",
        "url": f"{canonical}#{section.anchor}",
        "headline": section.heading,
        "description": "",
        "hasPart": [
            {
                "@type": "WebPageElement",
                "headline": "",
                "text": absolute_links(section.html, base=canonical),
            }
        ],
    }
    if aspect := health_aspect(section.kind):
        topic["hasHealthAspect"] = aspect
    return topic


# --- the shape, for the OpenAPI schema ---------------------------------------------------
# schema.org keys start with "@", which a serializer attribute cannot, so each serializer
# names its fields in ``get_fields``. They describe what ``medical_web_page`` builds.


def _const(value: str) -> serializers.CharField:
    """A key that always holds ``value`` (a pattern, not an enum: enum components would be
    named after the key, and a component name cannot hold "@")."""
    schema = {"type": "string", "pattern": f"^{re.escape(value)}$", "example": value}
    return extend_schema_field(schema)(serializers.CharField(help_text=f"Always {value}."))


class MedicalCodeSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "@type": _const("MedicalCode"),
            "codeValue": serializers.CharField(),
            "codingSystem": serializers.CharField(),
        }


class MedicalConditionSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "@type": _const("MedicalCondition"),
            "name": serializers.CharField(),
            "alternateName": serializers.ListField(child=serializers.CharField()),
            "code": MedicalCodeSerializer(many=True),
        }


class OrganisationSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "@type": _const("Organization"),
            "name": serializers.CharField(),
            "url": serializers.URLField(),
        }


class PersonSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "@type": _const("Person"),
            "name": serializers.CharField(),
            "description": serializers.CharField(help_text="Professional credentials."),
        }


class WebPageElementSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "@type": _const("WebPageElement"),
            "headline": serializers.CharField(),
            "text": serializers.CharField(help_text="Sanitised HTML; every link is absolute."),
        }


class HealthTopicContentSerializer(serializers.Serializer):
    def get_fields(self):
        return {
            "@type": _const("HealthTopicContent"),
            "url": serializers.URLField(help_text="The section on the canonical page."),
            "headline": serializers.CharField(help_text="The section's heading."),
            "description": serializers.CharField(allow_blank=True),
            "hasHealthAspect": serializers.ChoiceField(
                choices=sorted(set(HEALTH_ASPECTS.values())),
                required=False,
                help_text="What the section is about; absent for a section of another kind.",
            ),
            "hasPart": WebPageElementSerializer(many=True),
        }


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "format": "date"},
        "maxItems": 2,
        "description": "[last reviewed, next review due]; empty if never reviewed.",
    }
)
class ReviewDatesField(serializers.ListField):
    pass


class MedicalWebPageSerializer(serializers.Serializer):
    """The NHS website content API's shape of a condition page (``?format=schema``)."""

    def get_fields(self):
        return {
            "@context": _const(SCHEMA_ORG),
            "@type": _const("MedicalWebPage"),
            "name": serializers.CharField(),
            "description": serializers.CharField(),
            "url": serializers.URLField(help_text="The public page (canonical URL)."),
            "inLanguage": serializers.CharField(),
            "genre": serializers.ListField(child=serializers.CharField()),
            "alternateName": serializers.ListField(child=serializers.CharField()),
            "about": MedicalConditionSerializer(),
            "datePublished": serializers.DateTimeField(help_text="When it first went live."),
            "dateModified": serializers.DateTimeField(help_text="When this text went live."),
            "lastReviewed": ReviewDatesField(child=serializers.DateField()),
            "license": serializers.CharField(),
            "copyrightHolder": OrganisationSerializer(),
            "author": OrganisationSerializer(),
            "publisher": OrganisationSerializer(),
            "reviewedBy": PersonSerializer(required=False),
            "hasPart": HealthTopicContentSerializer(many=True),
            "relatedLink": serializers.ListField(child=serializers.URLField()),
        }
