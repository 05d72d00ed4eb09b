"""Tables and callouts render on the article page, the print view and the partner API, and
Markdown the site cannot show yet is listed for the editor rather than silently dropped."""

from __future__ import annotations

import re

import pytest

from accounts.models import Partner, PartnerAPIKey
from kb.rendering import CALLOUT_KINDS, render_body, unsupported_markdown
from tests.factories import make_live

pytestmark = pytest.mark.django_db

TABLE = """\
| Dose | Left | Centre | Right |
|------|:-----|:------:|------:|
| a    | b    | c      | d     |
"""
CALLOUTS = """\
::: urgent Ask for an urgent GP appointment if
- the twitching spreads
:::

::: emergency Call 999 if
- you cannot breathe
:::

::: non-urgent
See a GP if the cramps last more than a week.
:::

::: info
Most people get better.
:::
"""


def _render(body: str) -> str:
    return render_body(body, numbers={}, known=set(), id_prefix="s")


def test_table_has_header_cells_with_scope_and_alignment_classes():
    html = _render(TABLE)
    assert "<table>" in html and "<thead>" in html and "<tbody>" in html
    assert '<th scope="col">Dose</th>' in html
    assert '<th scope="col" class="align-left">Left</th>' in html
    assert '<th scope="col" class="align-center">Centre</th>' in html
    assert '<td class="align-right">d</td>' in html
    assert "style=" not in html and "|" not in html


@pytest.mark.parametrize(
    ("kind", "words", "title"),
    [
        ("urgent", "Urgent advice:", "Ask for an urgent GP appointment if"),
        ("emergency", "Immediate action required:", "Call 999 if"),
        ("non-urgent", "Non-urgent advice", ""),
        ("info", "Information", ""),
    ],
)
def test_each_callout_has_its_heading_and_class(kind, words, title):
    html = _render(CALLOUTS)
    match = re.search(
        rf'<section class="callout callout-{kind}" aria-labelledby="(s-callout-\d)">\s*'
        rf'<h3 id="(s-callout-\d)"><span class="callout-kind">{words}</span>'
        rf"\s*{re.escape(title)}</h3>",
        html,
    )
    assert match, html
    assert match.group(1) == match.group(2)
    assert CALLOUT_KINDS[kind].heading.startswith(words.rstrip(":"))


def test_callout_body_is_markdown_and_sanitised():
    html = _render("::: urgent <script>alert(1)</script>\n**Go** <img src=x onerror=alert(1)>\n:::")
    assert "<strong>Go</strong>" in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_container_stays_text():
    html = _render("::: danger <b>Beware</b>\nText\n:::")
    assert "<section" not in html and "<b>" not in html
    assert "::: danger &lt;b&gt;Beware&lt;/b&gt;" in html


def test_unsupported_markdown_is_listed_with_line_numbers():
    body = (
        "Intro\n\n![A rash](https://example.org/rash.png)\n\n<div>raw</div>\n\n"
        "::: danger\nBeware\n:::\n\n::: info\nFine\n:::\n\n"
        "```\n![in code](x.png)\n::: nope\n```\n\nSee <b>this</b>."
    )
    problems = unsupported_markdown(body=body)
    assert [(p.line, p.problem) for p in problems] == [
        (3, "image “A rash” is not shown (there is no media library yet)"),
        (5, "raw HTML is shown as text, not as HTML"),
        (7, "unknown box “danger” is shown as text (use urgent, emergency, non-urgent or info)"),
        (20, "raw HTML is shown as text, not as HTML"),
    ]
    assert unsupported_markdown(body=TABLE + "\n" + CALLOUTS) == []


@pytest.fixture
def live(author, reviewer):
    return make_live(
        author=author,
        reviewer=reviewer,
        sections=[
            {"kind": "overview", "heading": "Doses", "body": TABLE},
            {"kind": "symptoms", "heading": "When to get help", "body": CALLOUTS},
        ],
    )


def _assert_table_and_callouts(html: str) -> None:
    assert '<th scope="col">Dose</th>' in html
    for kind in CALLOUT_KINDS:
        assert f'class="callout callout-{kind}"' in html


def test_page_and_print_show_table_and_callouts(client, live):
    page = client.get("/conditions/test-condition/").content.decode()
    _assert_table_and_callouts(page)
    # Ids are unique across the page: each section's callouts carry its anchor.
    assert 'id="when-to-get-help-callout-1"' in page
    _assert_table_and_callouts(client.get("/conditions/test-condition/print/").content.decode())


def test_api_html_has_table_and_callouts(client, live):
    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    data = client.get(
        "/api/v1/conditions/test-condition/", HTTP_AUTHORIZATION=f"Api-Key {key}"
    ).json()
    _assert_table_and_callouts("".join(section["html"] for section in data["sections"]))
