"""Withdrawal with a note for readers, and merging one article into another.

A withdrawal keeps its reason in the log (internal); an optional public reason is what
readers see on the 410 page. Merging A into B withdraws A and sends its address on to B:
the site and the API answer 301, the partner feed says ``moved`` (a → b), and no cache
can serve A's old page afterwards.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Partner, PartnerAPIKey
from kb import services, workflow
from kb.exceptions import NotPermitted, TransitionNotAllowed
from kb.models import Condition, PublicChange, WorkflowEvent
from tests.api.conftest import KeyedClient
from tests.factories import make_draft, make_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(db):
    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    return KeyedClient(key)


@pytest.fixture
def pair(author, reviewer):
    a = make_live(author=author, reviewer=reviewer, slug="cramps-a", name="Cramps A")
    b = make_live(author=author, reviewer=reviewer, slug="cramps-b", name="Cramps B")
    return a.condition, b.condition


# --- the public reason on the 410 page ----------------------------------------------------


def test_withdrawal_page_shows_the_public_reason_not_the_internal_one(
    client, author, reviewer, publisher
):
    live = make_live(author=author, reviewer=reviewer)
    workflow.withdraw(
        condition=live.condition,
        by=publisher,
        reason="Dosing table disputed by pharmacy (ticket 4411).",
        public_reason="We are updating the advice on medicines for this condition.",
    )
    response = client.get("/conditions/test-condition/")
    assert response.status_code == 410
    body = response.content.decode()
    assert "We are updating the advice on medicines for this condition." in body
    assert "ticket 4411" not in body


def test_restore_clears_the_public_reason(author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer)
    workflow.withdraw(condition=live.condition, by=publisher, reason="X", public_reason="Y")
    workflow.restore(condition=live.condition, by=publisher)
    condition = Condition.objects.get(pk=live.condition_id)
    assert (condition.withdrawn_reason, condition.withdrawn_public_reason) == ("", "")


def test_a_public_reason_needs_a_withdrawal_in_the_database(author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Condition.objects.filter(pk=live.condition_id).update(withdrawn_public_reason="Y")


# --- merge: the transition ----------------------------------------------------------------


def test_merge_withdraws_a_and_names_b_as_successor(pair, publisher):
    a, b = pair
    workflow.merge(condition=a, into=b, by=publisher, reason="Duplicate of B.")
    a.refresh_from_db()
    assert a.is_withdrawn and a.merged_into_id == b.pk
    event = WorkflowEvent.objects.filter(condition=a).first()
    assert (event.action, event.comment) == ("merge", "Duplicate of B.")


def test_merge_rule_is_one_function_for_desk_and_transition(pair, author, publisher, reviewer):
    a, b = pair
    assert workflow.merge_refusal(user=publisher, condition=a, into=b) == ""
    assert workflow.merge_refusal(user=author, condition=a, into=b)
    with pytest.raises(NotPermitted):
        workflow.merge(condition=a, into=b, by=author, reason="Duplicate.")
    assert "itself" in workflow.merge_refusal(user=publisher, condition=a, into=a)
    with pytest.raises(TransitionNotAllowed):
        workflow.merge(condition=a, into=a, by=publisher, reason="Duplicate.")
    never = make_draft(author=author, slug="never-live").condition
    assert workflow.merge_refusal(user=publisher, condition=a, into=never)
    with pytest.raises(TransitionNotAllowed):
        workflow.merge(condition=a, into=never, by=publisher, reason="Duplicate.")
    assert not Condition.objects.get(pk=a.pk).is_withdrawn


def test_cannot_merge_into_a_withdrawn_article(pair, publisher):
    a, b = pair
    workflow.withdraw(condition=b, by=publisher, reason="Old.")
    assert "withdrawn" in workflow.merge_refusal(user=publisher, condition=a, into=b)
    with pytest.raises(TransitionNotAllowed):
        workflow.merge(condition=a, into=b, by=publisher, reason="Duplicate.")


def test_a_merge_cannot_point_at_itself_in_the_database(pair):
    a, _ = pair
    with pytest.raises(IntegrityError), transaction.atomic():
        Condition.objects.filter(pk=a.pk).update(
            merged_into=a, withdrawn_reason="x", withdrawn_at=a.created_at
        )


# --- merge: what readers and partners get ---------------------------------------------------


def test_merged_slug_redirects_to_the_successor_on_the_site(client, pair, publisher):
    a, b = pair
    assert client.get("/conditions/cramps-a/").status_code == 200  # cached before the merge
    workflow.merge(condition=a, into=b, by=publisher, reason="Duplicate of B.")
    response = client.get("/conditions/cramps-a/")
    assert response.status_code == 301
    assert response["Location"] == reverse("kb:article", args=["cramps-b"])
    print_view = client.get("/conditions/cramps-a/print/")
    assert print_view["Location"] == reverse("kb:article_print", args=["cramps-b"])


def test_a_former_slug_of_the_merged_article_goes_straight_to_the_successor(
    client, pair, publisher
):
    a, b = pair
    services.rename_condition(condition=a, new_slug="cramps-a2", by=publisher)
    workflow.merge(condition=Condition.objects.get(pk=a.pk), into=b, by=publisher, reason="Dup.")
    response = client.get("/conditions/cramps-a/")
    assert (response.status_code, response["Location"]) == (301, "/conditions/cramps-b/")


def test_merged_slug_redirects_in_the_api(api, pair, publisher):
    a, b = pair
    assert api.get("/api/v1/conditions/cramps-a/").status_code == 200
    workflow.merge(condition=a, into=b, by=publisher, reason="Duplicate of B.")
    response = api.get("/api/v1/conditions/cramps-a/")
    assert response.status_code == 301
    assert response["Location"] == f"{settings.SITE_URL}/api/v1/conditions/cramps-b/"


def test_merge_enters_a_move_in_the_changes_feed(api, pair, publisher):
    a, b = pair
    workflow.merge(condition=a, into=b, by=publisher, reason="Duplicate of B.")
    last = api.get("/api/v1/changes/").json()["results"][-1]
    assert (last["action"], last["previous_slug"], last["slug"]) == (
        "moved",
        "cramps-a",
        "cramps-b",
    )
    assert last["revision"] == b.published_revision.number
    assert PublicChange.objects.filter(action="withdrawn").count() == 0


def test_merge_advances_the_publication_state(pair, publisher):
    from kb.caching import state

    a, b = pair
    before = state.read().sequence
    workflow.merge(condition=a, into=b, by=publisher, reason="Duplicate of B.")
    assert state.read().sequence > before


def test_restoring_a_merged_article_undoes_the_redirect(client, pair, publisher):
    a, b = pair
    workflow.merge(condition=a, into=b, by=publisher, reason="Duplicate of B.")
    workflow.restore(condition=a, by=publisher)
    assert Condition.objects.get(pk=a.pk).merged_into_id is None
    assert client.get("/conditions/cramps-a/").status_code == 200


def test_successor_chain_is_followed(client, pair, author, reviewer, publisher):
    a, b = pair
    c = make_live(author=author, reviewer=reviewer, slug="cramps-c", name="Cramps C").condition
    workflow.merge(condition=a, into=b, by=publisher, reason="Dup.")
    workflow.merge(condition=b, into=c, by=publisher, reason="Dup.")
    response = client.get("/conditions/cramps-a/")
    assert (response.status_code, response["Location"]) == (301, "/conditions/cramps-c/")


# --- the desk -------------------------------------------------------------------------------


def test_desk_withdraw_form_takes_a_public_reason(client, author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer)
    client.force_login(publisher)
    url = reverse("admin:kb_condition_withdraw", args=[live.condition_id])
    response = client.post(url, {"comment": "Internal.", "public_reason": "Being updated."})
    assert response.status_code == 302
    condition = Condition.objects.get(pk=live.condition_id)
    assert (condition.withdrawn_reason, condition.withdrawn_public_reason) == (
        "Internal.",
        "Being updated.",
    )


def test_desk_withdraw_form_merges_into_a_successor(client, pair, publisher):
    a, b = pair
    client.force_login(publisher)
    url = reverse("admin:kb_condition_withdraw", args=[a.pk])
    assert "successor" in client.get(url).content.decode()
    response = client.post(url, {"comment": "Duplicate.", "successor": b.pk})
    assert response.status_code == 302
    assert Condition.objects.get(pk=a.pk).merged_into_id == b.pk


def test_desk_refuses_merging_into_itself(client, pair, publisher):
    a, _ = pair
    client.force_login(publisher)
    url = reverse("admin:kb_condition_withdraw", args=[a.pk])
    response = client.post(url, {"comment": "Duplicate.", "successor": a.pk})
    assert response.status_code == 200
    assert not Condition.objects.get(pk=a.pk).is_withdrawn
