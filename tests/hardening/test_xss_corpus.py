"""An XSS corpus written into every text field of a condition renders inert everywhere.

Each payload goes into the revision's name, other names, summary and change note, every
section heading and body (in several Markdown contexts), the cited references' title,
authors and journal, a clinical code's display name, the approving reviewer's display name
and credentials, and a reader's report. The condition is approved twice (so the change note
shows in "What changed") and a third draft is left open. Then the public site, the desk and
the partner API are fetched and parsed: no script element (other than JSON-LD data blocks
and the admin's own script files), no event handler, no script URL, no frame, SVG or style
element may survive, while the text itself must still be there, shown as text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.test import Client

from accounts.models import Partner, PartnerAPIKey
from kb import services, workflow
from kb.models import ConditionCode
from kb.rendering import CALLOUT_KINDS, render_body
from tests.factories import ReferenceFactory
from tests.hardening.inertness import jsonld_blocks, script_problems

pytestmark = pytest.mark.django_db

CORPUS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '"><script>alert(1)</script>',
    "<iframe src=//evil>",
    "<style>body{display:none}</style>",
    "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](javascript:alert(1))",
    '<a href="&#106;avascript:alert(1)">entity</a>',
    "<scr<script>ipt>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<<b>math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
SLUG = "xss-probe"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _Text(HTMLParser):
    """The text a reader sees (script bodies excluded)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def _sections(payload: str, *, keys: list[str]) -> list[dict]:
    cite = "; ".join(f"@{k}" for k in keys)
    return [
        {"kind": "overview", "heading": payload, "body": f"{payload}\n\nSee this [{cite}]."},
        {
            "kind": "symptoms",
            "heading": f"Signs {payload}",
            "body": f"- {payload}\n- [{payload}](https://example.org/)\n\n> {payload}\n\n"
            f"`{payload}`\n\n    {payload}\n\n**{payload}** _{payload}_",
        },
        {"kind": "custom", "heading": f"All {payload}", "body": "\n\n".join(CORPUS)},
        {"kind": "custom", "heading": f"Boxes {payload}", "body": _boxes(payload)},
    ]


def _boxes(payload: str) -> str:
    """``payload`` in a table, in each callout's title and body, and as an unknown box."""
    callouts = "\n\n".join(
        f"::: {kind} {payload}\n{payload}\n\n- {payload}\n:::" for kind in CALLOUT_KINDS
    )
    return (
        f"| {payload} | b |\n|:--|--:|\n| {payload} | [{payload}](https://example.org/) |\n\n"
        f"{callouts}\n\n::: {payload}\n{payload}\n:::\n\n::: script {payload}\nx\n:::"
    )


@pytest.fixture(params=range(len(CORPUS)), ids=[f"payload{i}" for i in range(len(CORPUS))])
def probe(request, author, reviewer, superuser):
    """The approved condition, its open third draft and a reader's report, all poisoned."""
    payload = CORPUS[request.param]
    reviewer.display_name = payload
    reviewer.credentials = payload
    reviewer.save()
    journal = ReferenceFactory(
        key="xssjournal",
        title=payload,
        authors=[{"family": payload, "given": "AB"}, {"literal": payload}],
        container_title=payload,
    )
    # A stored script URL can only come from a file import that skipped validation; it must
    # still never become a link.
    webpage = ReferenceFactory(
        key="xssweb",
        kind="webpage",
        title=payload,
        container_title=payload,
        url="javascript:alert(1)",
    )
    keys = [journal.key, webpage.key]
    first = services.create_condition(
        slug=SLUG,
        name=payload,
        summary=payload,
        also_known_as=[payload, f"Other {payload}"],
        sections=_sections(payload, keys=keys),
        change_note=payload,
        by=author,
    )
    ConditionCode.objects.create(
        condition=first.condition, system="ICD-10", code="G12.21", display=payload
    )
    workflow.submit(revision=first, by=author)
    workflow.approve(revision=first, by=reviewer, note=payload)
    second = workflow.start_new_draft(condition=first.condition, by=author)
    services.update_revision(
        revision=second,
        by=author,
        expected_version=second.lock_version,
        summary=f"{payload} (updated)",
        change_note=f"{payload} (second)",
        sections=_sections(f"{payload} v2", keys=keys),
    )
    workflow.submit(revision=second, by=author)
    workflow.approve(revision=second, by=reviewer)
    third = workflow.start_new_draft(condition=first.condition, by=author)

    reader = Client()
    response = reader.post(
        f"/conditions/{SLUG}/report/",
        {"message": f"Wrong here: {payload}", "contact": "", "website": "", "revision": "2"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return {
        "payload": payload,
        "revisions": (first, second, third),
        "condition": first.condition,
        "references": (journal, webpage),
        "reviewer": reviewer,
        "superuser": superuser,
    }


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_public_pages_are_inert_and_still_show_the_text(client, probe):
    payload = probe["payload"]
    pages = {
        "home": "/",
        "a-z": "/conditions/",
        "article": f"/conditions/{SLUG}/",
        "print": f"/conditions/{SLUG}/print/",
        "report form": f"/conditions/{SLUG}/report/",
        "search": "/search/?q=alert",
        "search for the payload": f"/search/?q={quote(payload)}",
    }
    problems = {}
    for label, url in pages.items():
        html = _get(client, url)
        found = script_problems(html)
        if found:
            problems[label] = found
        if label in ("home", "a-z", "article", "print", "search"):
            assert payload in visible_text(html), f"the text itself is missing on {label}"
    assert not problems, problems

    article = _get(client, f"/conditions/{SLUG}/")
    text = visible_text(article)
    for shown in (f"{payload} (second)", f"Signs {payload} v2"):
        assert shown in text
    assert "javascript:alert(1)" in text  # the reference's URL, shown but not linked


def test_jsonld_keeps_the_data_without_breaking_out(client, probe):
    payload = probe["payload"]
    html = _get(client, f"/conditions/{SLUG}/")
    assert not script_problems(html)
    (data,) = jsonld_blocks(html)
    assert data["name"] == payload
    assert data["reviewedBy"]["name"] == payload
    assert data["reviewedBy"]["description"] == payload
    assert payload in data["about"]["alternateName"]


def test_feed_and_sitemap_carry_the_text_as_text(client, probe):
    payload = probe["payload"]
    feed = ET.fromstring(_get(client, "/feeds/updates/"))
    allowed = {f"{ATOM}{t}" for t in
               ("feed", "title", "id", "link", "updated", "author", "name", "entry",
                "published", "summary")}  # fmt: skip
    assert {el.tag for el in feed.iter()} <= allowed
    (entry,) = feed.findall(f"{ATOM}entry")
    for element in (entry.find(f"{ATOM}title"), entry.find(f"{ATOM}summary")):
        # No type attribute: Atom text constructs default to plain text, never HTML.
        assert element.get("type") in (None, "text")
    assert entry.findtext(f"{ATOM}title") == payload
    assert f"{payload} (second)" in entry.findtext(f"{ATOM}summary")

    sitemap = ET.fromstring(_get(client, "/sitemap.xml"))
    assert {el.tag for el in sitemap.iter()} <= {
        f"{SITEMAP}{t}" for t in ("urlset", "url", "loc", "lastmod")
    }


def test_desk_pages_are_inert(client, probe):
    client.force_login(probe["superuser"])
    first, second, third = probe["revisions"]
    condition = probe["condition"]
    journal, webpage = probe["references"]
    feedback = condition.feedback.get()
    strict = {
        "preview of the live revision": f"/admin/kb/revision/{second.pk}/preview/",
        "preview of the draft": f"/admin/kb/revision/{third.pk}/preview/",
    }
    desk = {
        "revision (approved)": f"/admin/kb/revision/{first.pk}/change/",
        "revision (draft form)": f"/admin/kb/revision/{third.pk}/change/",
        "revisions": "/admin/kb/revision/",
        "condition": f"/admin/kb/condition/{condition.pk}/change/",
        "conditions": "/admin/kb/condition/",
        "compare": f"/admin/kb/condition/{condition.pk}/compare/?from=1&to=2",
        "reference": f"/admin/kb/reference/{journal.pk}/change/",
        "web reference": f"/admin/kb/reference/{webpage.pk}/change/",
        "references": "/admin/kb/reference/",
        "feedback": f"/admin/kb/feedback/{feedback.pk}/change/",
        "feedback list": "/admin/kb/feedback/",
        "reviewer": f"/admin/accounts/user/{probe['reviewer'].pk}/change/",
        "desk home": "/admin/",
    }
    problems = {}
    for label, url in strict.items():
        html = _get(client, url)
        assert probe["payload"] in visible_text(html)
        if found := script_problems(html):
            problems[label] = found
    for label, url in desk.items():
        if found := script_problems(_get(client, url), own_scripts=True, style_attributes=True):
            problems[label] = found
    assert not problems, problems
    assert probe["payload"] in visible_text(_get(client, desk["feedback"]))


def test_partner_api_sends_sanitised_html_and_plain_text(probe):
    payload = probe["payload"]
    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")

    for url in ("/api/v1/conditions/", "/api/v1/conditions/?q=alert",
                "/api/v1/changes/?since=2000-01-01T00:00:00Z"):  # fmt: skip
        response = api.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"

    listing = api.get("/api/v1/conditions/").json()
    assert [item["name"] for item in listing["results"]] == [payload]

    response = api.get(f"/api/v1/conditions/{SLUG}/")
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()
    # Plain-text fields are data, exactly as written: partners escape them as text.
    assert detail["name"] == payload
    assert detail["reviewed_by"] == {"name": payload, "credentials": payload}
    assert detail["codes"][0]["display"] == payload
    # HTML fields are sanitised: nothing in them can run on a partner's page.
    for section in detail["sections"]:
        assert not script_problems(section["html"]), section["html"]
    assert detail["sections"][0]["heading"] == f"{payload} v2"
    assert {(ref["title"], ref["journal"]) for ref in detail["references"]} == {(payload, payload)}
    # A URL field is a link target for partners: a stored script URL is never sent.
    (webpage,) = [ref for ref in detail["references"] if "[Internet]" in ref["citation"]]
    assert webpage["url"] is None


def test_a_reflected_search_query_is_inert(client):
    for payload in CORPUS:
        html = _get(client, f"/search/?q={quote(payload)}")
        assert not script_problems(html), payload
        assert payload.strip() in visible_text(html)


def test_tables_and_callouts_keep_every_payload_inert():
    for payload in CORPUS:
        html = render_body(_boxes(payload), numbers={}, known=set(), id_prefix="boxes")
        assert not script_problems(html), payload
        assert html.count('<section class="callout') == len(CALLOUT_KINDS), payload
        assert "<table>" in html, payload
        assert "style=" not in html, payload
        assert payload.strip() in visible_text(html), payload
