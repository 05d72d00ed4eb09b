"""schema.org JSON-LD for article pages: a MedicalWebPage about a MedicalCondition.

Built only from the published article the page already shows, so it can carry nothing
that is not public (I1).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from kb.selectors import Article

# Characters that could end the <script> element or confuse an HTML parser.
_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def article_jsonld(article: Article) -> dict:
    revision, review = article.revision, article.review
    url = settings.SITE_URL + article.condition.get_absolute_url()
    data: dict = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "url": url,
        "name": revision.name,
        "description": revision.summary,
        "inLanguage": "en-GB",
        "datePublished": revision.published_at.isoformat() if revision.published_at else None,
        "dateModified": revision.published_at.isoformat() if revision.published_at else None,
        "publisher": {"@type": "Organization", "name": settings.KB_PUBLISHER_NAME},
        "about": {
            "@type": "MedicalCondition",
            "name": revision.name,
            "alternateName": list(revision.also_known_as),
        },
    }
    if review is not None:
        data["lastReviewed"] = review.reviewed_on.isoformat()
        data["reviewedBy"] = {
            "@type": "Person",
            "name": review.reviewer.byline_name,
            **({"description": review.reviewer.credentials} if review.reviewer.credentials else {}),
        }
    return {k: v for k, v in data.items() if v is not None}


def as_script(data: dict) -> SafeString:
    """JSON for a <script type="application/ld+json"> element, safe to embed."""
    text = json.dumps(data, ensure_ascii=False, indent=None).translate(_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped cannot leave the element
