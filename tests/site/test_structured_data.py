"""The article page's schema.org JSON-LD, parsed from the page as a search engine reads it."""

from __future__ import annotations

import datetime as dt

import pytest

from kb import workflow
from kb.models import ConditionCode
from tests.factories import ReferenceFactory, make_live
from tests.hardening.inertness import jsonld_blocks

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(
        key="hart2002",
        kind="journal",
        authors=[{"family": "Hart", "given": "IK"}, {"family": "Maddison", "given": "P"}],
        title="Phenotypic variants of autoimmune peripheral nerve hyperexcitability",
        container_title="Brain",
        year=2002,
        month=10,
        doi="10.1093/brain/awf192",
        pmid="12244076",
    )
    ReferenceFactory(
        key="nhs2024",
        kind="webpage",
        authors=[{"literal": "NHS"}],
        title="Muscle cramps",
        year=2024,
        doi=None,
        pmid=None,
        url="https://www.nhs.uk/conditions/leg-cramps/",
    )
    return make_live(
        author=author,
        reviewer=reviewer,
        slug="neuromyotonia",
        name="Neuromyotonia",
        sections=[{"kind": "overview", "heading": "Overview", "body": "A [@hart2002; @nhs2024]."}],
    )


def page_data(client, slug: str = "neuromyotonia") -> dict:
    response = client.get(f"/conditions/{slug}/")
    assert response.status_code == 200
    (data,) = jsonld_blocks(response.content.decode())
    return data


def test_date_published_is_the_first_publication_and_date_modified_the_latest(
    client, live, author2, reviewer2
):
    first_published = live.published_at
    new = workflow.start_new_draft(condition=live.condition, by=author2)
    workflow.submit(revision=new, by=author2)
    workflow.approve(revision=new, by=reviewer2)
    new.refresh_from_db()
    assert new.published_at > first_published
    data = page_data(client)
    assert dt.datetime.fromisoformat(data["datePublished"]) == first_published
    assert dt.datetime.fromisoformat(data["dateModified"]) == new.published_at


def test_about_carries_the_clinical_codes_and_a_code_change_reaches_the_page(client, live):
    assert "code" not in page_data(client)["about"]
    ConditionCode.objects.create(condition=live.condition, system="ICD-10", code="G71.19")
    ConditionCode.objects.create(condition=live.condition, system="SNOMED-CT", code="25011002")
    about = page_data(client)["about"]
    assert about["@type"] == "MedicalCondition"
    assert about["code"] == [
        {"@type": "MedicalCode", "code": "G71.19", "codingSystem": "ICD-10"},
        {"@type": "MedicalCode", "code": "25011002", "codingSystem": "SNOMED-CT"},
    ]


def test_a_code_change_changes_the_etag(client, live):
    before = client.get("/conditions/neuromyotonia/")["ETag"]
    ConditionCode.objects.create(condition=live.condition, system="ICD-10", code="G71.19")
    after = client.get("/conditions/neuromyotonia/", HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before


def test_citations_are_the_reference_list(client, live):
    journal, web = page_data(client)["citation"]
    assert journal == {
        "@type": "ScholarlyArticle",
        "name": "Phenotypic variants of autoimmune peripheral nerve hyperexcitability",
        "author": [
            {"@type": "Person", "name": "Hart IK"},
            {"@type": "Person", "name": "Maddison P"},
        ],
        "datePublished": "2002-10",
        "isPartOf": {"@type": "Periodical", "name": "Brain"},
        "sameAs": [
            "https://doi.org/10.1093/brain/awf192",
            "https://pubmed.ncbi.nlm.nih.gov/12244076/",
        ],
    }
    assert web == {
        "@type": "CreativeWork",
        "name": "Muscle cramps",
        "author": [{"@type": "Organization", "name": "NHS"}],
        "datePublished": "2024",
        "url": "https://www.nhs.uk/conditions/leg-cramps/",
    }


def test_breadcrumb_list_matches_the_visible_trail(client, live):
    trail = page_data(client)["breadcrumb"]
    assert trail == {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{SITE}/"},
            {"@type": "ListItem", "position": 2, "name": "Conditions A to Z",
             "item": f"{SITE}/conditions/"},
            {"@type": "ListItem", "position": 3, "name": "Neuromyotonia",
             "item": f"{SITE}/conditions/neuromyotonia/"},
        ],
    }  # fmt: skip
