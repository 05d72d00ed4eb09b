"""The shared reference library: identifiers, keys, citations, import, lookup, escaping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse

from kb import workflow
from kb.exceptions import ImmutableRevision
from kb.lookup import LookupNotFound, LookupUnavailable, lookup, lookup_doi, lookup_pmid
from kb.models import Reference
from tests.factories import (
    ReferenceFactory,
    make_draft,
    make_in_review,
    make_in_review_citing_lost_keys,
    make_live,
)

pytestmark = pytest.mark.django_db
HERE = Path(__file__).parent
FIXTURES = HERE.parent / "references" / "fixtures"
RECORDED = HERE / "recorded"


# --- identifiers and keys -------------------------------------------------------------------


def test_doi_and_pmid_are_normalised_and_unique_in_any_spelling():
    ref = ReferenceFactory(doi="https://doi.org/10.1212/01.WNL.0000134657.71212.2E",
                           pmid="PMID: 15326253")  # fmt: skip
    assert (ref.doi, ref.pmid) == ("10.1212/01.wnl.0000134657.71212.2e", "15326253")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferenceFactory(doi="doi:10.1212/01.wnl.0000134657.71212.2E")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReferenceFactory(pmid="15326253")
    # Blank identifiers are not duplicates of each other.
    ReferenceFactory(doi="", pmid="")
    ReferenceFactory(doi="", pmid="")


def test_keys_are_generated_with_suffixes_on_collision():
    one = ReferenceFactory(key="", authors=[{"family": "Jansen", "given": "PH"}], year=1991)
    two = ReferenceFactory(key="", authors=[{"family": "Jansen", "given": "A"}], year=1991)
    three = ReferenceFactory(key="", authors=[{"family": "Østergaard", "given": "J"}], year=2020)
    org = ReferenceFactory(key="", authors=[{"literal": "World Health Organization"}], year=None)
    assert (one.key, two.key, three.key) == ("jansen1991", "jansen1991a", "ostergaard2020")
    assert org.key == "worldhealthorganizationnd"


def test_key_cited_by_approved_text_cannot_change(author, reviewer):
    ref = ReferenceFactory(key="hart2002")
    make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "O", "body": "X [@hart2002]."}],
    )
    ref.key = "hart2002b"
    with pytest.raises(ImmutableRevision):
        ref.save()
    ref.refresh_from_db()
    ref.title = "A corrected title"  # other fields may still be corrected
    ref.save()


# --- citations ------------------------------------------------------------------------------


def test_citation_rows_follow_the_text(author):
    for key in ("a1", "b2", "c3"):
        ReferenceFactory(key=key)
    draft = make_draft(author=author, sections=[
        {"kind": "overview", "heading": "One", "body": "X [@c3]. Y [@a1; @c3]."},
        {"kind": "causes", "heading": "Two", "body": "Z [@b2] and [@a1] again [@missing]."},
    ])  # fmt: skip
    assert list(draft.citations.values_list("reference__key", "number")) == [
        ("c3", 1), ("a1", 2), ("b2", 3)
    ]  # fmt: skip


def test_runs_of_three_citations_print_as_a_range(client, author, reviewer):
    for key in ("a", "b", "c", "d"):
        ReferenceFactory(key=key)
    make_live(author=author, reviewer=reviewer, sections=[
        {"kind": "overview", "heading": "O", "body": "X [@a; @b; @c]. Y [@d; @a]."}
    ])  # fmt: skip
    body = client.get("/conditions/test-condition/").content.decode()
    assert '[<a href="#ref-1">1</a>–<a href="#ref-3">3</a>]' in body
    assert '[<a href="#ref-1">1</a>,<a href="#ref-4">4</a>]' in body


def test_unknown_keys_shown_to_staff_in_preview_and_desk(client, author):
    draft = make_draft(author=author, sections=[
        {"kind": "overview", "heading": "Overview", "body": "Claim [@ghost1999]."}
    ])  # fmt: skip
    client.force_login(author)
    preview = client.get(reverse("admin:kb_revision_preview", args=[draft.pk])).content.decode()
    assert "[@ghost1999?]" in preview and "Citations that name no reference" in preview
    desk = client.get(reverse("admin:kb_revision_change", args=[draft.pk])).content.decode()
    assert "[@ghost1999] in “Overview”" in desk


def test_approval_page_lists_unresolved_citations(client, author, reviewer):
    revision = make_in_review_citing_lost_keys(author=author, keys=["ghost1999"], sections=[
        {"kind": "overview", "heading": "Overview", "body": "Claim [@ghost1999]."}
    ])  # fmt: skip
    client.force_login(reviewer)
    url = reverse("admin:kb_revision_transition", args=[revision.pk, "approve"])
    assert "ghost1999" in client.get(url).content.decode()
    response = client.post(url, {"reviewed_on": "2026-01-01", "next_review_due": "2029-01-01"},
                           follow=True)  # fmt: skip
    assert "cannot be approved yet" in response.content.decode()
    revision.refresh_from_db()
    assert revision.status == "in_review"


def test_retracted_reference_is_flagged_to_readers(client, author, reviewer):
    ReferenceFactory(key="bad2010", retracted=True)
    revision = make_in_review(
        author=author, sections=[{"kind": "overview", "heading": "O", "body": "X [@bad2010]."}]
    )
    workflow.approve(
        revision=revision, by=reviewer, retraction_acknowledgement="The text warns about it."
    )
    body = client.get("/conditions/test-condition/").content.decode()
    assert "This publication has been retracted." in body


def test_reference_title_with_script_is_escaped_everywhere(client, author, reviewer, superuser):
    ReferenceFactory(key="xss", title="<script>alert('ref')</script> study",
                     container_title="<b>Journal</b>")  # fmt: skip
    live = make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "O", "body": "X [@xss]."}],
    )
    pages = [
        client.get("/conditions/test-condition/"),
    ]
    client.force_login(superuser)
    pages += [
        client.get(reverse("admin:kb_revision_preview", args=[live.pk])),
        client.get(reverse("admin:kb_reference_change", args=[Reference.objects.get().pk])),
        client.get(reverse("admin:kb_reference_changelist")),
        client.get(reverse("admin:kb_revision_change", args=[live.pk])),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "<script>alert('ref')" not in html
        assert "<b>Journal</b>" not in html


# --- import ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sample.ris", "sample.bib", "sample.nbib", "sample.json"])
def test_import_each_format(name, capsys):
    call_command("import_references", str(FIXTURES / name))
    out = capsys.readouterr().out
    assert "created" in out
    assert Reference.objects.filter(doi="10.1212/01.wnl.0000134657.71212.2e").count() == 1
    names = json.dumps(list(Reference.objects.values_list("authors", flat=True)),
                       ensure_ascii=False)  # fmt: skip
    assert "Gonçalves" in names and "Østergaard" in names


def test_import_deduplicates_across_formats(capsys):
    call_command("import_references", str(FIXTURES / "sample.ris"))
    count = Reference.objects.count()
    for name in ("sample.bib", "sample.nbib", "sample.json"):
        call_command("import_references", str(FIXTURES / name))
    out = capsys.readouterr().out
    assert "same DOI" in out
    assert Reference.objects.filter(doi="10.1212/01.wnl.0000134657.71212.2e").count() == 1
    # Everything in the other files that is also in the RIS file was matched, not duplicated.
    titles = [t.lower() for t in Reference.objects.values_list("title", flat=True)]
    assert len(titles) == len(set(titles))
    assert Reference.objects.count() >= count


def test_import_matches_on_title_year_author_and_journal_without_identifiers(capsys):
    ReferenceFactory(title="Cramps, Muscle Pain, and Fasciculations: Not Always Benign?",
                     year=2004, doi=None, pmid=None, key="existing",
                     authors=[{"family": "de Carvalho", "given": "M"}])  # fmt: skip
    ris = ("TY  - JOUR\nAU  - de Carvalho, M\nTI  - Cramps, muscle pain, and fasciculations: "
           "not always benign?\nJO  - Neurology\nPY  - 2004\nER  - \n")  # fmt: skip
    from kb.reference_import import import_references

    report = import_references(text=ris, filename="x.ris")
    assert (report.created, report.matched) == (0, 1)
    assert report.lines[0].key == "existing"


def test_partly_broken_file_imports_the_valid_records(capsys):
    call_command("import_references", str(FIXTURES / "partly_broken.ris"))
    out = capsys.readouterr().out
    assert "skipped" in out and "record 2" in out
    assert Reference.objects.count() >= 1


@pytest.mark.parametrize("name", ["broken.json", "empty.bib"])
def test_unreadable_file_changes_nothing_and_fails(name):
    with pytest.raises(CommandError) as info:
        call_command("import_references", str(FIXTURES / name))
    assert "Nothing was imported" in str(info.value)
    assert not Reference.objects.exists()


def test_binary_file_refused(tmp_path):
    path = tmp_path / "image.ris"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    with pytest.raises(CommandError):
        call_command("import_references", str(path))
    assert not Reference.objects.exists()


def test_long_import_reports_progress(tmp_path, capsys):
    records = "".join(
        f"TY  - JOUR\nAU  - Author{i}, A\nTI  - Study number {i}\nPY  - 2001\nER  - \n\n"
        for i in range(40)
    )
    path = tmp_path / "many.ris"
    path.write_text(records)
    call_command("import_references", str(path))
    captured = capsys.readouterr()
    assert "40/40 records" in captured.err
    assert "40 created" in captured.out


def test_admin_import_upload_reports(client, author):
    client.force_login(author)
    url = reverse("admin:kb_reference_import")
    with open(FIXTURES / "partly_broken.ris", "rb") as handle:
        response = client.post(url, {"file": handle, "format": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Report (ris)" in html and "skipped" in html
    with open(FIXTURES / "broken.json", "rb") as handle:
        response = client.post(url, {"file": handle, "format": ""})
    assert "Nothing was imported" in response.content.decode()


# --- lookup ---------------------------------------------------------------------------------


def recorded(name):
    def fetch(url, *, service):
        return json.loads((RECORDED / name).read_text())

    return fetch


def unreachable(url, *, service):
    raise LookupUnavailable("The lookup service could not be reached. Enter the details by hand.")


def test_lookup_doi_from_recorded_crossref():
    data = lookup_doi("https://doi.org/10.1212/01.WNL.0000134657.71212.2E",
                      fetch=recorded("crossref_decarvalho2004.json"))  # fmt: skip
    assert data.title == "Cramps, muscle pain, and fasciculations: Not always benign?"
    assert data.authors[0] == {"family": "de Carvalho", "given": "M"}
    assert (data.year, data.month, data.volume, data.issue, data.pages) == (
        2004, 8, "63", "4", "721-723")  # fmt: skip
    assert data.doi == "10.1212/01.wnl.0000134657.71212.2e"


def test_lookup_pmid_from_recorded_esummary():
    data = lookup_pmid("15326253", fetch=recorded("esummary_15326253.json"))
    assert data.container_title == "Neurology"
    assert [a["family"] for a in data.authors] == ["de Carvalho", "Swash"]
    assert data.doi == "10.1212/01.wnl.0000134657.71212.2e"
    assert (data.year, data.month, data.day) == (2004, 8, 24)


def test_lookup_unknown_pmid():
    with pytest.raises(LookupNotFound):
        lookup_pmid("99999999", fetch=recorded("esummary_missing.json"))


def test_lookup_rejects_non_identifiers():
    with pytest.raises(LookupNotFound):
        lookup("not an identifier", fetch=unreachable)


def test_real_http_client_reports_network_down(monkeypatch):
    import urllib.error
    import urllib.request

    from kb import lookup as lookup_module

    def down(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(urllib.request, "urlopen", down)
    with pytest.raises(LookupUnavailable, match="could not be reached"):
        lookup_module.http_get_json("https://api.crossref.org/works/10.1/x", service="crossref")


def test_http_client_sends_user_agent_and_timeout(monkeypatch):
    import io
    import urllib.request

    from kb import lookup as lookup_module

    seen = {}

    def fake(request, timeout):
        seen["ua"] = request.get_header("User-agent")
        seen["timeout"] = timeout
        return io.BytesIO(b'{"message": {}}')

    monkeypatch.setattr(urllib.request, "urlopen", fake)
    lookup_module.http_get_json("https://api.crossref.org/works/10.1/x", service="crossref")
    assert "mailto:" in seen["ua"] and seen["timeout"] == lookup_module.TIMEOUT_SECONDS


def test_admin_add_form_filled_by_lookup(client, author, monkeypatch):
    from kb import lookup as lookup_module

    monkeypatch.setattr(lookup_module, "http_get_json", recorded("esummary_15326253.json"))
    client.force_login(author)
    page = client.get(reverse("admin:kb_reference_add"), {"lookup": "15326253"})
    html = page.content.decode()
    assert "Cramps, muscle pain, and fasciculations" in html
    assert "de Carvalho M" in html


def test_admin_lookup_with_network_down_still_allows_manual_entry(client, author, monkeypatch):
    from kb import lookup as lookup_module

    monkeypatch.setattr(lookup_module, "http_get_json", unreachable)
    client.force_login(author)
    page = client.get(reverse("admin:kb_reference_add"), {"lookup": "10.1212/x.y"}, follow=True)
    assert "could not be reached" in page.content.decode()
    response = client.post(reverse("admin:kb_reference_add"), {
        "key": "", "kind": "journal", "authors": "Jansen PH\n{World Health Organization}",
        "title": "Typed by hand", "year": "1991", "doi": "DOI:10.1007/BF02191951",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    ref = Reference.objects.get(title="Typed by hand")
    assert ref.doi == "10.1007/bf02191951"
    assert ref.authors == [{"family": "Jansen", "given": "PH"},
                           {"literal": "World Health Organization"}]  # fmt: skip
    assert ref.key == "jansen1991"


def test_admin_refuses_duplicate_doi_and_warns_on_duplicate_title(client, author):
    ReferenceFactory(key="orig", doi="10.1000/abc", title="Same title", year=2001)
    client.force_login(author)
    base = {"key": "", "kind": "journal", "authors": "Smith J", "year": "2001"}
    response = client.post(
        reverse("admin:kb_reference_add"),
        {**base, "title": "Other", "doi": "https://doi.org/10.1000/ABC"},
    )
    assert response.status_code == 200
    assert "[orig], already has this DOI" in response.content.decode()
    response = client.post(reverse("admin:kb_reference_add"),
                           {**base, "title": "Same title!"}, follow=True)  # fmt: skip
    assert "Possible duplicate: [orig]" in response.content.decode()


def test_cited_in_lists_conditions_and_revisions(client, author, reviewer):
    ref = ReferenceFactory(key="hart2002")
    live = make_live(
        author=author,
        reviewer=reviewer,
        slug="neuromyotonia",
        sections=[{"kind": "overview", "heading": "O", "body": "X [@hart2002]."}],
    )
    workflow.start_new_draft(condition=live.condition, by=author)
    client.force_login(author)
    html = client.get(reverse("admin:kb_reference_change", args=[ref.pk])).content.decode()
    assert "neuromyotonia — revision 1</a> (approved, live)" in html
    assert "neuromyotonia — revision 2</a> (draft)" in html


def test_reference_autocomplete_and_pick_appends_citation(client, author):
    ref = ReferenceFactory(key="jansen1991", title="Frequency of cramp-fasciculation syndrome")
    draft = make_draft(author=author)
    client.force_login(author)
    found = client.get(reverse("admin:autocomplete"), {
        "term": "cramp", "app_label": "kb", "model_name": "citation", "field_name": "reference",
    })  # fmt: skip
    assert found.status_code == 200
    assert [r["id"] for r in found.json()["results"]] == [str(ref.pk)]

    from tests.desk.test_admin_desk import revision_post_data

    data = revision_post_data(draft, lock_version=draft.lock_version)
    data["sections-0-cite"] = [str(ref.pk)]
    response = client.post(reverse("admin:kb_revision_change", args=[draft.pk]), data)
    assert response.status_code == 302
    body = draft.sections.order_by("position").first().body
    assert body.endswith("[@jansen1991]")
    assert list(draft.citations.values_list("reference__key", flat=True)) == ["jansen1991"]


def test_unused_filter(client, author):
    ReferenceFactory(key="used")
    ReferenceFactory(key="lonely")
    make_draft(author=author, sections=[{"kind": "overview", "heading": "O", "body": "[@used]"}])
    client.force_login(author)
    html = client.get(reverse("admin:kb_reference_changelist"), {"cited": "unused"}).content
    assert b"lonely" in html and b">used<" not in html
