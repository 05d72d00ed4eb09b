"""In Chromium: the readability report's lists (long sentences, simpler words) sit under
its own text, not pushed right by the admin's rule for lists in aligned forms."""

from __future__ import annotations

import pytest

from accounts.roles import AUTHOR
from tests.browser.test_editorial_flow import sign_in
from tests.factories import UserFactory, make_draft

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LONG = (
    "Neuromyotonia is a rare condition in which the nerves that supply the muscles fire "
    "again and again without any signal from the brain, which keeps the muscles active "
    "even while you are resting or asleep at night."
)


def test_long_sentence_list_is_not_indented_by_the_admin(live_server, page):
    author = UserFactory(username="writer", role=AUTHOR)
    body = f"{LONG} It is rare. Most people do well. Treatment helps."
    draft = make_draft(
        author=author,
        slug="neuromyotonia",
        sections=[{"kind": "overview", "heading": "Overview", "body": body}],
    )
    sign_in(page, live_server.url, "writer")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/kb/revision/{draft.pk}/change/")

    # The live preview replaces the report with the scores of the text as typed: measure
    # the one that stays.
    page.locator("#desk-live-preview[data-updated]").wait_for(state="attached")
    report = page.locator("#sections-0 .desk-readability")
    assert "Neuromyotonia is a rare condition" in report.locator("li").first.inner_text()
    text_left, item_left = report.evaluate(
        "r => [r.querySelector('p').getBoundingClientRect().left,"
        " r.querySelector('li').getBoundingClientRect().left]"
    )
    # The list's bullet indent (1.25rem) only, not the admin's 160 px label gutter.
    assert item_left - text_left < 40, (text_left, item_left)
