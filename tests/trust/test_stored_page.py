"""The part of a live article's page that never changes is stored with its rendition.

A page no cache holds is then the stored body (table of contents, sections with their
dates, reference list, change log) and the stored JSON-LD citations, with the live parts
around them: the review box, the related conditions and each reference's retraction
notice, read from the library on every request (I9). What readers see must be exactly
what a full render of the templates writes.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
import time_machine
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import RequestFactory

from kb import renditions, workflow
from kb.caching import store
from kb.models import Reference, Rendition
from kb.selectors import get_published_article
from kb.structured_data import article_jsonld, as_script
from tests.factories import ReferenceFactory, make_live

pytestmark = pytest.mark.django_db

PAGE = "/conditions/test-condition/"
SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "Often **harmless** [@smith2020]."},
    {"kind": "treatment", "heading": "Treatment", "body": "Rest [@smith2020; @jones2019]."},
    {"kind": "custom", "heading": "Outlook <good>", "body": "See [@lee2018] & more."},
]


@pytest.fixture
def article(author, author2, reviewer, reviewer2):
    """Revision 2 of an article (a change log of two entries) citing a retracted record
    and two others, with a live related condition."""
    ReferenceFactory(key="smith2020", title="Twitching in healthy adults")
    ReferenceFactory(key="jones2019", title="Benign fasciculation syndrome")
    ReferenceFactory(key="lee2018", title="Cramp & twitch", doi="10.1000/xyz")
    first = make_live(author=author, reviewer=reviewer, sections=SECTIONS)
    related = make_live(author=author, reviewer=reviewer, slug="cramps", name="Cramps")
    first.condition.related.add(related.condition)
    new = workflow.start_new_draft(condition=first.condition, by=author2)
    new.change_note = "Clarified the outlook."
    new.save()
    workflow.submit(revision=new, by=author2)
    workflow.approve(revision=new, by=reviewer2)
    workflow.set_retraction(
        reference=Reference.objects.get(key="jones2019"),
        by=reviewer,
        retracted=True,
        note="Data <fabricated>.",
    )
    return new


def _cold(client, path: str = PAGE):
    store.clear_local()
    cache.clear()
    response = client.get(path)
    assert response.status_code == 200
    return response


def _full_render(art, template: str = "kb/article.html") -> str:
    """The page as the templates write it with nothing stored."""
    request = RequestFactory().get(PAGE)
    codes: list = []
    context = {"article": art, "jsonld": as_script(article_jsonld(article=art, codes=codes))}
    return render_to_string(template, context, request)


@pytest.mark.parametrize("template", ["kb/article.html", "kb/print.html"])
def test_the_stored_page_is_what_a_full_render_writes(article, template):
    art = get_published_article(slug="test-condition")
    assert art.stored is not None
    full = dataclasses.replace(art, stored=None)
    stored_html, full_html = _full_render(art, template), _full_render(full, template)
    assert stored_html == full_html
    # It is the page readers need: the notice, the log, the dates, the related link.
    assert full_html.count("This publication has been retracted.") == 1
    assert "Data &lt;fabricated&gt;." in full_html
    assert "Clarified the outlook." in full_html and "First version." in full_html
    assert full_html.count('class="section-updated"') == 3
    assert 'href="/conditions/cramps/"' in full_html or template == "kb/print.html"


def test_stored_objects_keep_their_key_order_whatever_the_database(article):
    """PostgreSQL's jsonb sorts keys: what is read back is put in the written order."""
    from kb.api.queries import get_condition_document

    Rendition.objects.filter(revision=article).update(page=_keys_reversed(_page_of(article)))
    document = get_condition_document(slug="test-condition")
    full = dataclasses.replace(document, article=dataclasses.replace(document.article, stored=None))
    assert json.dumps(_api_detail(document)) == json.dumps(_api_detail(full))
    art = document.article
    assert as_script(article_jsonld(article=art)) == as_script(
        article_jsonld(article=dataclasses.replace(art, stored=None))
    )


def _page_of(revision) -> dict:
    return Rendition.objects.get(revision=revision).page


def _keys_reversed(value):
    if isinstance(value, dict):
        return {key: _keys_reversed(value[key]) for key in reversed(value)}
    if isinstance(value, list):
        return [_keys_reversed(item) for item in value]
    return value


def test_the_stored_citations_are_the_jsonld_a_full_render_writes(article):
    art = get_published_article(slug="test-condition")
    full = dataclasses.replace(art, stored=None)
    assert as_script(article_jsonld(article=art)) == as_script(article_jsonld(article=full))
    assert len(article_jsonld(article=art)["citation"]) == 3


def test_approval_stores_the_page_of_a_live_revision(article):
    page = Rendition.objects.get(revision=article).page
    assert page is not None
    assert page["body"][1::2] == [1, 2, 3]  # a notice slot after each reference
    assert "Twitching in healthy adults" in page["html"][0]  # written into its slot
    assert "retracted" not in "".join(page["body"][::2])  # notices are never stored
    assert [c["name"] for c in json.loads(page["citations"])] == [
        "Twitching in healthy adults",
        "Benign fasciculation syndrome",
        "Cramp & twitch",
    ]


def test_a_cold_page_renders_no_body_template(client, article):
    response = _cold(client)
    assert renditions.BODY_TEMPLATE not in [t.name for t in response.templates]
    assert "This publication has been retracted." in response.content.decode()


def test_retraction_and_its_withdrawal_reach_the_stored_page_at_once(client, article, reviewer):
    jones = Reference.objects.get(key="jones2019")
    smith = Reference.objects.get(key="smith2020")
    workflow.set_retraction(reference=smith, by=reviewer, retracted=True, note="Misconduct.")
    body = _cold(client).content.decode()
    assert body.count("This publication has been retracted.") == 2 and "Misconduct." in body
    workflow.set_retraction(reference=jones, by=reviewer, retracted=False, note="Reinstated.")
    workflow.set_retraction(reference=smith, by=reviewer, retracted=False, note="Reinstated.")
    assert "has been retracted" not in _cold(client).content.decode()


def test_a_rendition_stored_before_pages_gets_its_page_on_first_read(client, article):
    expected = _cold(client).content.decode()
    Rendition.objects.filter(revision=article).update(page=None)
    assert _cold(client).content.decode() == expected
    assert Rendition.objects.get(revision=article).page is not None


def test_a_scheduled_revision_stores_no_page_before_it_is_live(
    author, author2, reviewer, reviewer2
):
    from tests.governance.test_scheduling import T0, schedule_new_revision

    with time_machine.travel(T0, tick=False):
        _, scheduled = schedule_new_revision(
            author=author, author2=author2, reviewer=reviewer, reviewer2=reviewer2
        )
        assert Rendition.objects.get(revision=scheduled).page is None  # its dates not final


def test_a_cold_page_costs_a_fixed_number_of_queries(
    client, article, django_assert_max_num_queries
):
    _cold(client)  # the page is stored by now
    store.clear_local()
    cache.clear()
    # The publication state, the validators with the codes, the article with its latest
    # review, its references' retraction flags and the live related conditions.
    with django_assert_max_num_queries(3):
        assert client.get(PAGE).status_code == 200


@pytest.fixture
def api():
    from django.test import Client

    from accounts.models import Partner, PartnerAPIKey

    partner = Partner.objects.create(name="Stored page partner")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="k")
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_a_cold_api_detail_costs_a_fixed_number_of_queries(
    api, article, django_assert_max_num_queries
):
    _cold(api, "/api/v1/conditions/test-condition/")  # the key is known by now
    store.clear_local()
    cache.clear()
    # The state, the key, its last use, its rate counter (both written once a minute), then
    # as for the page: the validators with the codes, the article with its latest review,
    # its references' retraction flags and the live related conditions.
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/conditions/test-condition/").status_code == 200


def test_the_latest_review_read_with_the_article_is_the_whole_review(article):
    from kb.models import Review

    art = get_published_article(slug="test-condition")
    expected = Review.objects.latest_for(article).select_related("reviewer").first()
    assert art.review.pk == expected.pk
    for field in Review._meta.concrete_fields:
        assert getattr(art.review, field.attname) == getattr(expected, field.attname)
    assert art.review.reviewer.byline_name == expected.reviewer.byline_name
    assert art.review.reviewer.credentials == expected.reviewer.credentials


def _api_detail(document) -> dict:
    from kb.api.links import page_url
    from kb.api.serializers import ConditionDetailSerializer

    context = {"request": None, "page_url": page_url(document.condition.slug)}
    return ConditionDetailSerializer(document, context=context).data


def test_the_stored_api_references_are_what_the_serialiser_writes(article):
    from kb.api.queries import get_condition_document

    document = get_condition_document(slug="test-condition")
    assert document.article.stored is not None
    full = dataclasses.replace(document, article=dataclasses.replace(document.article, stored=None))
    stored_json, full_json = _api_detail(document), _api_detail(full)
    assert stored_json == full_json
    assert list(stored_json["references"][0]) == list(full_json["references"][0])  # order
    assert [r["retracted"] for r in full_json["references"]] == [False, True, False]


def test_the_stored_api_sections_are_what_the_serialiser_writes(article):
    from kb.api.links import page_url
    from kb.api.queries import get_condition_document

    document = get_condition_document(slug="test-condition")
    address = page_url("test-condition")
    assert document.article.stored.api_sections(page_url=address) is not None
    full = dataclasses.replace(document, article=dataclasses.replace(document.article, stored=None))
    stored_json, full_json = _api_detail(document), _api_detail(full)
    assert stored_json["sections"] == full_json["sections"]
    assert [list(s) for s in stored_json["sections"]] == [list(s) for s in full_json["sections"]]
    assert f'href="{address}#ref-1"' in stored_json["sections"][0]["html"]


def test_stored_api_sections_are_not_served_from_an_address_the_article_has_left(
    article, superuser
):
    """Their links were made absolute against the article's address when stored: after a
    rename they are written again against the new one."""
    from kb import services
    from kb.api.links import page_url
    from kb.api.queries import get_condition_document

    services.rename_condition(condition=article.condition, new_slug="renamed", by=superuser)
    document = get_condition_document(slug="renamed")
    html = _api_detail(document)["sections"][0]["html"]
    assert f'href="{page_url("renamed")}#ref-1"' in html
    assert "test-condition" not in html


def test_a_retraction_reaches_a_cold_api_answer_at_once(client, article, reviewer):
    from accounts.models import Partner, PartnerAPIKey

    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    path = "/api/v1/conditions/test-condition/"
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    store.clear_local()
    cache.clear()
    assert [r["retracted"] for r in client.get(path, **auth).json()["references"]] == [
        False,
        True,
        False,
    ]
    workflow.set_retraction(
        reference=Reference.objects.get(key="smith2020"), by=reviewer, retracted=True, note="x"
    )
    store.clear_local()
    cache.clear()
    flags = [r["retracted"] for r in client.get(path, **auth).json()["references"]]
    assert flags == [True, True, False]


def test_a_cold_api_detail_loads_the_article_once(client, article):
    """The validators and the body each read what they need once: the page key and the
    codes, then the article, its flags, its review and its related conditions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Partner, PartnerAPIKey

    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    path = "/api/v1/conditions/test-condition/"
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
    client.get(path, **auth)  # the key and the rendition's page are in place
    store.clear_local()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, **auth).status_code == 200
    article_reads = [q["sql"] for q in queries if '"kb_revision"."change_note"' in q["sql"]]
    assert len(article_reads) == 1  # the live revision with its rendition, once
    assert not any('"kb_rendition"."references"' in q["sql"] for q in queries)
    flag_reads = [q["sql"] for q in queries if "retraction_note" in q["sql"]]
    assert len(flag_reads) == 1


def test_what_the_article_query_reads_alongside_is_what_its_own_queries_read(
    article, author, reviewer
):
    """Codes read with the page key and related conditions read with the article are the
    lists ``get_condition_codes`` and the related query give, in the same order."""
    from kb import selectors
    from kb.models import ConditionCode

    condition = article.condition
    for system, code in [("SNOMED-CT", "9"), ("ICD-10", "G25.8"), ("SNOMED-CT", "10")]:
        ConditionCode.objects.create(condition=condition, system=system, code=code, display=code)
    for name in ["Zoster", "ataxia", "Myopathy"]:
        other = make_live(author=author, reviewer=reviewer, slug=name.lower(), name=name)
        condition.related.add(other.condition)

    key = selectors.get_page_key(slug="test-condition")
    codes = selectors.get_condition_codes(slug="test-condition")
    assert [(c.system, c.code) for c in key.codes] == [(c.system, c.code) for c in codes]
    assert [c.code for c in codes] == ["G25.8", "10", "9"]  # by system, then code

    live = selectors.get_published_article(slug="test-condition")
    preview = selectors.get_preview_article(revision=article)  # the related query
    names = ["Cramps", "Myopathy", "Zoster", "ataxia"]  # by name, as Python orders text
    assert [r.name for r in live.related] == [r.name for r in preview.related] == names
    assert [r.condition.slug for r in live.related] == ["cramps", "myopathy", "zoster", "ataxia"]


def test_a_related_condition_renamed_reaches_a_warm_page_and_api_answer(
    client, api, article, superuser
):
    """A rename makes no revision, so the page key must name what the related links
    show: the renamed condition's partner-feed entry (``moved``) does."""
    from kb import services
    from kb.models import Condition

    path = "/api/v1/conditions/test-condition/"
    assert 'href="/conditions/cramps/"' in client.get(PAGE).content.decode()
    assert [r["slug"] for r in api.get(path).json()["related"]] == ["cramps"]
    services.rename_condition(
        condition=Condition.objects.get(slug="cramps"), new_slug="cramps-2", by=superuser
    )
    page = client.get(PAGE).content.decode()
    assert 'href="/conditions/cramps-2/"' in page and 'href="/conditions/cramps/"' not in page
    assert [r["slug"] for r in api.get(path).json()["related"]] == ["cramps-2"]
