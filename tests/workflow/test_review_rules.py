"""The approval decision's rules: retractions acknowledged, attestation and change class
recorded, one rule per transition shared by the desk and the transition, shared queries."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kb import comments, workflow
from kb.exceptions import ContentProblems, KBError
from kb.models import Condition, Feedback, Review, Revision
from kb.models.review import ATTESTATION
from kb.readability import score
from kb.review_checks import approval_checks
from tests.factories import (
    ReferenceFactory,
    UserFactory,
    make_draft,
    make_in_review,
    make_live,
)

pytestmark = pytest.mark.django_db

CITES_GONE = [{"kind": "overview", "heading": "Overview", "body": "Dose it [@gone2020]."}]


def retracted_in_review(author):
    ReferenceFactory(key="gone2020", retracted=True, retraction_note="Data fabricated.")
    return make_in_review(author=author, sections=CITES_GONE)


# --- retracted citations ------------------------------------------------------------------


def test_approval_citing_a_retracted_publication_is_refused_without_acknowledgement(
    author, reviewer
):
    revision = retracted_in_review(author)

    with pytest.raises(ContentProblems, match=r"flagged as retracted \(\[@gone2020\]\)"):
        workflow.approve(revision=revision, by=reviewer, attestation=ATTESTATION)

    revision.refresh_from_db()
    assert revision.status == "in_review"
    assert not Review.objects.filter(revision=revision).exists()
    assert revision.condition.published_revision_id is None


def test_acknowledged_retraction_is_recorded_in_the_review(author, reviewer):
    revision = retracted_in_review(author)

    workflow.approve(
        revision=revision,
        by=reviewer,
        attestation=ATTESTATION,
        retraction_acknowledgement="  Cited only as the claim the text warns against. ",
    )

    review = Review.objects.get(revision=revision)
    assert review.retraction_acknowledgement == (
        "[@gone2020]: Cited only as the claim the text warns against."
    )
    assert review.attestation == ATTESTATION


def test_acknowledgement_is_not_recorded_when_nothing_cited_is_retracted(author, reviewer):
    revision = make_in_review(author=author)
    workflow.approve(revision=revision, by=reviewer, retraction_acknowledgement="Not needed.")
    assert Review.objects.get(revision=revision).retraction_acknowledgement == ""


def test_desk_approval_with_retraction_refused_then_recorded(client, author, reviewer):
    revision = retracted_in_review(author)
    client.force_login(reviewer)
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "approve"])
    page = client.get(url).content.decode()
    assert "flagged as retracted" in page and "gone2020" in page and "Data fabricated." in page
    form = {
        "reviewed_on": timezone.localdate().isoformat(),
        "next_review_due": (timezone.localdate() + dt.timedelta(days=900)).isoformat(),
        "opened_version": revision.lock_version,
        "change_class": "clinical",
        "attestation": "on",
    }

    refused = client.post(url, form, follow=True).content.decode()
    assert "acknowledge them with your reason" in refused
    assert Revision.objects.get(pk=revision.pk).status == "in_review"

    done = client.post(url, {**form, "retraction_acknowledgement": "Historical context."})
    assert done.status_code == 302
    review = Review.objects.get(revision=revision)
    assert review.retraction_acknowledgement == "[@gone2020]: Historical context."
    assert review.attestation == ATTESTATION


# --- attestation and change class --------------------------------------------------------


def test_desk_approval_requires_the_attestation(client, author, reviewer):
    revision = make_in_review(author=author)
    client.force_login(reviewer)
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "approve"])
    page = client.get(url)
    assert ATTESTATION in page.content.decode()
    form = {
        "reviewed_on": timezone.localdate().isoformat(),
        "next_review_due": (timezone.localdate() + dt.timedelta(days=900)).isoformat(),
        "opened_version": revision.lock_version,
        "change_class": "editorial",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Confirm that you checked the clinical content." in response.content.decode()
    assert Revision.objects.get(pk=revision.pk).status == "in_review"


def test_reviewer_confirms_or_corrects_the_authors_change_class(author, reviewer):
    revision = make_draft(author=author)
    revision.change_class = "correction"
    revision.save()
    workflow.submit(revision=revision, by=author)

    workflow.approve(revision=revision, by=reviewer, change_class="editorial")

    revision.refresh_from_db()
    assert revision.change_class == "editorial"
    assert Review.objects.get(revision=revision).change_class == "editorial"


def test_change_class_defaults_to_the_authors_choice(author, reviewer):
    revision = make_draft(author=author)
    revision.change_class = "correction"
    revision.save()
    workflow.submit(revision=revision, by=author)
    workflow.approve(revision=revision, by=reviewer)
    assert Review.objects.get(revision=revision).change_class == "correction"


def test_unknown_change_class_is_refused_and_nothing_written(author, reviewer):
    revision = make_in_review(author=author)
    with pytest.raises(ContentProblems, match="Choose the class of change"):
        workflow.approve(revision=revision, by=reviewer, change_class="cosmetic")
    assert Revision.objects.get(pk=revision.pk).status == "in_review"


def test_author_chooses_the_change_class_in_the_desk(client, author):
    revision = make_draft(author=author)
    client.force_login(author)
    url = reverse("admin:kb_revision_change", args=[revision.pk])
    page = client.get(url)
    assert 'name="change_class"' in page.content.decode()


# --- the approve page lists what to weigh -------------------------------------------------


def test_approve_page_lists_library_edits_reports_and_hooks(author, reviewer, reviewer2):
    ref = ReferenceFactory(key="jansen2004")
    body = [{"kind": "overview", "heading": "Overview", "body": "Text [@jansen2004]."}]
    live = make_live(author=author, reviewer=reviewer, sections=body)
    Feedback.objects.create(condition=live.condition, revision=live, message="Wrong dose.")
    Feedback.objects.create(
        condition=live.condition, revision=live, message="Old.", status="resolved"
    )
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    workflow.submit(revision=draft, by=author)
    ref.title = "A corrected title"
    ref.save()

    checks = approval_checks(revision=Revision.objects.get(pk=draft.pk))

    assert [(c.reference.key, c.fields) for c in checks.changed_references] == [
        ("jansen2004", ("title",))
    ]
    assert [r.message for r in checks.open_reports] == ["Wrong dose."]
    assert checks.unresolved_comments == []
    assert checks.retracted == [] and checks.problems == []


def test_approve_page_lists_unresolved_comments_not_resolved_ones(author, reviewer, reviewer2):
    revision = make_in_review(author=author)
    section = revision.sections.order_by("position").first()
    open_one = comments.add_comment(
        revision=revision, by=reviewer, body="Source for the dose?", section=section
    )
    done = comments.add_comment(revision=revision, by=reviewer2, body="Typo in line 2.")
    comments.resolve(comment=done, by=author, note="Fixed.")

    listed = approval_checks(revision=revision).unresolved_comments

    assert len(listed) == 1
    assert open_one.body in listed[0] and section.heading in listed[0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Rest helps. Drink water. Sleep well at night. Walk a bit each day.", "every scored"),
        (
            "Pharmacological interventions notwithstanding, electrophysiological "
            "characterisation of fasciculation potentials necessitates comprehensive "
            "neurophysiological investigation. Subsequently, differential diagnostic "
            "considerations encompassing amyotrophic lateral sclerosis predominate. "
            "Consequently, multidisciplinary consultation is recommended.",
            "1 of 1 sections miss the target",
        ),
    ],
)
def test_approve_page_weighs_the_stored_readability(author, body, expected):
    sections = [{"kind": "overview", "heading": "Overview", "body": body}]
    revision = make_in_review(author=author, sections=sections)
    revision.sections.update(readability={})
    assert approval_checks(revision=revision).readability is None  # saved before scores

    revision.sections.update(readability=score(body=body).as_json())

    assert expected in approval_checks(revision=revision).readability


def test_newly_cited_record_edited_after_submission_is_listed(author):
    ref = ReferenceFactory(key="new2024")
    body = [{"kind": "overview", "heading": "Overview", "body": "Text [@new2024]."}]
    revision = make_in_review(author=author, sections=body)
    assert approval_checks(revision=revision).changed_references == []
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        ref.pages = "1-9"
        ref.save()
    [item] = approval_checks(revision=Revision.objects.get(pk=revision.pk)).changed_references
    assert item.reference.key == "new2024" and item.fields == ()


# --- one rule per transition --------------------------------------------------------------


def _succeeds(move) -> bool:
    """Whether ``move`` succeeds, with everything it wrote rolled back."""
    try:
        with transaction.atomic():
            move()
            raise _Undo
    except _Undo:
        return True
    except KBError:
        return False


class _Undo(Exception):
    pass


MOVES = {
    "submit": lambda revision, user: workflow.submit(revision=revision, by=user),
    "approve": lambda revision, user: workflow.approve(revision=revision, by=user),
    "request_changes": lambda revision, user: workflow.request_changes(
        revision=revision, by=user, comment="Fix."
    ),
}


def test_desk_shows_a_button_exactly_when_the_transition_would_succeed(
    client, author, reviewer, reviewer2, publisher
):
    clinician = UserFactory(username="cara", role="Author")
    clinician.groups.add(*reviewer.groups.all())
    draft = make_draft(author=author, slug="draft-one")
    in_review = make_in_review(author=author, slug="in-review")
    edited = make_in_review(author=author, slug="edited-by-clinician")
    edited.edited_by.add(clinician)
    sent_back = make_in_review(author=author, slug="sent-back")
    workflow.request_changes(revision=sent_back, by=reviewer, comment="Fix.")
    live = make_live(author=author, reviewer=reviewer, slug="live-one")

    checked = 0
    for user in (author, reviewer, reviewer2, publisher, clinician):
        client.force_login(user)
        for revision in (draft, in_review, edited, sent_back, live):
            page = client.get(reverse("admin:kb_revision_change", args=[revision.pk]))
            html = page.content.decode()
            for name, move in MOVES.items():
                url = reverse("admin:kb_revision_transition", args=[revision.pk, name])
                shown = url in html
                fresh = Revision.objects.get(pk=revision.pk)
                assert shown == workflow.can(user, name, fresh), (user, revision, name)
                assert shown == _succeeds(lambda m=move, r=fresh, u=user: m(r, u)), (
                    user.username,
                    revision.condition.slug,
                    name,
                )
                checked += 1
    assert checked == 75


def test_refusal_under_the_lock_raises_the_rules_error(author, reviewer):
    revision = make_in_review(author=author)
    refusal = workflow.approve_refusal(user=author, revision=revision)
    assert "Only medical reviewers" in refusal
    stale = workflow.approve_refusal(
        user=reviewer, revision=revision, opened_version=revision.lock_version - 1
    )
    assert "changed after you opened it" in stale
    assert workflow.approve_refusal(user=reviewer, revision=revision) == ""


def test_confirm_button_follows_the_go_live_catch_up(client, author, reviewer, reviewer2):
    """A scheduled revision whose time has come is the live one: whoever wrote it may not
    confirm it, even before the pointers have caught up."""
    clinician = UserFactory(username="cara", role="Author")
    clinician.groups.add(*reviewer.groups.all())
    t0 = timezone.now()
    live = make_live(author=author, reviewer=reviewer, slug="cramp")
    draft = workflow.start_new_draft(condition=live.condition, by=clinician)
    workflow.submit(revision=draft, by=clinician)
    workflow.approve(revision=draft, by=reviewer2, go_live_at=t0 + dt.timedelta(hours=1))
    change = reverse("admin:kb_condition_change", args=[live.condition_id])
    client.force_login(clinician)
    assert b"Confirm still accurate" in client.get(change).content  # not yet due: rev 1 live

    with time_machine.travel(t0 + dt.timedelta(hours=2)):
        page = client.get(change).content
        condition = Condition.objects.get(pk=live.condition_id)
        refusal = workflow.reconfirm_refusal(user=clinician, condition=condition)
        assert "You wrote or edited this text" in refusal
        assert b"Confirm still accurate" not in page
        assert not _succeeds(
            lambda: workflow.reconfirm(condition=condition, by=clinician, note="x")
        )


def test_cancel_schedule_rule_is_shared(client, author, reviewer, reviewer2, publisher):
    t0 = timezone.now()
    live = make_live(author=author, reviewer=reviewer, slug="cramp")
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    workflow.submit(revision=draft, by=author)
    workflow.approve(revision=draft, by=reviewer2, go_live_at=t0 + dt.timedelta(hours=1))
    condition = live.condition
    condition.refresh_from_db()
    assert workflow.cancel_schedule_refusal(user=publisher, condition=condition) == ""
    assert "Only medical reviewers and publishers" in workflow.cancel_schedule_refusal(
        user=author, condition=condition
    )
    with time_machine.travel(t0 + dt.timedelta(hours=2)):
        assert "Nothing is scheduled" in workflow.cancel_schedule_refusal(
            user=publisher, condition=condition
        )


# --- confirm still accurate ---------------------------------------------------------------


def test_confirm_page_shows_the_live_text_and_retraction_flags(client, author, reviewer):
    ref = ReferenceFactory(key="gone2020", title="A retracted trial")
    live = make_live(author=author, reviewer=reviewer, sections=CITES_GONE)
    workflow.set_retraction(reference=ref, by=reviewer, retracted=True, note="Fabricated.")
    reviewer2 = UserFactory(username="ravi2", role="Medical reviewer")
    client.force_login(reviewer2)
    url = reverse("admin:kb_condition_reconfirm", args=[live.condition_id])
    page = client.get(url).content.decode()
    assert reverse("admin:kb_revision_preview", args=[live.pk]) in page
    assert "A retracted trial" in page and "Flagged as retracted" in page
    assert "Fabricated." in page
    assert ATTESTATION in page

    without = client.post(url, {"next_review_due": "2031-01-31", "attestation": "on"})
    assert "Say what you checked" in without.content.decode()
    unticked = client.post(url, {"next_review_due": "2031-01-31", "note": "Checked."})
    assert "Confirm that you checked" in unticked.content.decode()
    assert not Review.objects.filter(kind="reconfirmation").exists()

    done = client.post(
        url, {"next_review_due": "2031-01-31", "note": "Checked.", "attestation": "on"}
    )
    assert done.status_code == 302
    review = Review.objects.get(kind="reconfirmation")
    assert review.attestation == ATTESTATION and review.note == "Checked."


# --- shared queries -----------------------------------------------------------------------


def test_live_queryset_agrees_with_is_live(author, reviewer, reviewer2, publisher):
    t0 = timezone.now()
    plain = make_live(author=author, reviewer=reviewer, slug="plain")
    make_draft(author=author, slug="draft-only")
    withdrawn = make_live(author=author, reviewer=reviewer, slug="withdrawn")
    workflow.withdraw(condition=withdrawn.condition, by=publisher, reason="Gone.")
    scheduled_base = make_live(author=author, reviewer=reviewer, slug="scheduled")
    later = workflow.start_new_draft(condition=scheduled_base.condition, by=author)
    workflow.submit(revision=later, by=author)
    workflow.approve(revision=later, by=reviewer2, go_live_at=t0 + dt.timedelta(hours=1))
    older = workflow.start_new_draft(condition=plain.condition, by=author)
    workflow.submit(revision=older, by=author)
    workflow.approve(revision=older, by=reviewer2)

    for at in (t0, t0 + dt.timedelta(hours=2)):
        with time_machine.travel(at):
            live_ids = set(Revision.objects.live().values_list("pk", flat=True))
            for revision in Revision.objects.select_related("condition"):
                assert (revision.pk in live_ids) == revision.is_live, (at, revision)
    with time_machine.travel(t0):
        assert later.pk not in set(Revision.objects.live().values_list("pk", flat=True))
    assert later.pk in set(
        Revision.objects.live(t0 + dt.timedelta(hours=2)).values_list("pk", flat=True)
    )


def test_latest_for_is_the_newest_review(author, reviewer, reviewer2):
    live = make_live(author=author, reviewer=reviewer)
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        second = workflow.reconfirm(condition=live.condition, by=reviewer2, note="Checked.")
    assert Review.objects.latest_for(live).first() == second
    assert Review.objects.latest_for(live.pk).count() == 2


def test_workflow_permission_names_are_written_once():
    root = Path(__file__).resolve().parents[2]
    literal = re.compile(r"[\"']kb\.(approve|submit|request_changes)_revision[\"']")
    offenders = [
        str(path.relative_to(root))
        for folder in ("kb", "accounts")
        for path in (root / folder).rglob("*.py")
        if "migrations" not in path.parts
        and path.name != "permissions.py"
        and literal.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


CONDITION_MOVES = {
    "new_draft": lambda condition, user: workflow.start_new_draft(condition=condition, by=user),
    "withdraw": lambda condition, user: workflow.withdraw(
        condition=condition, by=user, reason="Unsafe advice."
    ),
    "restore": lambda condition, user: workflow.restore(condition=condition, by=user),
}
CONDITION_RULES = {
    "new_draft": workflow.start_draft_refusal,
    "withdraw": workflow.withdraw_refusal,
    "restore": workflow.restore_refusal,
}


def test_condition_page_shows_a_button_exactly_when_the_move_would_succeed(
    client, author, reviewer, publisher
):
    never = make_draft(author=author, slug="never-published").condition
    live = make_live(author=author, reviewer=reviewer, slug="live-one").condition
    busy = make_live(author=author, reviewer=reviewer, slug="live-with-draft").condition
    workflow.start_new_draft(condition=busy, by=author)
    gone = make_live(author=author, reviewer=reviewer, slug="withdrawn-one").condition
    workflow.withdraw(condition=gone, by=publisher, reason="Out of date.")

    checked = 0
    for user in (author, reviewer, publisher):
        client.force_login(user)
        for condition in (never, live, busy, gone):
            html = client.get(reverse("admin:kb_condition_change", args=[condition.pk]))
            html = html.content.decode()
            for name, move in CONDITION_MOVES.items():
                url = reverse(f"admin:kb_condition_{name}", args=[condition.pk])
                shown = url in html
                fresh = Condition.objects.get(pk=condition.pk)
                rule = CONDITION_RULES[name](user=user, condition=fresh)
                assert shown == (not rule), (user.username, condition.slug, name, rule)
                assert shown == _succeeds(lambda m=move, c=fresh, u=user: m(c, u)), (
                    user.username,
                    condition.slug,
                    name,
                )
                checked += 1
    assert checked == 36


def test_withdraw_rule_follows_the_go_live_catch_up(author, reviewer, publisher):
    """A first publication scheduled for a time now past is live: it can be withdrawn
    before the pointers have caught up."""
    t0 = timezone.now()
    draft = make_in_review(author=author, slug="first")
    workflow.approve(revision=draft, by=reviewer, go_live_at=t0 + dt.timedelta(hours=1))
    condition = Condition.objects.get(pk=draft.condition_id)
    assert "never published" in workflow.withdraw_refusal(user=publisher, condition=condition)
    with time_machine.travel(t0 + dt.timedelta(hours=2)):
        assert workflow.withdraw_refusal(user=publisher, condition=condition) == ""
        workflow.withdraw(condition=condition, by=publisher, reason="Unsafe advice.")
