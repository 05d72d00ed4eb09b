"""Partners cannot drift (I11): the changes feed never skips a committed change, keeps the
slug each entry was made under, and reports renames, so a partner following the
documented recipe ends with exactly the live set."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from accounts.models import Partner, PartnerAPIKey
from kb import services, workflow
from kb.models import Condition
from kb.views.syndication import entry_id
from tests.factories import make_in_review, make_live


def _api() -> Client:
    partner = Partner.objects.create(name="Feed partner")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="k")
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}")


def _follow(api: Client, after: str | None) -> tuple[list[dict], str | None]:
    """Read the feed after the cursor, every page; return the entries and the new cursor."""
    url = "/api/v1/changes/?page_size=100" + (f"&after={after}" if after else "")
    entries: list[dict] = []
    while url:
        body = api.get(url).json()
        entries += body["results"]
        url = body["next"]
    return entries, (entries[-1]["cursor"] if entries else after)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committed_after_a_later_stamped_one_is_not_skipped(
    author, author2, reviewer, publisher
):
    """An approval that started first but commits after a withdrawal: with times taken at
    transaction start, a partner's cursor passed it and never saw it. Two real connections
    race; the partner reads the feed while the approval is still open."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two PostgreSQL connections")
    api = _api()
    gone = make_live(author=author, reviewer=reviewer, slug="gone", name="Gone")
    pending = make_in_review(author=author2, slug="pending", name="Pending")
    _, cursor = _follow(api, None)
    since = api.get("/api/v1/changes/").json()["results"][-1]["time"]

    approval_open, release = threading.Event(), threading.Event()

    def approve_slowly() -> None:
        try:
            with transaction.atomic():
                workflow.approve(revision=pending, by=reviewer)
                approval_open.set()
                release.wait(timeout=30)  # commits only after the withdrawal was tried
        finally:
            connections.close_all()

    def withdraw() -> None:
        try:
            workflow.withdraw(condition=gone.condition, by=publisher, reason="Outdated.")
        finally:
            connections.close_all()

    approver = threading.Thread(target=approve_slowly)
    approver.start()
    assert approval_open.wait(timeout=30)
    withdrawer = threading.Thread(target=withdraw)
    withdrawer.start()
    withdrawer.join(timeout=2)  # it waits for the approval's lock, or commits first
    seen_meanwhile, cursor = _follow(api, cursor)  # the partner polls mid-race
    since_meanwhile = api.get("/api/v1/changes/", {"since": since}).json()["results"]
    release.set()
    approver.join(timeout=30)
    withdrawer.join(timeout=30)

    seen_after, _ = _follow(api, cursor)
    seen = seen_meanwhile + seen_after
    assert {(e["slug"], e["action"]) for e in seen} == {
        ("pending", "published"),
        ("gone", "withdrawn"),
    }
    # The time recipe skips nothing either: times grow in commit order too.
    if since_meanwhile:
        last = since_meanwhile[-1]["time"]
        later = api.get("/api/v1/changes/", {"since": last}).json()["results"]
        actions = {(e["slug"], e["action"]) for e in since_meanwhile + later}
        assert ("pending", "published") in actions


@pytest.mark.django_db
def test_rename_then_withdraw_reaches_a_partner_holding_the_old_slug(author, reviewer, publisher):
    api = _api()
    live = make_live(author=author, reviewer=reviewer, slug="cramps", name="Cramps")
    entries, cursor = _follow(api, None)
    held = {e["slug"] for e in entries if e["action"] == "published"}  # the partner's copy
    assert held == {"cramps"}

    services.rename_condition(condition=live.condition, new_slug="muscle-cramps", by=publisher)
    workflow.withdraw(condition=Condition.objects.get(pk=live.condition_id), by=publisher,
                      reason="Merged.")  # fmt: skip
    later, _ = _follow(api, cursor)
    moved, withdrawn = later
    assert (moved["action"], moved["previous_slug"], moved["slug"]) == (
        "moved", "cramps", "muscle-cramps",
    )  # fmt: skip
    assert withdrawn["action"] == "withdrawn" and withdrawn["slug"] == "muscle-cramps"
    assert "cramps" in withdrawn["former_slugs"]
    # Earlier entries keep the slug they were made under.
    again, _ = _follow(api, None)
    assert again[0]["slug"] == "cramps" and again[0]["action"] == "published"
    # Applying the recipe: re-key on moved, delete on withdrawn, whatever slug is held.
    for entry in later:
        if entry["action"] == "moved" and entry["previous_slug"] in held:
            held = (held - {entry["previous_slug"]}) | {entry["slug"]}
        elif entry["action"] == "withdrawn":
            held -= {entry["slug"], *entry["former_slugs"]}
    assert held == set()


@pytest.mark.django_db
def test_atom_entry_ids_do_not_change_on_a_rename(client, author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer, slug="cramps", name="Cramps")
    before = client.get("/feeds/updates/").content.decode()
    services.rename_condition(condition=live.condition, new_slug="muscle-cramps", by=publisher)
    after = client.get("/feeds/updates/").content.decode()
    tag = entry_id(live)
    assert tag.startswith("tag:") and f"condition/{live.condition_id}/revision/1" in tag
    assert f"<id>{tag}</id>" in before and f"<id>{tag}</id>" in after
    assert "/conditions/muscle-cramps/" in after  # the link follows the rename


@pytest.mark.django_db
def test_a_bad_cursor_is_a_clear_400(author, reviewer):
    api = _api()
    response = api.get("/api/v1/changes/", {"after": "yesterday"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"
    assert "cursor" in response.json()["detail"]


@pytest.mark.django_db
def test_a_re_review_and_a_retraction_tell_partners_to_refetch(author, reviewer, reviewer2):
    from tests.factories import ReferenceFactory

    api = _api()
    ReferenceFactory(key="smith2020", title="Cramp trial")
    live = make_live(
        author=author, reviewer=reviewer, slug="cramps", name="Cramps",
        sections=[{"kind": "overview", "heading": "Overview", "body": "Common [@smith2020]."}],
    )  # fmt: skip
    _, cursor = _follow(api, None)
    workflow.reconfirm(condition=live.condition, by=reviewer2)
    reference = live.citations.get().reference
    workflow.set_retraction(reference=reference, by=reviewer2, retracted=True,
                            note="Retracted by the journal.")  # fmt: skip
    later, _ = _follow(api, cursor)
    assert [(e["slug"], e["action"], e["revision"]) for e in later] == [
        ("cramps", "updated", 1),
        ("cramps", "updated", 1),
    ]
