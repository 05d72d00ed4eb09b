"""The desk's citation picker: searching the library, checking keys of unsaved text,
adding a reference from a DOI or PMID, and what saving and submitting say about
citations that name no reference (I7) or a retracted one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.messages import constants as levels
from django.urls import reverse

from kb import workflow
from kb.exceptions import ContentProblems
from kb.lookup import LookupUnavailable
from kb.models import Reference, RevisionStatus
from tests.desk.test_admin_desk import revision_post_data
from tests.factories import ReferenceFactory, make_draft

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).resolve().parents[1] / "library" / "recorded"
SEARCH = "admin:kb_revision_cite_search"
CHECK = "admin:kb_revision_cite_check"
LOOKUP = "admin:kb_revision_cite_lookup"


def keys_found(client, query: str, page: int = 1) -> list[str]:
    answer = client.get(reverse(SEARCH), {"q": query, "page": page}).json()
    return [record["key"] for record in answer["results"]]


@pytest.fixture
def library(db):
    return {
        "jansen": ReferenceFactory(
            key="jansen1991", title="Benign fasciculations and cramps", year=1991,
            authors=[{"family": "Jansen", "given": "PH"}], doi="10.1000/jansen.1991",
            pmid="2024001",
        ),
        "carvalho": ReferenceFactory(
            key="decarvalho2004", title="Cramps, muscle pain, and fasciculations", year=2004,
            authors=[{"family": "de Carvalho", "given": "M"}], doi="10.1212/abc.2004",
            pmid="15326253",
        ),
    }  # fmt: skip


# --- search ----------------------------------------------------------------------------------


def test_search_by_title_author_year_doi_and_pmid(client, author, library):
    client.force_login(author)
    assert keys_found(client, "benign") == ["jansen1991"]
    assert keys_found(client, "carvalho") == ["decarvalho2004"]
    assert keys_found(client, "cramps 2004") == ["decarvalho2004"]
    assert keys_found(client, "https://doi.org/10.1000/JANSEN.1991") == ["jansen1991"]
    assert keys_found(client, "PMID: 15326253") == ["decarvalho2004"]
    assert keys_found(client, "fasciculations") == ["decarvalho2004", "jansen1991"]
    assert keys_found(client, "") == []


def test_search_leaves_out_merged_records(client, author, library):
    ReferenceFactory(key="jansen1991dup", title="Benign fasciculations (copy)",
                     merged_into=library["jansen"])  # fmt: skip
    client.force_login(author)
    assert keys_found(client, "benign") == ["jansen1991"]


def test_search_is_paged(client, author):
    ReferenceFactory.create_batch(12, title="Twitching study")
    client.force_login(author)
    first = client.get(reverse(SEARCH), {"q": "twitching"}).json()
    second = client.get(reverse(SEARCH), {"q": "twitching", "page": 2}).json()
    assert (len(first["results"]), first["has_more"]) == (10, True)
    assert (len(second["results"]), second["has_more"]) == (2, False)
    keys = {r["key"] for r in first["results"]} | {r["key"] for r in second["results"]}
    assert len(keys) == 12


def test_search_and_check_need_view_reference(client, nobody, library):
    client.force_login(nobody)
    assert client.get(reverse(SEARCH), {"q": "benign"}).status_code == 403
    assert client.get(reverse(CHECK), {"key": "jansen1991"}).status_code == 403
    client.logout()
    assert client.get(reverse(SEARCH), {"q": "benign"}).status_code == 302  # to sign-in


# --- checking keys as the author types ----------------------------------------------------


def test_check_flags_unknown_merged_and_retracted_keys(client, author, library):
    ReferenceFactory(key="bad2010", retracted=True)
    ReferenceFactory(key="old1991", merged_into=library["jansen"])
    client.force_login(author)
    answer = client.get(
        reverse(CHECK), {"key": ["jansen1991", "ghost1999", "bad2010", "old1991", "ghost1999"]}
    ).json()
    assert answer == {
        "unknown": ["ghost1999"],
        "merged": {"old1991": "jansen1991"},
        "retracted": ["bad2010"],
    }


# --- adding a reference from a DOI or PMID ------------------------------------------------


def recorded(name):
    def fetch(url, *, service):
        return json.loads((RECORDED / name).read_text())

    return fetch


def unreachable(url, *, service):
    raise LookupUnavailable("The lookup service could not be reached. Enter the details by hand.")


def test_lookup_adds_a_reference_from_a_pmid_once(client, author, monkeypatch):
    monkeypatch.setattr("kb.lookup.http_get_json", recorded("esummary_15326253.json"))
    client.force_login(author)
    first = client.post(reverse(LOOKUP), {"identifier": "PMID: 15326253"})
    assert first.status_code == 201
    created = first.json()
    reference = Reference.objects.get(pmid="15326253")
    assert created["key"] == reference.key and created["created"] is True
    assert "Added [@" in created["message"]

    again = client.post(reverse(LOOKUP), {"identifier": "15326253"})
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["key"] == reference.key
    assert Reference.objects.count() == 1


def test_lookup_adds_a_reference_from_a_doi(client, author, monkeypatch):
    monkeypatch.setattr("kb.lookup.http_get_json", recorded("crossref_decarvalho2004.json"))
    client.force_login(author)
    response = client.post(
        reverse(LOOKUP), {"identifier": "https://doi.org/10.1212/01.WNL.0000134657.71212.2E"}
    )
    assert response.status_code == 201
    assert Reference.objects.get(key=response.json()["key"]).year == 2004


def test_lookup_of_a_retracted_paper_says_so_and_logs_it(client, author, monkeypatch):
    from kb.models import ReferenceAction, ReferenceEvent

    answer = json.loads((RECORDED / "esummary_15326253.json").read_text())
    answer["result"]["15326253"]["pubtype"].append("Retracted Publication")
    monkeypatch.setattr("kb.lookup.http_get_json", lambda url, *, service: answer)
    client.force_login(author)
    response = client.post(reverse(LOOKUP), {"identifier": "15326253"})
    assert response.status_code == 201 and response.json()["retracted"] is True
    assert any("retracted: do not cite" in note for note in response.json()["notes"])
    event = ReferenceEvent.objects.get(reference__pmid="15326253")
    assert (event.action, event.actor) == (ReferenceAction.IMPORTED_RETRACTED, author)


def test_lookup_offline_says_so_and_writes_nothing(client, author, monkeypatch):
    monkeypatch.setattr("kb.lookup.http_get_json", unreachable)
    client.force_login(author)
    response = client.post(reverse(LOOKUP), {"identifier": "10.1212/xyz.123"})
    assert response.status_code == 502
    assert "could not be reached" in response.json()["error"]
    assert "by hand" in response.json()["error"]
    assert not Reference.objects.exists()


def test_lookup_of_something_that_is_no_identifier(client, author):
    client.force_login(author)
    response = client.post(reverse(LOOKUP), {"identifier": "muscle cramps"})
    assert response.status_code == 404
    assert "neither a DOI nor a PubMed ID" in response.json()["error"]
    assert client.post(reverse(LOOKUP), {"identifier": ""}).status_code == 400


def test_lookup_needs_add_reference_and_post(client, reviewer, author, monkeypatch):
    monkeypatch.setattr("kb.lookup.http_get_json", recorded("esummary_15326253.json"))
    client.force_login(reviewer)  # reviewers keep the library, authors add to it
    response = client.post(reverse(LOOKUP), {"identifier": "15326253"})
    assert response.status_code == 403
    assert not Reference.objects.exists()
    client.force_login(author)
    assert client.get(reverse(LOOKUP), {"identifier": "15326253"}).status_code == 405


# --- saving and submitting with citation problems -------------------------------------------


def save(client, draft, body: str):
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    draft.refresh_from_db()
    data = revision_post_data(draft, lock_version=draft.lock_version, **{"sections-0-body": body})
    return client.post(url, {**data, "_continue": "1"}, follow=True)


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


def test_saving_an_unknown_key_warns_instead_of_success(client, author):
    draft = make_draft(author=author)
    client.force_login(author)
    response = save(client, draft, "Claim [@ghost1999].")
    shown = messages_of(response)
    assert [level for level, _ in shown] == [levels.WARNING]
    assert "[@ghost1999]" in shown[0][1] and "Submitting for review waits" in shown[0][1]
    assert "changed successfully" not in response.content.decode()
    assert "Submitting for review waits until every citation marker" in (
        response.content.decode()
    )  # listed at the top of the page


def test_saving_a_retracted_citation_warns(client, author):
    ReferenceFactory(key="bad2010", retracted=True)
    draft = make_draft(author=author)
    client.force_login(author)
    shown = messages_of(save(client, draft, "Claim [@bad2010]."))
    assert [level for level, _ in shown] == [levels.WARNING]
    assert "[@bad2010] is a retracted publication" in shown[0][1]


def test_saving_resolved_citations_is_a_success(client, author):
    ReferenceFactory(key="good2010")
    draft = make_draft(author=author)
    client.force_login(author)
    shown = messages_of(save(client, draft, "Claim [@good2010]."))
    assert [level for level, _ in shown] == [levels.SUCCESS]
    assert "changed successfully" in shown[0][1]


def test_submit_is_refused_with_the_list_of_unknown_keys(client, author):
    draft = make_draft(author=author, sections=[
        {"kind": "overview", "heading": "Overview", "body": "A [@ghost1999] and [@ghost2001]."},
    ])  # fmt: skip
    assert not workflow.can(author, "submit", draft)
    reason = workflow.why_not(author, "submit", draft)
    assert "[@ghost1999]" in reason and "[@ghost2001]" in reason
    with pytest.raises(ContentProblems) as refused:
        workflow.submit(revision=draft, by=author)
    assert any("[@ghost1999]" in p for p in refused.value.problems)

    client.force_login(author)
    page = client.get(reverse("admin:kb_revision_change", args=[draft.pk])).content.decode()
    submit_url = reverse("admin:kb_revision_transition", args=[draft.pk, "submit"])
    assert submit_url not in page  # the button is not offered …
    assert "cites [@ghost2001], which is not in the reference library" in page  # … and why
    response = client.post(submit_url, {"comment": ""}, follow=True)
    assert "[@ghost1999]" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == RevisionStatus.DRAFT


def test_submit_goes_ahead_once_the_reference_exists(author):
    draft = make_draft(author=author, sections=[
        {"kind": "overview", "heading": "Overview", "body": "A claim [@late2020]."},
    ])  # fmt: skip
    ReferenceFactory(key="late2020")
    assert workflow.can(author, "submit", draft)
    workflow.submit(revision=draft, by=author)
    assert draft.status == RevisionStatus.IN_REVIEW


def test_the_form_carries_its_endpoints_as_data_not_script(client, author, reviewer):
    draft = make_draft(author=author)
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    client.force_login(author)
    page = client.get(url).content.decode()
    start = page.index('<script id="desk-writing-config" type="application/json">')
    config = json.loads(page[start:].split(">", 1)[1].split("</script>", 1)[0])
    assert config["search"] == reverse(SEARCH) and config["lookup"] == reverse(LOOKUP)
    assert config["autosave"] == reverse("admin:kb_revision_autosave", args=[draft.pk])
    assert 'src="/static/kb/desk-citations.js"' in page
    assert 'src="/static/kb/desk-autosave.js"' in page

    client.force_login(reviewer)  # reads the draft, may not edit it: no editor helpers
    assert "desk-writing-config" not in client.get(url).content.decode()
