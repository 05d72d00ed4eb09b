"""Autosave in Chromium, under the desk's real CSP: a draft is saved a moment after the
author stops typing; a second person on the same draft gets a conflict message naming the
first and the time of their save, and nothing is overwritten; leaving the page with
unsaved changes asks first (beforeunload), leaving it after a save does not."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kb.edit_lock import when
from kb.models import Revision
from tests.browser.test_editorial_flow import sign_in
from tests.factories import make_draft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SHOTS = Path("/tmp/shots-cite")


def first_body(draft) -> str:
    return Revision.objects.get(pk=draft.pk).sections.order_by("position").first().body


def open_as(browser, base: str, username: str, draft):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, base, username)
    page.goto(f"{base}/admin/kb/revision/{draft.pk}/change/")
    return context, page


def test_autosave_and_the_conflict_between_two_people(
    live_server, browser, author, author2, settings
):
    settings.DESK_AUTOSAVE_DELAY_MS = 400
    draft = make_draft(author=author)
    base = live_server.url
    alice_context, alice = open_as(browser, base, "alice", draft)
    arthur_context, arthur = open_as(browser, base, "arthur", draft)  # same version open

    alice.locator("#id_sections-0-body").fill("Alice wrote this.")
    expect(alice.locator(".autosave-status")).to_contain_text("Draft saved automatically")
    assert first_body(draft) == "Alice wrote this."
    stored = Revision.objects.get(pk=draft.pk)
    expect(alice.locator("input[name=opened_version]")).to_have_value(str(stored.lock_version))

    arthur.locator("#id_sections-0-body").fill("Arthur wrote this.")
    conflict = arthur.locator(".autosave-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(
        f"Alice Author saved this revision at {when(stored.updated_at)}"
    )
    arthur.screenshot(path=str(SHOTS / "autosave-conflict.png"))
    assert first_body(draft) == "Alice wrote this."  # never a silent overwrite

    # Alice goes on writing; her next autosave starts from the version her page holds.
    alice.locator("#id_sections-0-body").fill("Alice wrote more.")
    expect(alice.locator(".autosave-status")).to_contain_text("Draft saved automatically")
    expect(alice.locator("input[name=opened_version]")).to_have_value(str(stored.lock_version + 1))
    # … and Save after autosave goes through the same lock without a conflict.
    alice.click("input[name=_continue]")
    expect(alice.locator(".messagelist .success")).to_be_visible()
    assert first_body(draft) == "Alice wrote more."
    alice_context.close()
    arthur_context.close()


def test_leaving_with_unsaved_changes_asks_first(live_server, page, author, settings):
    settings.DESK_AUTOSAVE_DELAY_MS = 600_000  # nothing is saved behind the test's back
    draft = make_draft(author=author)
    dialogs: list[str] = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.accept()  # leave anyway

    page.on("dialog", answer)
    sign_in(page, live_server.url, "alice")
    url = f"{live_server.url}/admin/kb/revision/{draft.pk}/change/"
    page.goto(url)
    page.goto(f"{live_server.url}/admin/")  # nothing typed: no question
    assert dialogs == []

    page.goto(url)
    page.locator("#id_sections-0-body").click()
    page.keyboard.type(" Unsaved words.")
    with page.expect_event("close"):
        page.close(run_before_unload=True)  # closes at once when nothing asks
    assert dialogs == ["beforeunload"]


def test_saving_does_not_ask(live_server, page, author, settings):
    settings.DESK_AUTOSAVE_DELAY_MS = 600_000
    draft = make_draft(author=author)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/admin/kb/revision/{draft.pk}/change/")
    page.locator("#id_sections-0-body").click()
    page.keyboard.type(" Saved words.")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert dialogs == []
    assert first_body(draft).endswith("Saved words.")
