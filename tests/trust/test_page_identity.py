"""What names a cached page must change whenever what the page shows changes, whatever
the clocks of several app servers say and whatever a restored database reuses."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from kb import workflow
from kb.caching import store
from tests.factories import ReferenceFactory, make_live

pytestmark = pytest.mark.django_db

URL = "/conditions/cramp/"


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="smith2020", title="Cramp trial")
    return make_live(
        author=author, reviewer=reviewer, slug="cramp", name="Cramp",
        sections=[{"kind": "overview", "heading": "Overview", "body": "Common [@smith2020]."}],
    )  # fmt: skip


def test_a_retraction_changes_the_etag_though_another_servers_clock_ran_ahead(
    client, live, reviewer2
):
    now = timezone.now()
    with time_machine.travel(now + dt.timedelta(minutes=5), tick=False):  # a fast clock
        workflow.reconfirm(condition=live.condition, by=reviewer2)
    before = client.get(URL)
    with time_machine.travel(now + dt.timedelta(seconds=1), tick=False):  # a right one
        workflow.set_retraction(
            reference=live.citations.get().reference, by=reviewer2, retracted=True,
            note="Retracted by the journal.",
        )  # fmt: skip
    after = client.get(URL, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "retracted" in after.content.decode().lower()


def test_a_revision_id_reused_by_a_restored_database_is_rendered_afresh(client, live):
    """A database restored from a backup hands out ids again; an entry named by the id
    alone would show the other timeline's text under this reviewer's name."""
    assert "Common" in client.get(URL).content.decode()
    with connection.cursor() as cursor:  # the same id, another approval, other text
        cursor.execute(
            "UPDATE kb_revision SET approved_at = %s, published_at = %s WHERE id = %s",
            [timezone.now() + dt.timedelta(seconds=1)] * 2 + [live.pk],
        )
        cursor.execute("UPDATE kb_section SET body = 'Rare in the restored timeline.'")
        # Renditions live in the database with what they render: the other timeline has
        # its own (here: none yet, so its text is rendered on first read).
        cursor.execute("DELETE FROM kb_rendition")
        cursor.execute("UPDATE kb_publicationstate SET sequence = sequence + 1")
    store.clear_local()
    page = client.get(URL).content.decode()
    assert "Rare in the restored timeline." in page and "Common" not in page
