"""In Chromium: a browser sends every textarea back with CRLF line endings. Editing one
section of a draft whose stored text has LF must show one changed section in compare."""

from __future__ import annotations

import re

import pytest

from accounts.roles import AUTHOR, MEDICAL_REVIEWER
from kb import workflow
from tests.browser.test_editorial_flow import sign_in
from tests.factories import UserFactory, make_live

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "Cramps are common.\n\nMost are harmless."},
    {"kind": "causes", "heading": "Causes", "body": "Often none is found.\nExercise is one."},
    {"kind": "symptoms", "heading": "Symptoms", "body": "- twitching\n- cramps\n- stiffness"},
    {"kind": "treatment", "heading": "Treatment", "body": "Stretching helps.\n\nSo does rest."},
]


def test_editing_one_section_in_the_browser_changes_one_section(live_server, page, artifacts):
    author = UserFactory(username="writer", role=AUTHOR)
    reviewer = UserFactory(username="doctor", role=MEDICAL_REVIEWER)
    live = make_live(author=author, reviewer=reviewer, slug="cramp", sections=SECTIONS)
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    base = live_server.url

    sign_in(page, base, "writer")
    page.goto(f"{base}/admin/kb/revision/{draft.pk}/change/")
    page.fill("#id_sections-2-body", "- twitching\n- cramps\n- tiredness")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    page.goto(f"{base}/admin/kb/condition/{live.condition_id}/compare/")
    page.wait_for_url(re.compile(r".*/compare/.*"))
    summary = page.locator("#compare-summary").inner_text()
    page.screenshot(path=str(artifacts / "desk-compare-one-section.png"), full_page=True)
    assert summary.startswith("1 section changed")
    assert "added" not in summary and "removed" not in summary
    assert "Unchanged sections (3)" in page.locator("details > summary").first.inner_text()
