"""The publication state (kb/models/publication.py, kb/caching): a warm public answer costs
one small query (the state), and any write to public content, bulk or not, made by this
process or another, or a scheduled go-live, moves readers on at once."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Partner, PartnerAPIKey
from kb import services, workflow
from kb.caching import state, store
from kb.models import Condition, PublicationState, Reference, Revision, SearchDocument
from kb.models.publication import _Advanced, advance
from kb.search import search_published
from tests.factories import ReferenceFactory, make_in_review, make_live

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="smith2020", title="Cramp trial")
    return make_live(
        author=author, reviewer=reviewer, slug="cramp", name="Cramp",
        also_known_as=["Charley horse"],
        sections=[{"kind": "overview", "heading": "Overview",
                   "body": "Sudden tightening of a calf muscle [@smith2020]."}],
    )  # fmt: skip


@pytest.fixture
def api():
    partner = Partner.objects.create(name="Generation partner")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="k")
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_warm_public_answers_cost_one_query_the_state(client, live, django_assert_num_queries):
    urls = [
        reverse("kb:article", args=["cramp"]),
        reverse("kb:article_print", args=["cramp"]),
        reverse("kb:home"),
        reverse("kb:conditions"),
        reverse("kb:search") + "?q=calf",
    ]
    first = {url: client.get(url) for url in urls}
    second = {}
    for url in urls:
        with django_assert_num_queries(1):
            second[url] = client.get(url)
    with django_assert_num_queries(1):
        not_modified = client.get(urls[0], HTTP_IF_NONE_MATCH=second[urls[0]]["ETag"])
    for url in urls:
        assert second[url].status_code == 200
        assert second[url].content == first[url].content
    assert not_modified.status_code == 304
    assert "Cramp" in second[urls[-1]].content.decode()  # the search found it


@pytest.mark.usefixtures("counts_in_cache")
def test_warm_api_answers_cost_one_query_the_state(api, live, django_assert_num_queries):
    urls = ["/api/v1/conditions/cramp/", "/api/v1/conditions/?page_size=50"]
    first = {url: api.get(url) for url in urls}
    for url in urls:
        with django_assert_num_queries(1):  # the key too is known in this access state
            again = api.get(url)
        assert again.status_code == 200 and again.json() == first[url].json()


def test_a_key_revoked_in_admin_is_refused_at_once_though_it_was_known(
    api, live, client, publisher
):
    assert api.get("/api/v1/conditions/cramp/").status_code == 200
    client.force_login(publisher)
    stored = PartnerAPIKey.objects.get()
    client.post(
        "/admin/accounts/partnerapikey/",
        {"action": "revoke_keys", "_selected_action": [stored.pk]},
    )
    assert api.get("/api/v1/conditions/cramp/").status_code == 401


def test_a_switched_off_partner_is_refused_at_once_though_its_key_was_known(api, live):
    assert api.get("/api/v1/conditions/cramp/").status_code == 200
    partner = Partner.objects.get(name="Generation partner")
    partner.active = False
    partner.save()
    assert api.get("/api/v1/conditions/cramp/").status_code == 403


def test_a_bulk_update_of_a_public_model_is_served_at_once(client, live):
    """``QuerySet.update`` sends no signal; the public models' querysets advance anyway."""
    url = reverse("kb:article", args=["cramp"])
    assert client.get(url).status_code == 200
    Condition.objects.filter(pk=live.condition_id).update(
        withdrawn_at=timezone.now(), withdrawn_reason="Merged."
    )
    assert client.get(url).status_code == 410


def test_a_withdrawal_is_served_at_once_from_a_warm_cache(client, live, publisher):
    url = reverse("kb:article", args=["cramp"])
    client.get(url)
    client.get(reverse("kb:conditions"))
    workflow.withdraw(condition=live.condition, by=publisher, reason="Merged into Cramps.")
    assert client.get(url).status_code == 410
    assert "/conditions/cramp/" not in client.get(reverse("kb:conditions")).content.decode()


def test_a_reader_report_leaves_the_publication_state_alone(client, live):
    """Readers' reports never reach a page, so a flood of them cannot empty the cache."""
    before = state.read()
    response = client.post(
        reverse("kb:feedback", args=["cramp"]),
        {"message": "The dose in the overview looks wrong.", "revision": str(live.pk)},
    )
    assert response.status_code in (302, 303)
    assert state.read() == before


def test_numbers_grow_within_a_transaction_and_readers_get_the_last(live):
    before = state.read().sequence
    waiting = len(connection.run_on_commit)
    with transaction.atomic():
        Condition.objects.filter(pk=live.condition_id).update(slug="cramp")
        Reference.objects.filter(key="smith2020").update(title="Cramp trial, corrected")
        taken = [
            f.sequence for _, f, _ in connection.run_on_commit[waiting:] if isinstance(f, _Advanced)
        ]
    assert len(taken) == 2 and before < taken[0] < taken[1]
    assert state.read().sequence == taken[-1]


def test_an_answer_cached_before_a_commit_is_not_served_after_it(live):
    """Another process may fill the cache while a change is under way, from the rows it
    still sees as they were: it files them under the state it read, which the commit
    leaves behind."""
    read_before = state.read()
    with transaction.atomic():
        advance()
        # Another connection still reads the old state, and caches the old rows under it.
        with mock.patch.object(state, "read", return_value=read_before):
            assert store.fresh("probe", lambda: "old rows") == "old rows"
    assert store.fresh("probe", lambda: "new rows") == "new rows"


def test_another_process_writing_the_database_is_seen_at_once(client, live, publisher, settings):
    """With ``make run``'s local-memory cache, a change made by another process (a shell, an
    import) never told this process's cache; the database state tells every process."""
    url = reverse("kb:article", args=["cramp"])
    assert client.get(url).status_code == 200
    mine = settings.CACHES
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                    "LOCATION": "another-process"}
    }  # fmt: skip
    workflow.withdraw(condition=live.condition, by=publisher, reason="Unsafe advice.")
    settings.CACHES = mine
    assert client.get(url).status_code == 410


def test_a_database_keeps_its_identity_and_numbers_never_fall_below_the_clock(live):
    import time

    row = PublicationState.objects.get()
    assert row.database_id is not None
    assert advance().sequence >= time.time_ns() // 1000 - 10_000_000


def test_warm_cache_crosses_a_scheduled_go_live_with_no_write(
    client, author, author2, reviewer, reviewer2, django_assert_num_queries
):
    t0 = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
    go_live = t0 + dt.timedelta(hours=1)
    url = reverse("kb:article", args=["tremor"])
    with time_machine.travel(t0, tick=False):
        live = make_live(author=author, reviewer=reviewer, slug="tremor", name="Brontide tremor")
        draft = workflow.start_new_draft(condition=live.condition, by=author2)
        draft = services.update_revision(
            revision=draft, by=author2, expected_version=draft.lock_version,
            name="Zephyrine tremor",
        )  # fmt: skip
        workflow.submit(revision=draft, by=author2)
        workflow.approve(revision=draft, by=reviewer2, go_live_at=go_live)
    with time_machine.travel(go_live - dt.timedelta(seconds=1), tick=False):
        assert "Brontide tremor" in client.get(url).content.decode()
        with django_assert_num_queries(1):
            assert "Brontide tremor" in client.get(url).content.decode()
    with time_machine.travel(go_live + dt.timedelta(seconds=1), tick=False):
        assert "Zephyrine tremor" in client.get(url).content.decode()


# -- search documents ----------------------------------------------------------------------


def test_approval_writes_the_search_document_once(live):
    document = SearchDocument.objects.get(revision=live)
    assert document.names == "Cramp Charley horse"
    assert "Sudden tightening of a calf muscle" in document.body
    assert "smith2020" not in document.body  # citation keys are not searchable words
    if connection.vendor == "postgresql":
        assert document.vector is not None


def test_open_revisions_have_no_search_document(author):
    draft = make_in_review(author=author, slug="draft-only", name="Draftonly")
    assert not SearchDocument.objects.filter(revision=draft).exists()


def test_a_superseded_revisions_document_is_never_searched(live, author2, reviewer2):
    draft = workflow.start_new_draft(condition=live.condition, by=author2)
    draft = services.update_revision(
        revision=draft, by=author2, expected_version=draft.lock_version,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Replaced wording."}],
    )  # fmt: skip
    workflow.submit(revision=draft, by=author2)
    workflow.approve(revision=draft, by=reviewer2)
    assert not SearchDocument.objects.filter(revision=live).exists()  # superseded: deleted
    assert search_published(query="tightening").total == 0
    assert search_published(query="replaced wording").total == 1


def test_rebuild_search_index_writes_missing_documents(live):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM kb_searchdocument")
    advance()  # raw SQL sends no signal
    assert search_published(query="calf").total == 0
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert search_published(query="calf").total == 1
    assert SearchDocument.objects.filter(revision__in=Revision.objects.all()).count() == 1
