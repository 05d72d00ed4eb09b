"""The public change log: "What changed" per publication and per-section "last updated"."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from kb import services, workflow
from kb.models import Revision, Section
from tests.factories import make_in_review, make_live

pytestmark = pytest.mark.django_db

DAY1 = dt.datetime(2024, 1, 10, 9, 0, tzinfo=dt.UTC)
DAY2 = dt.datetime(2025, 6, 5, 9, 0, tzinfo=dt.UTC)
DAY3 = dt.datetime(2026, 2, 3, 9, 0, tzinfo=dt.UTC)

SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "Cramps are common."},
    {"kind": "symptoms", "heading": "Symptoms", "body": "Twitching and cramps."},
    {"kind": "treatment", "heading": "Treatment", "body": "Stretching helps."},
]


def publish_edit(condition, *, by, reviewer, when, note, change):
    with time_machine.travel(when, tick=False):
        draft = workflow.start_new_draft(condition=condition, by=by)
        sections = [
            {"kind": s.kind, "heading": s.heading, "body": change.get(s.heading, s.body)}
            for s in draft.sections.order_by("position")
        ]
        draft = services.update_revision(
            revision=draft, by=by, expected_version=draft.lock_version, change_note=note,
            sections=sections,
        )  # fmt: skip
        workflow.submit(revision=draft, by=by)
        workflow.approve(revision=draft, by=reviewer)
        return Revision.objects.get(pk=draft.pk)


@pytest.fixture
def history(author, author2, reviewer, reviewer2):
    with time_machine.travel(DAY1, tick=False):
        first = make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp",
                          sections=SECTIONS)  # fmt: skip
    common = {"by": author2, "reviewer": reviewer2}
    second = publish_edit(
        first.condition, when=DAY2, note="Clearer symptoms.",
        change={"Symptoms": "Twitching, cramps."}, **common,
    )  # fmt: skip
    third = publish_edit(
        first.condition, when=DAY3, note="New treatment advice.",
        change={"Treatment": "Stretch daily."}, **common,
    )  # fmt: skip
    return first, second, third


def test_what_changed_lists_each_publication_newest_first(client, history):
    page = client.get(reverse("kb:article", args=["cramp"])).content.decode()
    log = page.split('id="change-log-title"')[1].split("</section>")[0]
    assert log.index("3 February 2026") < log.index("5 June 2025") < log.index("10 January 2024")
    assert "New treatment advice." in log and "Clearer symptoms." in log
    assert "First version." in log  # the first revision's own change note


def test_each_section_shows_when_its_text_last_changed(client, history):
    page = client.get(reverse("kb:article", args=["cramp"])).content.decode()

    def updated(heading):
        part = page.split(f">{heading}</h2>")[1].split("</section>")[0]
        return part.split("Section last updated:")[1]

    assert "10 January 2024" in updated("Overview")
    assert "5 June 2025" in updated("Symptoms")
    assert "3 February 2026" in updated("Treatment")


def test_unpublished_work_is_not_in_the_log(client, history, author, reviewer):
    _, _, third = history
    draft = workflow.start_new_draft(condition=third.condition, by=author)
    services.update_revision(
        revision=draft, by=author, expected_version=draft.lock_version,
        change_note="SECRET draft note",
    )  # fmt: skip
    page = client.get(reverse("kb:article", args=["cramp"])).content.decode()
    assert "SECRET draft note" not in page


def test_a_cancelled_schedule_never_enters_the_log(client, history, author, reviewer, publisher):
    _, _, third = history
    draft = workflow.start_new_draft(condition=third.condition, by=author)
    draft = services.update_revision(
        revision=draft, by=author, expected_version=draft.lock_version,
        change_note="Embargoed change",
    )  # fmt: skip
    workflow.submit(revision=draft, by=author)
    workflow.approve(revision=draft, by=reviewer,
                     go_live_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    assert (
        "Embargoed change" not in client.get(reverse("kb:article", args=["cramp"])).content.decode()
    )
    workflow.cancel_schedule(condition=third.condition, by=publisher)
    with time_machine.travel(dt.datetime(2099, 1, 2, tzinfo=dt.UTC), tick=False):
        page = client.get(reverse("kb:article", args=["cramp"])).content.decode()
    assert "Embargoed change" not in page


def test_preview_of_a_draft_marks_changed_sections_unpublished(client, history, author):
    _, _, third = history
    draft = workflow.start_new_draft(condition=third.condition, by=author)
    sections = [
        {
            "kind": s.kind,
            "heading": s.heading,
            "body": s.body + (" More." if s.heading == "Overview" else ""),
        }
        for s in Section.objects.filter(revision=draft).order_by("position")
    ]
    services.update_revision(revision=draft, by=author, expected_version=draft.lock_version,
                             sections=sections)  # fmt: skip
    client.force_login(author)
    page = client.get(reverse("admin:kb_revision_preview", args=[draft.pk])).content.decode()
    overview = page.split(">Overview</h2>")[1].split("</section>")[0]
    assert "Not yet published" in overview
    symptoms = page.split(">Symptoms</h2>")[1].split("</section>")[0]
    assert "5 June 2025" in symptoms


def test_first_review_only_article_has_a_one_line_log(client, author, reviewer):
    revision = make_in_review(author=author, slug="solo", name="Solo")
    workflow.approve(revision=revision, by=reviewer)
    page = client.get(reverse("kb:article", args=["solo"])).content.decode()
    log = page.split('id="change-log-title"')[1].split("</section>")[0]
    assert log.count("<li") == 1
