"""The citation picker in Chromium, under the desk's real CSP: searching the library from
a section's "Cite…" panel inserts [@key] where the cursor was; a PMID not in the library
is added (from a recorded PubMed answer) and cited; and a key that names no reference is
flagged under the box as it is typed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kb.models import Reference
from tests.browser.test_editorial_flow import sign_in
from tests.factories import ReferenceFactory, make_draft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
RECORDED = Path(__file__).resolve().parents[1] / "library" / "recorded"
SHOTS = Path("/tmp/shots-cite")
BODY = "Cramps are common.\nMost are harmless."


@pytest.fixture
def draft(author):
    ReferenceFactory(
        key="jansen1991",
        title="Benign fasciculations and cramps",
        authors=[{"family": "Jansen", "given": "PH"}],
        year=1991,
    )
    ReferenceFactory(key="bad2010", title="A retracted cramp trial", retracted=True)
    return make_draft(
        author=author,
        sections=[
            {"kind": "overview", "heading": "Overview", "body": BODY},
            {"kind": "causes", "heading": "Causes", "body": "Often none is found."},
        ],
    )


def open_draft(page, base: str, draft) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, base, "alice")
    page.goto(f"{base}/admin/kb/revision/{draft.pk}/change/")
    return refused


def put_cursor_after(page, selector: str, text: str) -> None:
    """Click into the box and move the caret, with the keyboard, to just after ``text``."""
    box = page.locator(selector)
    box.click()
    page.keyboard.press("Control+Home")
    for _ in range(len(text)):
        page.keyboard.press("ArrowRight")


def test_a_search_result_is_inserted_at_the_cursor(live_server, page, draft):
    SHOTS.mkdir(exist_ok=True)
    refused = open_draft(page, live_server.url, draft)
    put_cursor_after(page, "#id_sections-0-body", "Cramps are common")

    page.locator(".cite-open").first.click()
    search = page.get_by_label("Search the reference library").first
    expect(search).to_be_focused()
    search.fill("benign 1991")
    result = page.get_by_role("button", name="[@jansen1991] Benign fasciculations")
    expect(result).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator(".cite-panel").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "citation-picker.png"))
    result.click()

    expect(page.locator("#id_sections-0-body")).to_have_value(
        "Cramps are common[@jansen1991].\nMost are harmless."
    )
    expect(page.locator("#id_sections-0-body")).to_be_focused()
    page.keyboard.type(" Really")  # the caret is right after the marker
    expect(page.locator("#id_sections-0-body")).to_have_value(
        "Cramps are common[@jansen1991] Really.\nMost are harmless."
    )
    # The other section's box is left alone.
    expect(page.locator("#id_sections-1-body")).to_have_value("Often none is found.")
    assert refused == []


def test_unknown_and_retracted_keys_are_flagged_while_typing(live_server, page, draft):
    open_draft(page, live_server.url, draft)
    box = page.locator("#id_sections-1-body")
    box.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" See [@ghost1999] and [@bad2010].")
    flags = page.locator(".cite-flags").nth(1)
    expect(flags).to_contain_text("Not in the reference library: [@ghost1999]")
    expect(flags).to_contain_text("Retracted publications: [@bad2010]")
    page.screenshot(path=str(SHOTS / "citation-flags.png"), full_page=True)
    box.fill("Often none is found. [@ghost1999]")
    expect(flags).not_to_contain_text("bad2010")

    # Saved anyway: a warning listing the problem at the top, not a green success, and
    # the submit button waits.
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist .warning")).to_contain_text("[@ghost1999]")
    expect(page.locator(".messagelist .success")).to_have_count(0)
    expect(page.locator("#submit-problems")).to_contain_text("[@ghost1999]")
    expect(page.get_by_role("link", name="Submit for review")).to_have_count(0)
    page.screenshot(path=str(SHOTS / "citation-warning-after-save.png"))
    page.locator("#id_sections-1-body").fill("Often none is found.")
    expect(page.locator(".cite-flags").nth(1)).to_be_empty()


def test_a_pmid_is_added_to_the_library_and_cited(live_server, page, draft, monkeypatch):
    answer = json.loads((RECORDED / "esummary_15326253.json").read_text())
    monkeypatch.setattr("kb.lookup.http_get_json", lambda url, *, service: answer)
    open_draft(page, live_server.url, draft)
    put_cursor_after(page, "#id_sections-1-body", "Often none is found.")
    page.locator(".cite-open").nth(1).click()
    panel = page.locator(".cite-panel").nth(1)
    panel.get_by_label("Not in the library? Add it from its DOI or PMID").fill("15326253")
    panel.get_by_role("button", name="Add and cite").click()
    message = panel.locator(".cite-message")
    expect(message).to_contain_text("Added [@")
    key = Reference.objects.get(pmid="15326253").key
    expect(page.locator("#id_sections-1-body")).to_have_value(f"Often none is found.[@{key}]")


def test_a_failed_lookup_says_why(live_server, page, draft, monkeypatch):
    from kb.lookup import LookupUnavailable

    def offline(url, *, service):
        raise LookupUnavailable("The lookup service could not be reached.")

    monkeypatch.setattr("kb.lookup.http_get_json", offline)
    open_draft(page, live_server.url, draft)
    page.locator(".cite-open").first.click()
    panel = page.locator(".cite-panel").first
    panel.get_by_label("Not in the library? Add it from its DOI or PMID").fill("10.1/x.y")
    panel.get_by_role("button", name="Add and cite").click()
    expect(panel.locator(".cite-message")).to_contain_text("could not be reached")
    expect(page.locator("#id_sections-0-body")).to_have_value(BODY)
    assert not Reference.objects.filter(doi="10.1/x.y").exists()


def test_one_citation_button_per_section_reached_from_the_keyboard(live_server, page, draft):
    """The formatting toolbar has no citation button of its own: each section has one way
    to cite, the picker's "Cite…", reached with Tab from the box and left with Escape."""
    open_draft(page, live_server.url, draft)
    for index in (0, 1):
        section = page.locator(f"#sections-{index}")
        expect(section.locator("markdown-toolbar")).to_have_count(1)  # the toolbar is there
        expect(section.get_by_role("button", name=re.compile(r"^Cit"))).to_have_count(1)

    box = page.locator("#id_sections-0-body")
    box.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Tab")
    cite = page.locator("#sections-0").get_by_role("button", name="Cite…")
    expect(cite).to_be_focused()
    page.keyboard.press("Enter")
    expect(cite).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Search the reference library").first).to_be_focused()
    page.keyboard.type("jansen")
    page.get_by_role("button", name="[@jansen1991] Benign fasciculations").focus()
    page.keyboard.press("Enter")
    expect(box).to_have_value(BODY + "[@jansen1991]")
    expect(box).to_be_focused()
