"""``{% link %}``: ``{% url %}`` for site addresses that cannot change while the process runs.

Why: a page no cache holds reversed about sixteen URLs (header, breadcrumbs, search form,
print and report links, canonical address, each related condition), each a walk of the
URL resolver: a measurable share of the CPU of a cold article. The address of a named
view with no arguments, or with one slug, is fixed by the URLconf and the script prefix,
so it is reversed once per (URLconf, script prefix) and reused; a slug goes into the
address reversed with a placeholder. A slug the placeholder's rules would not vouch for
(anything but ASCII letters, digits, ``-`` and ``_``) goes through ``reverse()``.
"""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

#: Matches the ``slug`` path converter and needs no quoting in a URL.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_PLACEHOLDER = "slug-placeholder-0x0"
_memo: dict[tuple, str] = {}


def fixed_url(name: str, slug: str | None = None) -> str:
    """``reverse(name)`` or ``reverse(name, args=[slug])``, without walking the resolver
    again for a name it has reversed in this URLconf and script prefix."""
    key = (settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), name, slug is None)
    url = _memo.get(key)
    if url is None:
        url = reverse(name) if slug is None else reverse(name, args=[_PLACEHOLDER])
        _memo[key] = url
    if slug is None:
        return url
    if not _SLUG.match(slug) or url.count(_PLACEHOLDER) != 1:
        return reverse(name, args=[slug])
    return url.replace(_PLACEHOLDER, slug)


@register.simple_tag
def link(name: str, slug: str | None = None) -> str:
    """``{% link 'kb:home' %}``, ``{% link 'kb:article' condition.slug %}``."""
    return fixed_url(name, None if slug is None else str(slug))
