"""The change class on the public site: listed in "What changed"; a correction does not
move the article's "last updated" date (on the page and in its JSON-LD)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import time_machine
from django.urls import reverse

from kb import workflow
from tests.factories import make_live

pytestmark = pytest.mark.django_db

FIRST = dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC)
EDIT = dt.datetime(2025, 6, 1, 10, tzinfo=dt.UTC)
FIX = dt.datetime(2025, 9, 1, 10, tzinfo=dt.UTC)


def publish(*, live, author, reviewer, change_class, note, at):
    with time_machine.travel(at, tick=False):
        draft = workflow.start_new_draft(condition=live.condition, by=author)
        draft.change_class = change_class
        draft.change_note = note
        draft.save()
        workflow.submit(revision=draft, by=author)
        workflow.approve(revision=draft, by=reviewer)
    return draft


def page(client) -> str:
    return client.get(reverse("kb:article", args=["cramp"])).content.decode()


def last_updated(html: str) -> str:
    return re.search(r"Last updated: <time datetime=\"([^\"]+)\"", html).group(1)


def json_ld(html: str) -> dict:
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    )


def test_correction_is_listed_but_does_not_move_last_updated(client, author, author2, reviewer):
    with time_machine.travel(FIRST, tick=False):
        live = make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp")
    publish(live=live, author=author2, reviewer=reviewer, change_class="editorial",
            note="Clearer overview.", at=EDIT)  # fmt: skip
    before = page(client)
    publish(live=live, author=author2, reviewer=reviewer, change_class="correction",
            note="Fixed a typo.", at=FIX)  # fmt: skip
    after = page(client)

    assert last_updated(before).startswith("2025-06-01")
    assert last_updated(after) == last_updated(before)
    assert json_ld(after)["dateModified"].startswith("2025-06-01")
    log = after[after.index("What changed") :]
    assert "(Correction)" in log and "Fixed a typo." in log
    assert "(Editorial change)" in log and "Clearer overview." in log
    assert log.index("Fixed a typo.") < log.index("Clearer overview.")  # newest first


def test_clinical_change_moves_last_updated(client, author, author2, reviewer):
    with time_machine.travel(FIRST, tick=False):
        live = make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp")
    publish(live=live, author=author2, reviewer=reviewer, change_class="clinical",
            note="New dose advice.", at=EDIT)  # fmt: skip
    html = page(client)
    assert last_updated(html).startswith("2025-06-01")
    assert "(Clinical change)" in html


def test_article_corrected_since_first_publication_keeps_its_first_date(
    client, author, author2, reviewer
):
    with time_machine.travel(FIRST, tick=False):
        live = make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp")
    publish(live=live, author=author2, reviewer=reviewer, change_class="correction",
            note="Link fixed.", at=FIX)  # fmt: skip
    assert last_updated(page(client)).startswith("2025-03-01")
