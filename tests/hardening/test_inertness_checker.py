"""The XSS checks would fail if escaping or sanitising ever broke: fed the corpus raw, the
checker reports every payload; fed it escaped, it reports nothing."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from tests.hardening.inertness import script_problems

RAW_HTML = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '"><script>alert(1)</script>',
    "<iframe src=//evil>",
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<p style="display:none">x</p>',
    '<script type="application/ld+json">{"a": "</script><script>alert(1)</script>"}</script>',
]


@pytest.mark.parametrize("raw", RAW_HTML)
def test_raw_markup_is_reported(raw):
    assert script_problems(f"<html><body><p>{raw}</p></body></html>")


@pytest.mark.parametrize("raw", RAW_HTML)
def test_escaped_markup_is_not(raw):
    assert script_problems(f"<html><body><p>{escape(raw)}</p></body></html>") == []


def test_desk_mode_allows_own_script_files_and_head_styles_only():
    page = (
        '<html><head><style>.x{}</style><script src="/static/admin/js/core.js"></script></head>'
        '<body><p style="margin:0">x</p><svg class="icon"><use href="#i"></use></svg></body></html>'
    )
    assert script_problems(page, own_scripts=True, style_attributes=True) == []
    assert script_problems(page)  # the same page fails the public rules
    for injected in (
        "<style>body{display:none}</style>",
        '<script src="//evil.example/x.js"></script>',
        '<script src="/static/x.js">alert(1)</script>',
        "<svg onload=alert(1)>",
    ):
        body = f"<html><head></head><body>{injected}</body></html>"
        assert script_problems(body, own_scripts=True, style_attributes=True), injected


def test_public_mode_allows_only_the_named_site_scripts():
    allowed = frozenset({"/static/kb/report-passage.js"})
    page = '<html><body><script src="/static/kb/report-passage.js" defer></script></body></html>'
    assert script_problems(page, site_scripts=allowed) == []
    assert script_problems(page, site_scripts=frozenset())  # not allowed unless named
    for injected in (
        '<script src="/static/kb/other.js"></script>',
        '<script src="/static/kb/report-passage.js">alert(1)</script>',
        "<script>alert(1)</script>",
    ):
        body = f"<html><body>{injected}</body></html>"
        assert script_problems(body, site_scripts=allowed), injected
