"""schema.org JSON-LD for article pages: a MedicalWebPage about a MedicalCondition.

Built only from the published article the page already shows and the condition's clinical
codes, so it can carry nothing that is not public (I1). Everything in it is named by the
page's ETag: the article by the page key, the codes by the digest the view adds to it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from kb import site_url
from kb.selectors import Article
from kb.vancouver import format_name

# Characters that could end the <script> element or confuse an HTML parser.
_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


def article_jsonld(*, article: Article, codes: Iterable[Any] = ()) -> dict:
    """The page's JSON-LD. ``codes`` are the condition's ``ConditionCode`` rows."""
    revision, review = article.revision, article.review
    url = site_url.absolute(article.condition.get_absolute_url())
    first = next((e.published_at for e in article.history.entries if e.first), None)
    published = first or revision.published_at
    about: dict = {
        "@type": "MedicalCondition",
        "name": revision.name,
        "alternateName": list(revision.also_known_as),
    }
    if medical_codes := [
        {"@type": "MedicalCode", "code": c.code, "codingSystem": c.system} for c in codes
    ]:
        about["code"] = medical_codes
    data: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": url,
        "name": revision.name,
        "description": revision.summary,
        "inLanguage": "en-GB",
        # First publication of the article; its latest publication that was not a
        # correction is dateModified (the "last updated" date the page shows).
        "datePublished": published.isoformat() if published else None,
        "dateModified": article.last_updated.isoformat() if article.last_updated else None,
        "publisher": {"@type": "Organization", "name": settings.KB_PUBLISHER_NAME},
        "about": about,
        "breadcrumb": breadcrumb_list(name=revision.name, url=url),
        "citation": _citations(article) or None,
    }
    if review is not None:
        data["lastReviewed"] = review.reviewed_on.isoformat()
        data["reviewedBy"] = {
            "@type": "Person",
            "name": review.reviewer.byline_name,
            **({"description": review.reviewer.credentials} if review.reviewer.credentials else {}),
        }
    return {k: v for k, v in data.items() if v is not None}


def _citations(article: Article) -> list[dict]:
    """The cited records, as stored with a live revision's page (``kb.renditions``) or
    worked out from its references."""
    if article.stored is not None:
        return article.stored.citations
    return [citation_jsonld(reference=r.reference) for r in article.rendered.references]


def breadcrumb_list(*, name: str, url: str) -> dict:
    """Home › Conditions A to Z › the article: the trail the page shows (``base.html``)."""
    trail = [
        ("Home", site_url.absolute(reverse("kb:home"))),
        ("Conditions A to Z", site_url.absolute(reverse("kb:conditions"))),
        (name, url),
    ]
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": label, "item": item}
            for n, (label, item) in enumerate(trail, start=1)
        ],
    }


def citation_jsonld(*, reference: Any) -> dict:
    """One cited record as approved (a ``FrozenReference``): a ScholarlyArticle when it is a
    journal article, else a CreativeWork; DOI and PMID as resolvable ``sameAs`` URLs."""
    journal = reference.kind == "journal"
    authors = [
        {"@type": "Organization" if person.get("literal") else "Person", "name": name}
        for person in reference.authors or []
        if (name := format_name(person))
    ]
    date = ""
    if reference.year:  # as precise as the record: 2002, 2002-10 or 2002-10-01
        date = str(reference.year)
        if reference.month:
            date += f"-{reference.month:02d}" + (f"-{reference.day:02d}" if reference.day else "")
    same_as = []
    if reference.doi:
        same_as.append("https://doi.org/" + quote(reference.doi, safe="/:;()[]._-"))
    if reference.pmid:
        same_as.append(f"https://pubmed.ncbi.nlm.nih.gov/{quote(reference.pmid, safe='')}/")
    data: dict = {
        "@type": "ScholarlyArticle" if journal else "CreativeWork",
        "name": reference.title,
        "author": authors or None,
        "datePublished": date or None,
        "isPartOf": (
            {"@type": "Periodical", "name": reference.container_title}
            if journal and reference.container_title
            else None
        ),
        "url": url if (url := reference.url or "").startswith(("https://", "http://")) else None,
        "sameAs": same_as or None,
    }
    return {k: v for k, v in data.items() if v is not None}


def as_script(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> element, safe to embed."""
    text = json.dumps(data, ensure_ascii=False, indent=None)
    # Three C-level replaces: ``str.translate`` with a mapping calls back per character.
    for char, escape in _ESCAPES:
        text = text.replace(char, escape)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped cannot leave the element
