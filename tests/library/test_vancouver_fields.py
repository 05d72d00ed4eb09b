"""The library records what Citing Medicine needs beyond a single date: a thesis and its
degree, and an issue dated by a season or a month range; the desk edits them, approval
freezes them and the export carries them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kb import citations
from kb.dashboard import records_changed_since_approval
from kb.models import Reference, ReferenceKind
from kb.portability import export_library
from tests.factories import ReferenceFactory, make_live

pytestmark = pytest.mark.django_db

PAGE = "/conditions/test-condition/"


def test_thesis_is_a_reference_kind():
    assert ReferenceKind.THESIS == "thesis"


def test_the_desk_saves_a_thesis_with_its_degree_and_a_season(author):
    data = {
        "key": "borkowski2002", "kind": "thesis", "authors": "Borkowski MM",
        "title": "Infant sleep and feeding", "container_title": "", "editors": "",
        "edition": "", "place": "Mount Pleasant (MI)", "publisher": "Central Michigan University",
        "year": 2002, "month": "", "day": "", "season": "Spring", "volume": "", "issue": "",
        "pages": "", "doi": "", "pmid": "", "pmcid": "", "url": "", "accessed_on": "",
        "degree": "dissertation",
    }  # fmt: skip
    client = Client()
    client.force_login(author)
    response = client.post(reverse("admin:kb_reference_add"), data)
    assert response.status_code == 302, response.content.decode()
    ref = Reference.objects.get(key="borkowski2002")
    assert (ref.kind, ref.degree, ref.season) == ("thesis", "dissertation", "Spring")
    page = client.get(reverse("admin:kb_reference_change", args=[ref.pk])).content.decode()
    assert "[dissertation]" in page


def test_approval_freezes_degree_and_season(client, author, reviewer):
    ReferenceFactory(key="ploeg2004", season="Aug-Sep", month=8)
    make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Cramps [@ploeg2004]."}],
    )
    assert "2004 Aug-Sep;63(4)" in client.get(PAGE).content.decode()
    ref = Reference.objects.get(key="ploeg2004")
    ref.season = ""
    ref.save()
    assert "2004 Aug-Sep;63(4)" in client.get(PAGE).content.decode()
    [item] = records_changed_since_approval()
    assert item.changes == [("ploeg2004", ["season"])]


def test_a_snapshot_taken_before_the_new_fields_is_not_a_change(
    monkeypatch, client, author, reviewer
):
    older = tuple(f for f in citations.SNAPSHOT_FIELDS if f not in ("degree", "season"))
    ReferenceFactory(key="ploeg2004")
    with monkeypatch.context() as patch:
        patch.setattr(citations, "SNAPSHOT_FIELDS", older)
        live = make_live(
            author=author,
            reviewer=reviewer,
            sections=[{"kind": "overview", "heading": "Overview", "body": "Cramps [@ploeg2004]."}],
        )
    assert "season" not in live.citations.get().snapshot
    Reference.objects.get(key="ploeg2004").save()
    assert records_changed_since_approval() == []
    assert "Neurology. 2004;63(4):721-3." in client.get(PAGE).content.decode()


def test_the_export_carries_degree_and_season():
    ReferenceFactory(key="thesis2002", kind="thesis", degree="master's thesis", season="Fall")
    [exported] = export_library()["references"]
    assert (exported["degree"], exported["season"]) == ("master's thesis", "Fall")


def test_the_renderer_name_covers_the_season_normaliser(monkeypatch):
    """The formatter prints seasons through ``kb.refdata``: changing it must re-render."""
    from pathlib import Path

    from kb import renditions

    original = Path.read_bytes

    def read_bytes(path):
        data = original(path)
        return data + b"\n# changed" if path.name == "refdata.py" else data

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    assert renditions._renderer() != renditions.RENDERER


def test_a_pubmed_lookup_keeps_a_two_month_issue():
    from kb.lookup import lookup_pmid

    def fetch(url, *, service):
        return {
            "result": {
                "12345": {
                    "title": "Two months.",
                    "source": "J Test",
                    "pubdate": "2004 Aug-Sep",
                    "volume": "63",
                    "issue": "4",
                    "authors": [{"name": "Smith J", "authtype": "Author"}],
                }
            }
        }

    data = lookup_pmid("12345", fetch=fetch)
    assert (data.year, data.month, data.season) == (2004, 8, "Aug-Sep")
