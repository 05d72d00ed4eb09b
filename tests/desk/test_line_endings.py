"""Browsers send textarea text with CRLF line endings; stored text has LF. Saving a draft
in the desk must not make every section look rewritten, in the comparison or in the
public "Section last updated" dates."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.urls import reverse

from kb import services, workflow
from kb.compare import RevisionSnapshot, SectionSnapshot, compare_revisions
from kb.models import Revision, Section
from tests.desk.test_admin_desk import revision_post_data
from tests.factories import make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db

SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "Cramps are common.\n\nMost are harmless."},
    {"kind": "causes", "heading": "Causes", "body": "Often none is found.\nExercise is one."},
    {"kind": "symptoms", "heading": "Symptoms", "body": "- twitching\n- cramps\n- stiffness"},
    {"kind": "treatment", "heading": "Treatment", "body": "Stretching helps.\n\nSo does rest."},
]

DAY1 = dt.datetime(2024, 1, 10, 9, 0, tzinfo=dt.UTC)
DAY2 = dt.datetime(2025, 6, 5, 9, 0, tzinfo=dt.UTC)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def store_raw(revision: Revision, *, transform) -> None:
    """Rewrite a draft's section bodies the way older code stored them, past every guard."""
    with connection.cursor() as cursor:
        for pk, body in Section.objects.filter(revision=revision).values_list("pk", "body"):
            cursor.execute(
                f"UPDATE {Section._meta.db_table} SET body = %s WHERE id = %s",
                [transform(body), pk],
            )


def test_desk_save_with_crlf_bodies_changes_only_the_edited_section(client, author, reviewer):
    live = make_live(author=author, reviewer=reviewer, sections=SECTIONS)
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    data = revision_post_data(draft, lock_version=draft.lock_version)
    for key in [k for k in data if k.endswith("-body")]:
        data[key] = crlf(data[key])  # what a browser sends back
    data["sections-2-body"] = "- twitching\r\n- cramps\r\n- tiredness"  # the one real change
    client.force_login(author)

    assert client.post(url, data).status_code == 302

    stored = Section.objects.filter(revision=draft, body__contains="\r").exists()
    entry = LogEntry.objects.filter(object_id=str(draft.pk)).latest("action_time")
    changed = [part["changed"]["object"] for part in json.loads(entry.change_message)
               if "changed" in part and "object" in part["changed"]]  # fmt: skip
    client.force_login(reviewer)
    page = client.get(reverse("admin:kb_condition_compare", args=[live.condition_id]))
    counts = page.context["comparison"].section_counts
    assert (counts["changed"], counts["unchanged"]) == (1, 3)
    assert not stored
    assert changed == ["Symptoms"]  # untouched sections were not written again


def test_crlf_and_lf_twins_compare_equal():
    def snapshot(number: int, transform) -> RevisionSnapshot:
        sections = tuple(
            SectionSnapshot(s["kind"], s["kind"].title(), s["heading"], transform(s["body"]))
            for s in SECTIONS
        )
        return RevisionSnapshot(
            number=number,
            status_label="approved",
            name="Cramp",
            summary=transform("A summary.\nOn two lines."),
            sections=sections,
        )

    comparison = compare_revisions(old=snapshot(1, str), new=snapshot(2, crlf))

    assert not comparison.has_changes


def test_line_endings_and_trailing_spaces_are_normalised_on_every_write(author, reviewer):
    messy = {
        "kind": "overview",
        "heading": "Overview",
        "body": "\r\nOne.  \r\nTwo. \t\rThree.\r\n\r\n",
    }
    draft = make_in_review(author=author, sections=[messy], summary="Sum\r\nmary.")
    assert Section.objects.get(revision=draft).body == "One.  \nTwo.\nThree."
    assert Revision.objects.get(pk=draft.pk).summary == "Sum\nmary."

    workflow.request_changes(revision=draft, by=reviewer, comment="Redo.")
    draft = Revision.objects.get(pk=draft.pk)
    services.update_revision(revision=draft, by=author, expected_version=draft.lock_version,
                             sections=[{**messy, "body": "A\r\nB  "}])  # fmt: skip
    assert Section.objects.get(revision=draft).body == "A\nB"

    Section.objects.filter(revision=draft).update(body="C \r\nD")
    assert Section.objects.get(revision=draft).body == "C\nD"

    section = Section.objects.get(revision=draft)
    section.body = "E\r\n\r\n"
    Section.objects.bulk_update([section], ["body"])
    assert Section.objects.get(revision=draft).body == "E"


def test_a_new_draft_of_crlf_text_is_stored_normalised(author, reviewer):
    revision = make_in_review(author=author, sections=SECTIONS)
    store_raw(revision, transform=crlf)
    workflow.approve(revision=revision, by=reviewer)

    draft = workflow.start_new_draft(condition=revision.condition, by=author)

    bodies = list(Section.objects.filter(revision=draft).values_list("body", flat=True))
    assert bodies == [s["body"] for s in SECTIONS]


def publish(revision: Revision, *, by, reviewer, when, change: str = "", raw=None) -> Revision:
    """Write the LF text with the Symptoms section edited (if ``change``), store the bodies
    transformed by ``raw`` (as older code did), then submit and approve at ``when``."""
    with time_machine.travel(when, tick=False):
        if change:
            sections = [
                {**s, "body": change if s["heading"] == "Symptoms" else s["body"]} for s in SECTIONS
            ]
            revision = services.update_revision(
                revision=revision, by=by, expected_version=revision.lock_version,
                sections=sections,
            )  # fmt: skip
        if raw is not None:
            store_raw(revision, transform=raw)
        workflow.submit(revision=revision, by=by)
        workflow.approve(revision=revision, by=reviewer)
    return Revision.objects.get(pk=revision.pk)


@pytest.mark.parametrize("crlf_in", ["first", "second"])
def test_public_section_dates_ignore_line_endings_of_stored_revisions(
    client, author, author2, reviewer, reviewer2, crlf_in
):
    """Revisions stored before the fix, with CRLF in either the earlier or the later
    publication: only the section really edited is dated with the later one."""
    with time_machine.travel(DAY1, tick=False):
        first = make_draft(author=author, slug="cramp", name="Cramp", sections=SECTIONS)
    first = publish(first, by=author, reviewer=reviewer, when=DAY1,
                    raw=crlf if crlf_in == "first" else None)  # fmt: skip
    with time_machine.travel(DAY2, tick=False):
        draft = workflow.start_new_draft(condition=first.condition, by=author2)
    publish(draft, by=author2, reviewer=reviewer2, when=DAY2,
            change="- twitching\n- cramps\n- tiredness",
            raw=crlf if crlf_in == "second" else None)  # fmt: skip

    page = client.get(reverse("kb:article", args=["cramp"])).content.decode()

    def updated(heading: str) -> str:
        part = page.split(f">{heading}</h2>")[1].split("</section>")[0]
        return part.split("Section last updated:")[1]

    for heading in ("Overview", "Causes", "Treatment"):
        assert "10 January 2024" in updated(heading), heading
    assert "5 June 2025" in updated("Symptoms")


def test_stored_renditions_work_the_history_out_again_under_a_new_renderer(
    client, author, author2, reviewer, reviewer2
):
    """A rendition stored before the fix holds a history that dated every section with
    the later publication; a new ``RENDERER`` makes the next read work it out again."""
    from kb.models import Rendition

    with time_machine.travel(DAY1, tick=False):
        first = make_draft(author=author, slug="cramp", name="Cramp", sections=SECTIONS)
    first = publish(first, by=author, reviewer=reviewer, when=DAY1)
    with time_machine.travel(DAY2, tick=False):
        draft = workflow.start_new_draft(condition=first.condition, by=author2)
    second = publish(draft, by=author2, reviewer=reviewer2, when=DAY2,
                     change="- twitching\n- cramps\n- tiredness", raw=crlf)  # fmt: skip
    row = Rendition.objects.get(revision=second)
    wrong = {**row.history, "sections": [DAY2.isoformat()] * len(SECTIONS)}
    Rendition.objects.filter(pk=row.pk).update(renderer="before-the-fix", history=wrong)

    page = client.get(reverse("kb:article", args=["cramp"])).content.decode()

    overview = page.split(">Overview</h2>")[1].split("</section>")[0]
    assert "10 January 2024" in overview
    row.refresh_from_db()
    assert row.history["sections"][0].startswith("2024-01-10")


def test_imported_text_is_stored_normalised(author, reviewer):
    from kb.portability import export_library, import_library
    from tests.portability.conftest import wipe

    make_live(author=author, reviewer=reviewer, slug="cramp", sections=SECTIONS)
    data = export_library()
    for section in data["conditions"][0]["revisions"][0]["sections"]:
        section["body"] = crlf(section["body"]) + "  \r\n"
    data["conditions"][0]["revisions"][0]["summary"] += "\r\n"
    wipe()

    import_library(data)

    bodies = list(Section.objects.order_by("position").values_list("body", flat=True))
    assert bodies == [s["body"] for s in SECTIONS]
    assert "\r" not in Revision.objects.get().summary


def test_new_rendering_code_is_not_answered_from_caches(client, author, reviewer, monkeypatch):
    """Cached pages and readers' copies hold the dates the old code worked out: a new
    ``RENDERER`` is neither served from the cache nor confirmed with a 304."""
    make_live(author=author, reviewer=reviewer, slug="cramp", sections=SECTIONS)
    url = reverse("kb:article", args=["cramp"])
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304

    monkeypatch.setattr("kb.renditions.RENDERER", "0" * 40)

    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
