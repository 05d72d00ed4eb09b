"""Absolute links: partners show our text on their own sites, so every link must say where
it points in full (``kb.site_url``), including the links inside section HTML."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from django.urls import reverse

from kb import site_url
from kb.rendering import sanitise

_LINK_ATTR_RE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
#: A fragment that ``urljoin`` appends to a fragment-less base unchanged.
_PLAIN_FRAGMENT = re.compile(r"#[^\t\n\r]+\Z")


def absolute(path: str) -> str:
    """``/conditions/x/`` → ``https://example.org/conditions/x/``."""
    return urljoin(site_url.base() + "/", path)


def page_url(slug: str) -> str:
    return absolute(reverse("kb:article", kwargs={"slug": slug}))


def api_url(slug: str) -> str:
    return absolute(reverse("partner_api:condition-detail", kwargs={"slug": slug}))


def absolute_links(fragment: str, *, base: str) -> str:
    """Rewrite relative ``href``/``src`` values against ``base`` and sanitise again.

    ``fragment`` is already sanitised HTML (double-quoted attributes); citation links such
    as ``#ref-2`` become links to the reference list of the canonical page. Sanitising the
    result keeps the guarantee that nothing but allowed tags and http(s)/mailto links leave.
    """

    # Most links are the text's citations (``#ref-2``): against a base with no fragment,
    # ``urljoin`` gives the base followed by a fragment it need not clean (no tab or line
    # break, which URL parsing drops), so those skip it (it parses both URLs on every
    # call, and a section holds dozens of citations).
    fragments_append = "#" not in base

    def rewrite(match: re.Match) -> str:
        target = html.unescape(match.group(2))
        if fragments_append and _PLAIN_FRAGMENT.match(target):
            target = base + target
        else:
            target = urljoin(base, target)
        return match.group(1) + html.escape(target, quote=True) + match.group(3)

    return sanitise(_LINK_ATTR_RE.sub(rewrite, fragment))
