"""Search documents exist for what is public or scheduled, nothing else (kb.search_index).

A superseded, withdrawn or cancelled revision's document is deleted when it stops being
public (so search finds its matches among about as many documents as there are live
conditions), a restore writes it again, and a scheduled revision's document is written at
approval so that it is searchable the moment its go-live comes, with no write (I1 holds
throughout: only the live one of the two is ever found).
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kb import services, workflow
from kb.models import Condition, Revision, SearchDocument
from kb.search import search_published
from tests.factories import make_live
from tests.portability.conftest import wipe

pytestmark = pytest.mark.django_db


def _live(author, reviewer, *, slug="cramp", name="Cramp", body="Sudden calf tightening."):
    return make_live(
        author=author, reviewer=reviewer, slug=slug, name=name,
        sections=[{"kind": "overview", "heading": "Overview", "body": body}],
    )  # fmt: skip


def _approve_new(condition, *, author, reviewer, body: str, go_live_at=None) -> Revision:
    draft = workflow.start_new_draft(condition=condition, by=author)
    draft = services.update_revision(
        revision=draft, by=author, expected_version=draft.lock_version,
        sections=[{"kind": "overview", "heading": "Overview", "body": body}],
    )  # fmt: skip
    workflow.submit(revision=draft, by=author)
    return workflow.approve(revision=draft, by=reviewer, go_live_at=go_live_at)


def _documented() -> set[int]:
    return set(SearchDocument.objects.values_list("revision_id", flat=True))


def _public() -> set[int]:
    ids: set[int] = set()
    for published, scheduled in Condition.objects.filter(withdrawn_at__isnull=True).values_list(
        "published_revision", "scheduled_revision"
    ):
        ids |= {pk for pk in (published, scheduled) if pk is not None}
    return ids


def test_a_superseded_revisions_document_is_deleted(author, author2, reviewer, reviewer2):
    first = _live(author, reviewer)
    second = _approve_new(
        first.condition, author=author2, reviewer=reviewer2, body="Replaced wording."
    )
    assert _documented() == {second.pk}
    assert search_published(query="tightening").total == 0
    assert search_published(query="replaced wording").total == 1


def test_withdrawal_deletes_the_document_and_restore_writes_it_again(author, reviewer, publisher):
    live = _live(author, reviewer)
    workflow.withdraw(condition=live.condition, by=publisher, reason="Outdated.")
    assert _documented() == set()
    assert search_published(query="tightening").total == 0
    workflow.restore(condition=live.condition, by=publisher)
    assert _documented() == {live.pk}
    assert search_published(query="tightening").total == 1


def test_a_merge_deletes_the_merged_conditions_document(author, reviewer, publisher):
    merged = _live(author, reviewer)
    kept = _live(author, reviewer, slug="cramps", name="Cramps", body="Calf pain at night.")
    workflow.merge(condition=merged.condition, into=kept.condition, by=publisher, reason="Dup.")
    assert _documented() == {kept.pk}


def test_a_scheduled_go_live_is_searchable_without_a_write(author, author2, reviewer, reviewer2):
    first = _live(author, reviewer)
    go_live = timezone.now() + dt.timedelta(days=1)
    scheduled = _approve_new(
        first.condition, author=author2, reviewer=reviewer2, body="Replaced wording.",
        go_live_at=go_live,
    )  # fmt: skip
    assert _documented() == {first.pk, scheduled.pk}
    assert search_published(query="replaced").total == 0  # not yet: I1
    assert search_published(query="tightening").total == 1
    with time_machine.travel(go_live + dt.timedelta(seconds=1), tick=False):
        # No catch-up has run: the pointers still name the first revision.
        assert Condition.objects.get().published_revision_id == first.pk
        assert search_published(query="replaced").total == 1
        assert search_published(query="tightening").total == 0
        workflow.publish_scheduled()
        assert _documented() == {scheduled.pk}


def test_a_cancelled_schedule_deletes_the_scheduled_document(
    author, author2, reviewer, reviewer2, publisher
):
    first = _live(author, reviewer)
    _approve_new(
        first.condition, author=author2, reviewer=reviewer2, body="Replaced wording.",
        go_live_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    workflow.cancel_schedule(condition=first.condition, by=reviewer2)
    assert _documented() == {first.pk}


def test_rebuild_search_index_writes_documents_of_public_revisions_only(
    author, author2, reviewer, reviewer2, publisher
):
    first = _live(author, reviewer)
    _approve_new(first.condition, author=author2, reviewer=reviewer2, body="Replaced wording.")
    gone = _live(author, reviewer, slug="gone", name="Gone")
    workflow.withdraw(condition=gone.condition, by=publisher, reason="Outdated.")
    public = _public()
    call_command("rebuild_search_index", "--all", stdout=io.StringIO())
    assert _documented() == public
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kb_searchdocument")
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert _documented() == public


def test_import_writes_documents_of_public_revisions_only(
    author, author2, reviewer, reviewer2, publisher, tmp_path
):
    first = _live(author, reviewer)
    _approve_new(first.condition, author=author2, reviewer=reviewer2, body="Replaced wording.")
    _approve_new(
        first.condition, author=author2, reviewer=reviewer2, body="Scheduled wording.",
        go_live_at=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    gone = _live(author, reviewer, slug="gone", name="Gone")
    workflow.withdraw(condition=gone.condition, by=publisher, reason="Outdated.")
    path = tmp_path / "library.json"
    call_command("export_content", str(path))
    wipe()
    call_command("import_content", str(path))
    assert len(_public()) == 2
    assert _documented() == _public()
    assert search_published(query="replaced wording").total == 1
    assert search_published(query="tightening").total == 0


def test_the_migration_drops_documents_of_revisions_that_are_not_public(
    author, author2, reviewer, reviewer2
):
    migration = importlib.import_module("kb.migrations.0026_search_documents_public_only")
    first = _live(author, reviewer)
    second = _approve_new(
        first.condition, author=author2, reviewer=reviewer2, body="Replaced wording."
    )
    editor = SimpleNamespace(connection=connection)  # all RunPython reads of it
    migration.rebuild_every_approved(apps, editor)  # backwards: as before 0026
    assert _documented() == {first.pk, second.pk}
    migration.drop_non_public(apps, editor)
    assert _documented() == {second.pk}
    assert search_published(query="replaced wording").total == 1
