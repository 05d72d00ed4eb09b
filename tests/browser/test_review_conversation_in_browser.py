"""The send-back round trip in Chromium: a reviewer comments on a section and sends the
revision back; the author finds the comment on the revision page (and beside the section),
replies and resolves it; the page with its conversation passes axe (WCAG 2.2 AA)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accounts.roles import AUTHOR, MEDICAL_REVIEWER
from kb import workflow
from kb.models import SectionComment
from tests.browser.test_editorial_flow import sign_in, sign_out
from tests.factories import UserFactory, make_draft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("REVIEW_SHOTS", "/tmp/shots-review"))


def serious_violations(page) -> list[dict]:
    """axe-core run through the DevTools protocol, so the page keeps its real CSP."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_send_back_round_trip_as_reviewer_and_author(live_server, page):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install)")
    author = UserFactory(username="ann", display_name="Ann Author", role=AUTHOR)
    UserFactory(username="doctor", display_name="Dr Amira Haddad", role=MEDICAL_REVIEWER)
    draft = make_draft(
        author=author,
        slug="neuromyotonia",
        name="Neuromyotonia",
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Nerves fire too often."},
            {"kind": "treatment", "heading": "Treatment", "body": "Carbamazepine 200 mg daily."},
        ],
    )
    workflow.submit(revision=draft, by=author, comment="Updated treatment section")
    treatment = draft.sections.get(heading="Treatment")
    base = live_server.url
    revision_url = f"{base}/admin/kb/revision/{draft.pk}/change/"
    page.set_viewport_size({"width": 1280, "height": 900})

    # The reviewer reads the author's note at the top, comments on the treatment section …
    sign_in(page, base, "doctor")
    page.goto(revision_url)
    conversation = page.locator("#conversation")
    assert "Updated treatment section" in conversation.inner_text()
    page.select_option("#id_new-comment-section", str(treatment.pk))
    page.fill("#id_new-comment-quote", "200 mg daily")
    page.fill("#id_new-comment-body", "Which trial is this dose from? Cite it.")
    page.click("#new-comment input[type=submit]")
    page.wait_for_selector("text=Comment added.")
    thread = SectionComment.objects.get()
    assert thread.section_id == treatment.pk

    # … and sends it back: the send-back page lists the open comment.
    page.goto(f"{base}/admin/kb/revision/{draft.pk}/transition/request_changes/")
    assert "Which trial is this dose from?" in page.locator(".kb-unresolved").inner_text()
    shot(page, "send-back-unresolved-1280")
    page.fill("#id_comment", "Please cite the dose; see my comment on Treatment.")
    page.click("input[type=submit][value='Send back with comments']")
    page.wait_for_selector("text=Send back with comments: done.")
    sign_out(page, base)

    # The author finds both on the revision page, and the comment beside its section.
    sign_in(page, base, "ann")
    page.goto(revision_url)
    text = conversation.inner_text()
    assert "Please cite the dose; see my comment on Treatment." in text
    assert "Which trial is this dose from? Cite it." in text
    assert "200 mg daily" in text
    beside = page.locator(f"#revision_form a[href='#comment-{thread.pk}']")
    assert beside.count() == 1
    shot(page, "revision-conversation-author-1280")
    found = serious_violations(page)
    assert not found, found

    page.fill(f"#id_reply-{thread.pk}-body", "Cited the CBZ trial [@hart2002].")
    page.click(f"#comment-{thread.pk} .kb-reply-form input[type=submit]")
    page.wait_for_selector("text=Reply added.")
    page.fill(f"#id_resolve-{thread.pk}-note", "Source added")
    page.click(f"#comment-{thread.pk} .kb-resolve-form input[type=submit]")
    page.wait_for_selector("text=Comment resolved.")
    resolved = page.locator(f"#comment-{thread.pk}").inner_text()
    assert "Resolved by Ann Author" in resolved and "Source added" in resolved
    assert page.locator(f"#revision_form a[href='#comment-{thread.pk}']").count() == 0
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= 1280, f"the revision page scrolls sideways ({scroll}px)"
    shot(page, "revision-conversation-resolved-1280")
    assert not serious_violations(page)
    sign_out(page, base)

    # The reviewer sees the reply and the resolution where they left the comment.
    sign_in(page, base, "doctor")
    page.goto(revision_url)
    text = page.locator(f"#comment-{thread.pk}").inner_text()
    assert "Cited the CBZ trial" in text and "Resolved by Ann Author" in text


def test_dashboard_fits_1280_with_awaiting_my_review_first(live_server, page):
    author = UserFactory(username="ann", display_name="Ann Author", role=AUTHOR)
    UserFactory(username="doctor", display_name="Dr Amira Haddad", role=MEDICAL_REVIEWER)
    long_name = "Chronic inflammatory demyelinating polyradiculoneuropathy with " * 3
    for n in range(3):
        draft = make_draft(author=author, slug=f"long-{n}", name=f"{long_name.strip()} {n}")
        workflow.submit(revision=draft, by=author, comment="Updated treatment section")
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, "doctor")
    page.goto(f"{base}/admin/kb/dashboard/")
    first = page.locator("#content-main section").first
    assert first.locator("h2").inner_text().startswith("Awaiting my review (3)")
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    shot(page, "dashboard-1280")
    assert scroll <= 1280, f"the dashboard scrolls sideways at 1280 px ({scroll}px)"
    found = serious_violations(page)
    assert not found, found
