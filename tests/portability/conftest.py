"""A small library with every kind of row an export carries, and a way to empty the
database as a fresh one is empty."""

from __future__ import annotations

import pytest

from kb import comments, services, workflow
from kb.models import Condition, Review, Revision, Section, SectionComment, WorkflowEvent
from tests.factories import ReferenceFactory, make_draft, make_live


def wipe() -> None:
    """Empty the library the way a fresh database is empty (bypassing the guards on purpose)."""
    from django.contrib.auth import get_user_model
    from django.core.management.color import no_style
    from django.db import connection

    tables = [m._meta.db_table for m in (
        SectionComment, WorkflowEvent, Review, Section, Revision.edited_by.through,
        Condition.related.through,
    )]  # fmt: skip
    tables += ["kb_searchdocument", "kb_rendition", "kb_citation", "kb_conditionslug",
               "kb_publicchange", "kb_conditioncode", "kb_notification", "kb_feedback"]  # fmt: skip
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            "UPDATE kb_condition SET published_revision_id = NULL, scheduled_revision_id = NULL"
        )
        cursor.execute("DELETE FROM kb_revision")
        cursor.execute("DELETE FROM kb_condition")
        cursor.execute("DELETE FROM kb_referenceevent")
        cursor.execute("DELETE FROM kb_reference")
        # Row numbers start again at 1, as in a new database.
        tables += ["kb_revision", "kb_condition", "kb_referenceevent", "kb_reference"]
        sequences = [
            {"table": t, "column": "id"}
            for t in tables
            if t not in ("kb_searchdocument", "kb_rendition")
        ]
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), sequences):
            cursor.execute(sql)
    get_user_model().objects.all().delete()
    from kb.models.publication import advance

    advance()  # raw SQL sends no signal: readers must not get the old library


@pytest.fixture
def library(author, author2, reviewer, publisher):
    ReferenceFactory(key="jansen1991", doi="10.1007/BF02191951", pmid="1834104",
                     authors=[{"family": "Østergaard", "given": "J"}])  # fmt: skip
    live = make_live(
        author=author, reviewer=reviewer, slug="cfs", name="Cramp-fasciculation syndrome",
        also_known_as=["CFS"],
        sections=[{"kind": "overview", "heading": "Overview", "body": "Gonçalves [@jansen1991]."}],
    )  # fmt: skip
    nxt = workflow.start_new_draft(condition=live.condition, by=author2)
    services.update_revision(revision=nxt, by=author2, expected_version=nxt.lock_version,
                             summary="Newer summary.")  # fmt: skip
    workflow.submit(revision=nxt, by=author2)
    overview = nxt.sections.get()
    thread = comments.add_comment(revision=nxt, by=reviewer, section=overview,
                                  quote="Gonçalves", body="Which study is this?")  # fmt: skip
    comments.reply(comment=thread, by=author2, body="The 1991 series.")
    comments.resolve(comment=thread, by=reviewer, note="Thanks.")
    comments.add_comment(revision=nxt, by=reviewer, body="Shorten the summary.")
    workflow.request_changes(revision=nxt, by=reviewer, comment="Add a source.")
    gone = make_live(author=author, reviewer=reviewer, slug="gone")
    workflow.withdraw(condition=gone.condition, by=publisher, reason="Outdated.")
    services.rename_condition(condition=gone.condition, new_slug="gone-now", by=publisher)
    make_draft(author=author, slug="draft-only")
    live.condition.related.add(gone.condition)
    live.condition.codes.create(system="ICD-10", code="G12.21", display="Example display")
    return live
