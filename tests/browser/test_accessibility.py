"""Public pages in Chromium: axe-core finds no serious or critical WCAG 2.2 AA violation,
and each page is screenshotted at desktop width and at 375 px for people to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.factories import ReferenceFactory, make_live

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "/",
    "a-to-z": "/conditions/",
    "article": "/conditions/neuromyotonia/",
    "print": "/conditions/neuromyotonia/print/",
    "search": "/search/?q=nerves",
    "feedback": "/conditions/neuromyotonia/report/",
}


@pytest.fixture
def browser_context_args(browser_context_args):
    """axe-core is injected as a script tag, which the site's strict CSP rightly refuses;
    these tests audit accessibility, so this browser context ignores CSP (the desk test in
    test_editorial_flow.py runs under the real policy)."""
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def axe_path():
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{AXE} is missing: run npm install (make install-dev does).")
        pytest.skip("axe-core is not installed (npm install)")
    return AXE


@pytest.fixture
def published(author, reviewer):
    ReferenceFactory(key="hart2002", title="Phenotypic variants of nerve hyperexcitability")
    make_live(
        author=author,
        reviewer=reviewer,
        slug="neuromyotonia",
        name="Neuromyotonia",
        also_known_as=["Isaacs' syndrome"],
        summary="Overactive nerves keep muscles working.",
        sections=[
            {
                "kind": "overview",
                "heading": "Overview",
                "body": "Nerves fire too often [@hart2002].",
            },
            {"kind": "treatment", "heading": "Treatment", "body": "- medicines\n- plasma exchange"},
        ],
    )


def violations(page, axe: Path) -> list[dict]:
    page.add_script_tag(path=str(axe))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", list(PAGES))
def test_public_page_has_no_serious_violations(live_server, page, published, axe_path,
                                               artifacts, name):  # fmt: skip
    for width, label in ((1280, "desktop"), (375, "375px")):
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(live_server.url + PAGES[name])
        assert response.status == 200
        page.screenshot(path=str(artifacts / f"public-{name}-{label}.png"), full_page=True)
        found = violations(page, axe_path)
        assert not found, f"{name} at {label}: {found}"
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= width, f"{name} scrolls sideways at {label} ({scroll}px)"


def test_reader_journey(live_server, page, published, artifacts):
    """A to Z → article → search → report an inaccuracy → print view."""
    base = live_server.url
    page.goto(base + "/")
    page.click("text=See all conditions")
    page.click("text=Neuromyotonia")
    assert page.locator("h1").inner_text() == "Neuromyotonia"
    page.goto(base + "/search/?q=isaacs")
    assert page.locator("a", has_text="Neuromyotonia").count() >= 1
    page.goto(base + "/conditions/neuromyotonia/")
    page.click("text=Report an inaccuracy")
    send = ".feedback-form button[type=submit]"  # the header's search form has a button too
    page.click(send)
    assert page.locator(".error-summary").is_visible()
    page.fill("#id_message", "The treatment list misses a medicine.")
    page.click(send)
    page.wait_for_selector("text=Thank you for your report")
    page.goto(base + "/conditions/neuromyotonia/")
    page.click("text=Print this page")
    assert "/print/" in page.url
    page.screenshot(path=str(artifacts / "public-print-journey.png"), full_page=True)


DESK_LISTS = {"condition-list": "/admin/kb/condition/", "reference-list": "/admin/kb/reference/"}


@pytest.mark.parametrize("name", list(DESK_LISTS))
def test_desk_list_has_no_serious_violations(live_server, page, published, axe_path,
                                             artifacts, name):  # fmt: skip
    """The condition and reference lists, filters included: their links are small text in a
    narrow column, so WCAG 2.2's target size (24 by 24 px, or spaced) is checked here."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "correct-horse-battery")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    response = page.goto(live_server.url + DESK_LISTS[name])
    assert response.status == 200
    assert page.locator("#changelist-filter a").count() > 3  # the filters are on the page
    page.screenshot(path=str(artifacts / f"desk-{name}-desktop.png"), full_page=True)
    found = violations(page, axe_path)
    assert not found, f"{name}: {found}"
