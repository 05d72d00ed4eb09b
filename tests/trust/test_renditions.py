"""Approved text is rendered once and stored with the revision (``kb.renditions``).

A page or API answer that no cache holds reads the rendition instead of rendering Markdown,
citations and Vancouver again; what readers see is the same either way, and retraction
notices still reach a live page at once.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from accounts.models import Partner, PartnerAPIKey
from kb import renditions, workflow
from kb.caching import store
from kb.models import Reference, Rendition
from tests.factories import ReferenceFactory, make_live

pytestmark = pytest.mark.django_db

PAGE = "/conditions/test-condition/"
SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "Often **harmless** [@smith2020]."},
    {"kind": "treatment", "heading": "Treatment", "body": "Rest [@smith2020; @jones2019]."},
]


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="smith2020", title="Twitching in healthy adults")
    ReferenceFactory(key="jones2019", title="Benign fasciculation syndrome")
    return make_live(author=author, reviewer=reviewer, sections=SECTIONS)


def _page(client) -> str:
    store.clear_local()  # nothing from an earlier request: the page is built again
    from django.core.cache import cache

    cache.clear()
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def test_approval_stores_the_rendition_with_history(live):
    row = Rendition.objects.get(revision=live)
    assert row.renderer == renditions.RENDERER
    assert [s[1] for s in row.sections] == ["Overview", "Treatment"]
    assert "<strong>harmless</strong>" in row.sections[0][3]
    assert [r["number"] for r in row.references] == [1, 2]
    assert row.references[0]["snapshot"]["title"] == "Twitching in healthy adults"
    assert row.history is not None and len(row.history["entries"]) == 1


def test_a_cold_page_reads_the_rendition_and_renders_nothing(client, live, monkeypatch):
    expected = _page(client)

    def no_rendering(*args, **kwargs):
        raise AssertionError("an approved revision was rendered again")

    monkeypatch.setattr("kb.rendering.render_body", no_rendering)
    monkeypatch.setattr("kb.changelog.compute_history", no_rendering)
    assert _page(client) == expected


def test_a_cold_api_answer_reads_the_rendition(client, live, monkeypatch):
    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, partner_key = PartnerAPIKey.objects.create_key(partner=partner, name="website")

    def no_rendering(*args, **kwargs):
        raise AssertionError("an approved revision was rendered again")

    monkeypatch.setattr("kb.rendering.render_body", no_rendering)
    response = client.get(
        "/api/v1/conditions/test-condition/", HTTP_AUTHORIZATION=f"Api-Key {partner_key}"
    )
    assert response.status_code == 200
    data = response.json()
    assert "<strong>harmless</strong>" in data["sections"][0]["html"]
    assert [r["title"] for r in data["references"]] == [
        "Twitching in healthy adults",
        "Benign fasciculation syndrome",
    ]


def test_a_retraction_reaches_a_page_read_from_its_rendition(client, live, reviewer):
    assert "has been retracted" not in _page(client)
    workflow.set_retraction(
        reference=Reference.objects.get(key="jones2019"),
        by=reviewer,
        retracted=True,
        note="Data fabricated.",
    )
    body = _page(client)
    assert "This publication has been retracted." in body and "Data fabricated." in body
    assert Rendition.objects.get(revision=live).renderer == renditions.RENDERER


def test_a_rendition_from_other_code_is_replaced(client, live):
    expected = _page(client)
    Rendition.objects.filter(revision=live).update(
        renderer="older", sections=[["overview", "Overview", "overview", "<p>stale</p>"]]
    )
    body = _page(client)
    assert body == expected and "stale" not in body
    assert Rendition.objects.get(revision=live).renderer == renditions.RENDERER


def test_a_missing_rendition_is_written_on_first_read(client, live):
    expected = _page(client)
    Rendition.objects.all().delete()
    assert _page(client) == expected
    assert Rendition.objects.filter(revision=live, renderer=renditions.RENDERER).exists()


def test_write_renditions_renders_what_is_missing(live, author, reviewer):
    Rendition.objects.all().delete()
    call_command("write_renditions", "--live", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Rendition.objects.filter(revision=live, renderer=renditions.RENDERER).exists()


def test_a_scheduled_revision_gets_its_history_on_its_first_live_read(
    client, author, author2, reviewer, reviewer2
):
    from tests.governance.test_scheduling import GO_LIVE, T0, schedule_new_revision

    with time_machine.travel(T0, tick=False):
        _, scheduled = schedule_new_revision(
            author=author, author2=author2, reviewer=reviewer, reviewer2=reviewer2
        )
        row = Rendition.objects.get(revision=scheduled)
        assert row.renderer == renditions.RENDERER and row.history is None  # log not final
    with time_machine.travel(GO_LIVE + dt.timedelta(minutes=1), tick=False):
        store.clear_local()
        body = client.get("/conditions/tremor/").content.decode()
        assert "Renamed after the 2026 consensus." in body
        history = Rendition.objects.get(revision=scheduled).history
        assert [entry[0] for entry in history["entries"]] == [2, 1]
