"""Section HTML for partners: every link absolute, exactly as ``urljoin`` makes it.

Citation links (``#ref-2``) take a shortcut past ``urljoin``; it must give the same URL
for every kind of target and base."""

from __future__ import annotations

import html
from urllib.parse import urljoin

import pytest

from kb.api.links import absolute_links
from kb.rendering import sanitise

TARGETS = ["#ref-2", "#", "#a#b", "#r&amp;d", "/conditions/asthma/", "../x/", "?q=1",
           "https://www.nhs.uk/", "mailto:a@example.org", "",
           # urljoin drops tabs and line breaks anywhere in a URL (WHATWG URL parsing)
           "#ref-2\t", "#ref&#9;-2", "#ref&#10;-2", "#ref&#13;-2"]  # fmt: skip
BASES = [
    "https://example.org/conditions/cfs/",
    "https://example.org/health/conditions/cfs/?from=feed",
    "https://example.org/conditions/cfs/#top",
]


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("target", TARGETS)
def test_each_link_is_what_urljoin_makes_of_it(base, target):
    fragment = f'<p><a href="{target}">x</a></p>'
    expected = sanitise(
        f'<p><a href="{html.escape(urljoin(base, html.unescape(target)), quote=True)}">x</a></p>'
    )
    assert absolute_links(fragment, base=base) == expected
