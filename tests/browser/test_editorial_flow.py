"""End to end in Chromium: an author creates and submits a condition in the desk, a
medical reviewer approves it, and the public page shows it with the reviewer byline."""

from __future__ import annotations

import re

import pytest

from accounts.roles import AUTHOR, MEDICAL_REVIEWER
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "correct-horse-battery"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))


def sign_out(page, base: str) -> None:
    page.click("#logout-form button")
    page.wait_for_load_state()


def test_author_submits_reviewer_approves_public_sees_byline(live_server, page, artifacts):
    UserFactory(username="writer", display_name="Priya Writer", role=AUTHOR)
    UserFactory(
        username="doctor",
        display_name="Dr Amira Haddad",
        credentials="MD, consultant neurologist",
        role=MEDICAL_REVIEWER,
    )
    base = live_server.url

    # The author creates the condition and its first draft …
    sign_in(page, base, "writer")
    page.goto(f"{base}/admin/kb/condition/add/")
    page.fill("#id_slug", "isaacs-syndrome")
    page.fill("#id_name", "Isaacs' syndrome")
    page.fill("#id_summary", "A rare condition in which overactive nerves make muscles twitch.")
    page.fill("#id_also_known_as", "Neuromyotonia\nAcquired neuromyotonia")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/kb/revision/\d+/change/$"))

    # … adds two sections with the inline editor and saves …
    for i, (heading, body) in enumerate(
        [("Overview", "Muscles keep **twitching** even at rest."),
         ("Treatment", "Medicines that calm nerves can help.")]
    ):  # fmt: skip
        page.click("text=Add another Section")
        page.select_option(f"#id_sections-{i}-kind", "overview" if i == 0 else "treatment")
        page.fill(f"#id_sections-{i}-position", str((i + 1) * 10))
        page.fill(f"#id_sections-{i}-heading", heading)
        page.fill(f"#id_sections-{i}-body", body)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    # … and submits it for review.
    page.click("text=Submit for review")
    page.click("input[type=submit][value='Submit for review']")
    page.wait_for_selector("text=Workflow — status: In review")
    revision_url = page.url
    page.screenshot(path=str(artifacts / "desk-author-submitted.png"), full_page=True)
    sign_out(page, base)

    # Nothing is public yet.
    response = page.goto(f"{base}/conditions/isaacs-syndrome/")
    assert response.status == 404

    # The reviewer approves with the default review dates.
    sign_in(page, base, "doctor")
    page.goto(revision_url)
    page.click("text=Approve and publish")
    page.check("#id_attestation")
    page.click("input[type=submit][value='Approve and publish']")
    page.wait_for_selector("text=Workflow — status: Approved (live)")
    page.screenshot(path=str(artifacts / "desk-reviewer-approved.png"), full_page=True)
    sign_out(page, base)

    # Readers now get the article with the byline.
    response = page.goto(f"{base}/conditions/isaacs-syndrome/")
    assert response.status == 200
    byline = page.locator(".byline").inner_text()
    assert "Medically reviewed by Dr Amira Haddad, MD, consultant neurologist" in byline
    assert page.locator("h1").inner_text() == "Isaacs' syndrome"
    assert page.locator("strong", has_text="twitching").count() == 1
    page.screenshot(path=str(artifacts / "article-public.png"), full_page=True)

    # Changing live text starts a new draft from the condition page.
    sign_in(page, base, "writer")
    page.goto(f"{base}/admin/kb/condition/")
    page.click("#result_list tbody th a")
    page.click("input[type=submit][value='Start new draft']")
    page.wait_for_selector("text=Revision 2 started from the live text.")
    assert page.locator("#id_name").input_value() == "Isaacs' syndrome"
