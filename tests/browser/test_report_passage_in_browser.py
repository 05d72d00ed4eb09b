"""Report a passage in Chromium, under the site's real CSP: select words in a section of
an article, press Ctrl+Enter (or the "Report this passage" button, from the keyboard), and
the report form opens with the words and their section filled in; sending it stores them
with the revision shown. Without JavaScript the same form takes them typed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kb.models import Feedback
from tests.factories import make_live

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
WORDS = "Carbamazepine 200 mg twice daily calms the nerves."


@pytest.fixture
def published(author, reviewer):
    return make_live(
        author=author,
        reviewer=reviewer,
        slug="neuromyotonia",
        name="Neuromyotonia",
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Nerves fire too often."},
            {"kind": "treatment", "heading": "Treatment", "body": WORDS},
        ],
    )


def test_selection_opens_the_report_form_prefilled(live_server, page, published, artifacts):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    article = f"{live_server.url}/conditions/neuromyotonia/"
    button = page.get_by_role("button", name="Report this passage")

    # Ctrl+Enter on a selection inside the Treatment section.
    page.goto(article)
    expect(button).to_be_hidden()
    page.locator("section.section-treatment p").first.select_text()
    expect(button).to_be_visible()
    page.screenshot(path=artifacts / "report-passage-button.png")
    page.evaluate("window.getSelection().removeAllRanges()")
    expect(button).to_be_hidden()  # gone with the selection
    page.locator("section.section-treatment p").first.select_text()
    expect(button).to_be_visible()
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r".*/report/\?.*passage=.*section=treatment"))
    expect(page.locator("#id_passage")).to_have_value(WORDS)
    expect(page.locator("#id_section")).to_have_value("treatment")

    # The button, reached and pressed from the keyboard.
    page.goto(article)
    page.locator("section.section-overview p").first.select_text()
    expect(button).to_be_visible()
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/report/\?.*section=overview"))
    expect(page.locator("#id_passage")).to_have_value("Nerves fire too often.")
    expect(page.locator("#id_section")).to_have_value("overview")

    page.fill("#id_message", "The first sentence overstates how often this happens.")
    page.click("text=Send report")
    page.wait_for_url(re.compile(r".*/report/thanks/$"))
    fb = Feedback.objects.get()
    assert (fb.passage, fb.section, fb.revision_id) == (
        "Nerves fire too often.",
        "overview",
        published.pk,
    )
    assert refused == []


def test_without_javascript_the_form_takes_a_typed_passage(live_server, browser, published):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/conditions/neuromyotonia/")
    expect(page.get_by_role("button", name="Report this passage")).to_have_count(0)
    page.click("text=Report an inaccuracy")
    page.fill("#id_passage", "twice daily")
    page.select_option("#id_section", "treatment")
    page.fill("#id_message", "Is it not three times a day?")
    page.click("text=Send report")
    page.wait_for_url(re.compile(r".*/report/thanks/$"))
    context.close()
    fb = Feedback.objects.get()
    assert (fb.passage, fb.section, fb.revision_id) == ("twice daily", "treatment", published.pk)
