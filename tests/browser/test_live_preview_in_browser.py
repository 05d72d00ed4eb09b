"""In Chromium: the revision form's live preview follows the text as it is typed, without
saving, and the Markdown toolbar edits the section body."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from accounts.roles import AUTHOR
from kb.models import Revision, Section
from tests.browser.test_editorial_flow import sign_in
from tests.factories import ReferenceFactory, UserFactory, make_draft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "Cramps are common [@jansen2004]."},
    {"kind": "symptoms", "heading": "Symptoms", "body": "- twitching\n- cramps"},
]
SHOTS = Path(os.environ.get("DESK_SHOTS", "/tmp/shots-preview"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def preview_frame(page):
    return page.frame_locator("#desk-live-preview iframe")


def test_typing_updates_the_preview_without_saving(live_server, page, artifacts):
    author = UserFactory(username="writer", role=AUTHOR)
    ReferenceFactory(key="jansen2004", title="Benign fasciculations in the population")
    draft = make_draft(author=author, slug="cramp", sections=SECTIONS)
    stored = list(Section.objects.filter(revision=draft).values_list("body", flat=True))
    lock = draft.lock_version
    base = live_server.url

    csp_errors = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    sign_in(page, base, "writer")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{base}/admin/kb/revision/{draft.pk}/change/")
    frame = preview_frame(page)
    frame.locator("sup.citation").first.wait_for()
    assert "Benign fasciculations" in frame.locator("#ref-1").inner_text()

    body = page.locator("#id_sections-1-body")
    body.click()
    body.press("Control+End")
    body.press_sequentially("\n\n::: emergency Call 999 if\nyou cannot breathe\n:::")
    frame.locator("section.callout-emergency").wait_for()
    assert "Immediate action required" in frame.locator("section.callout-emergency h3").inner_text()

    # A toolbar button: Table inserts a GFM table at the cursor; the preview shows it.
    page.locator("markdown-toolbar[for='id_sections-1-body'] button", has_text="Table").click()
    assert "| --- | --- |" in body.input_value()
    frame.locator("table th", has_text="Column 1").wait_for()

    # A shortcut: Ctrl+B makes the selected word bold.
    body.press("Control+End")
    body.press_sequentially("\n\nRest helps")
    for _ in range(5):
        body.press("Shift+ArrowLeft")
    body.press("Control+b")
    assert body.input_value().endswith("Rest **helps**")
    frame.locator("strong", has_text="helps").wait_for()
    assert re.search(
        r"\d+ words, \d+ characters", page.locator("#id_sections-1-body-count").inner_text()
    )

    # Readability of the typed text appears in the form without saving.
    page.locator("#sections-1 .field-readability_report .readonly").filter(
        has_text="words"
    ).wait_for()

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "editor-1920.png"))
    page.locator(".desk-preview-phone").click()
    assert page.locator(".desk-preview-phone").get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(SHOTS / "editor-1920-phone.png"))
    page.locator(".desk-preview-phone").click()

    # Narrower: the preview is a bar at the bottom of the window that opens.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/admin/kb/revision/{draft.pk}/change/")
    preview_frame(page).locator("sup.citation").first.wait_for(state="attached")
    page.screenshot(path=str(SHOTS / "editor-1280-top.png"))
    page.locator("#id_sections-0-body").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "editor-1280.png"))
    toggle = page.locator(".desk-preview-toggle")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("#desk-live-preview iframe").is_visible()
    page.screenshot(path=str(SHOTS / "editor-1280-open.png"))
    page.screenshot(path=str(artifacts / "desk-live-preview-1280.png"))

    # The writing aids pass axe (serious and critical) and run under the desk's real CSP.
    if AXE.exists():
        page.evaluate(AXE.read_text())  # through DevTools, not a script tag: CSP stays on
        found = page.evaluate(
            "async () => (await axe.run({include: [['#desk-live-preview'], ['.desk-editor']]},"
            " {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']})).violations"
            ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)"
        )
        assert found == []
    assert csp_errors == []

    # A section added in the page gets its toolbar too.
    page.get_by_text("Add another Section").click()
    page.locator("markdown-toolbar[for='id_sections-2-body']").wait_for()

    # Nothing was saved by any of this.
    draft.refresh_from_db()
    assert draft.lock_version == lock
    assert list(Section.objects.filter(revision=draft).values_list("body", flat=True)) == stored
    assert Revision.objects.filter(pk=draft.pk, updated_at=draft.updated_at).exists()
