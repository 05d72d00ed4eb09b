"""The workflow's moves, their events (I4), review records (I8) and refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kb import workflow
from kb.exceptions import ContentProblems, TransitionNotAllowed
from kb.models import Condition, Review, RevisionStatus, WorkflowEvent
from kb.models.events import WorkflowAction
from kb.selectors import published_revisions
from tests.factories import (
    make_draft,
    make_in_review,
    make_in_review_citing_lost_keys,
    make_live,
)

pytestmark = pytest.mark.django_db
S = RevisionStatus


def last_event():
    return WorkflowEvent.objects.order_by("-id").first()


def test_every_transition_writes_its_event(author, author2, reviewer, publisher):
    draft = make_draft(author=author)
    assert last_event().action == WorkflowAction.CREATE

    workflow.submit(revision=draft, by=author)
    e = last_event()
    assert (e.action, e.from_status, e.to_status, e.actor, e.revision) == (
        "submit",
        S.DRAFT,
        S.IN_REVIEW,
        author,
        draft,
    )

    workflow.request_changes(revision=draft, by=reviewer, comment="Cite the dose source.")
    e = last_event()
    assert (e.action, e.from_status, e.to_status, e.comment) == (
        "request_changes",
        S.IN_REVIEW,
        S.CHANGES_REQUESTED,
        "Cite the dose source.",
    )

    workflow.submit(revision=draft, by=author)
    assert (last_event().from_status, last_event().to_status) == (S.CHANGES_REQUESTED, S.IN_REVIEW)

    workflow.approve(revision=draft, by=reviewer, note="Checked against guidance.")
    e = last_event()
    assert (e.action, e.to_status, e.actor, e.comment) == (
        "approve",
        S.APPROVED,
        reviewer,
        "Checked against guidance.",
    )

    new = workflow.start_new_draft(condition=draft.condition, by=author2)
    e = last_event()
    assert (e.action, e.revision, e.actor) == ("start_draft", new, author2)

    workflow.withdraw(condition=draft.condition, by=publisher, reason="Dose under review.")
    assert (last_event().action, last_event().comment) == ("withdraw", "Dose under review.")
    workflow.restore(condition=draft.condition, by=publisher)
    assert last_event().action == "restore"
    assert WorkflowEvent.objects.filter(condition=draft.condition).count() == 8
    assert all(e.created_at <= timezone.now() for e in WorkflowEvent.objects.all())


def test_approval_records_review_with_default_interval(author, reviewer, settings):
    settings.REVIEW_INTERVAL_DAYS = 1095
    revision = make_in_review(author=author)
    workflow.approve(revision=revision, by=reviewer)
    review = Review.objects.get(revision=revision)
    today = timezone.localdate()
    assert review.reviewer == reviewer
    assert review.reviewed_on == today
    assert review.next_review_due == today + dt.timedelta(days=1095)
    assert revision.approved_by == reviewer
    assert revision.condition.published_revision == revision


def test_review_interval_is_configurable(author, reviewer, settings):
    settings.REVIEW_INTERVAL_DAYS = 365
    revision = make_in_review(author=author)
    workflow.approve(revision=revision, by=reviewer)
    review = Review.objects.get(revision=revision)
    assert review.next_review_due == review.reviewed_on + dt.timedelta(days=365)


def test_approver_may_choose_both_dates(author, reviewer):
    revision = make_in_review(author=author)
    on = timezone.localdate() - dt.timedelta(days=3)
    due = on + dt.timedelta(days=400)
    workflow.approve(revision=revision, by=reviewer, reviewed_on=on, next_review_due=due)
    review = Review.objects.get(revision=revision)
    assert (review.reviewed_on, review.next_review_due) == (on, due)


@pytest.mark.parametrize(
    "on_offset,due_offset",
    [(1, 400), (0, 0), (0, -5)],
    ids=["review-in-future", "due-same-day", "due-before-review"],
)
def test_bad_review_dates_refused(author, reviewer, on_offset, due_offset):
    revision = make_in_review(author=author)
    on = timezone.localdate() + dt.timedelta(days=on_offset)
    with pytest.raises(ContentProblems):
        workflow.approve(
            revision=revision,
            by=reviewer,
            reviewed_on=on,
            next_review_due=on + dt.timedelta(days=due_offset),
        )
    revision.refresh_from_db()
    assert revision.status == S.IN_REVIEW
    assert not Review.objects.exists()


def test_request_changes_needs_a_comment(author, reviewer):
    revision = make_in_review(author=author)
    with pytest.raises(ContentProblems, match="comment"):
        workflow.request_changes(revision=revision, by=reviewer, comment="   ")
    revision.refresh_from_db()
    assert revision.status == S.IN_REVIEW


def test_withdraw_needs_a_reason(author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer)
    with pytest.raises(ContentProblems):
        workflow.withdraw(condition=live.condition, by=publisher, reason="")
    assert not Condition.objects.get(pk=live.condition_id).is_withdrawn


@pytest.mark.parametrize(
    "state,move",
    [
        ("draft", "approve"),
        ("draft", "request_changes"),
        ("in_review", "submit"),
        ("approved", "submit"),
        ("approved", "approve"),
        ("approved", "request_changes"),
    ],
)
def test_moves_not_allowed_from_state(author, reviewer, superuser, state, move):
    if state == "draft":
        revision = make_draft(author=author)
    elif state == "in_review":
        revision = make_in_review(author=author)
    else:
        revision = make_live(author=author, reviewer=reviewer)
    before = (revision.status, revision.lock_version)
    with pytest.raises(TransitionNotAllowed):
        if move == "submit":
            workflow.submit(revision=revision, by=superuser)
        elif move == "approve":
            workflow.approve(revision=revision, by=superuser)
        else:
            workflow.request_changes(revision=revision, by=superuser, comment="x")
    revision.refresh_from_db()
    assert (revision.status, revision.lock_version) == before


def test_start_new_draft_copies_live_content(author, author2, reviewer):
    live = make_live(author=author, reviewer=reviewer, also_known_as=["CFS"])
    draft = workflow.start_new_draft(condition=live.condition, by=author2)
    assert draft.number == 2
    assert draft.based_on == live
    assert draft.status == S.DRAFT
    assert draft.created_by == author2
    assert (draft.name, draft.summary, draft.also_known_as) == (live.name, live.summary, ["CFS"])
    assert [(s.kind, s.heading, s.body) for s in draft.sections.all()] == [
        (s.kind, s.heading, s.body) for s in live.sections.all()
    ]
    # The live revision is untouched and still the one readers get.
    assert published_revisions().get(condition=live.condition) == live


def test_only_one_open_revision_per_condition(author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    workflow.start_new_draft(condition=live.condition, by=author)
    with pytest.raises(TransitionNotAllowed, match="already"):
        workflow.start_new_draft(condition=live.condition, by=author)


def test_start_new_draft_needs_a_published_revision(author):
    draft = make_draft(author=author)
    with pytest.raises(TransitionNotAllowed):
        workflow.start_new_draft(condition=draft.condition, by=author)


def test_withdraw_and_restore(author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer)
    workflow.withdraw(condition=live.condition, by=publisher, reason="Outdated advice.")
    assert not published_revisions().filter(condition=live.condition).exists()
    with pytest.raises(TransitionNotAllowed):
        workflow.withdraw(condition=live.condition, by=publisher, reason="Again.")
    workflow.restore(condition=live.condition, by=publisher)
    assert published_revisions().get(condition=live.condition) == live
    with pytest.raises(TransitionNotAllowed):
        workflow.restore(condition=live.condition, by=publisher)


def test_submit_needs_sections(author):
    draft = make_draft(author=author, sections=[])
    with pytest.raises(ContentProblems):
        workflow.submit(revision=draft, by=author)


def test_approval_refused_for_unknown_citation(author, reviewer):
    """I7: a citation that names no reference blocks approval, with the list of problems
    (here: the record's key was changed in the library after the text was submitted)."""
    revision = make_in_review_citing_lost_keys(
        author=author,
        keys=["nosuch2020"],
        sections=[{"kind": "overview", "heading": "Overview", "body": "Claim [@nosuch2020]."}],
    )
    with pytest.raises(ContentProblems) as info:
        workflow.approve(revision=revision, by=reviewer)
    assert any("nosuch2020" in p and "Overview" in p for p in info.value.problems)
    revision.refresh_from_db()
    assert revision.status == S.IN_REVIEW
