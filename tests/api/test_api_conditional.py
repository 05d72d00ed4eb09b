"""ETag / Last-Modified on the list and the detail, 304 on both validators, and validators
that change whenever what they describe changes."""

from __future__ import annotations

import pytest
import time_machine
from django.utils.http import http_date

from kb import services, workflow
from kb.models import ConditionCode, Reference
from tests.factories import ReferenceFactory, make_live

pytestmark = pytest.mark.django_db

DETAIL = "/api/v1/conditions/alpha/"
LIST = "/api/v1/conditions/"


@pytest.fixture
def alpha(author, reviewer):
    with time_machine.travel("2024-01-10T09:00:00Z", tick=False):
        ReferenceFactory(key="smith2020")
        return make_live(
            author=author,
            reviewer=reviewer,
            slug="alpha",
            name="Alpha",
            sections=[{"kind": "overview", "heading": "Overview", "body": "Text [@smith2020]."}],
        )


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_answers_carry_validators(api, alpha, url):
    response = api.get(url)
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Last-Modified"] == "Wed, 10 Jan 2024 09:00:00 GMT"


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_if_none_match_gives_304_with_validators(api, alpha, url):
    etag = api.get(url)["ETag"]
    response = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


@pytest.mark.parametrize("url", [LIST, DETAIL])
def test_if_modified_since_gives_304(api, alpha, url):
    last_modified = api.get(url)["Last-Modified"]
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    earlier = "Tue, 09 Jan 2024 09:00:00 GMT"
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_detail_etag_names_revision_and_latest_review(api, alpha):
    review = alpha.reviews.get()
    assert api.get(DETAIL)["ETag"].startswith(f'"{alpha.pk}-{review.pk}-')


def _validators(api, url):
    response = api.get(url)
    return response["ETag"], response["Last-Modified"]


def test_detail_validators_change_on_rereview(api, alpha, reviewer2):
    etag, _ = _validators(api, DETAIL)
    with time_machine.travel("2024-05-01T09:00:00Z", tick=False):
        workflow.reconfirm(condition=alpha.condition, by=reviewer2)
    new_etag, last_modified = _validators(api, DETAIL)
    assert new_etag != etag
    assert last_modified == "Wed, 01 May 2024 09:00:00 GMT"
    assert api.get(DETAIL, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_detail_validators_change_on_new_revision(api, alpha, author2, reviewer):
    etag, _ = _validators(api, DETAIL)
    draft = workflow.start_new_draft(condition=alpha.condition, by=author2)
    workflow.submit(revision=draft, by=author2)
    workflow.approve(revision=draft, by=reviewer)
    assert api.get(DETAIL, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_detail_validators_change_when_a_cited_reference_is_retracted(api, alpha, reviewer):
    etag, _ = _validators(api, DETAIL)
    with time_machine.travel("2024-07-01T09:00:00Z", tick=False):
        reference = Reference.objects.get(key="smith2020")
        workflow.set_retraction(
            reference=reference, by=reviewer, retracted=True, note="Retracted by the journal."
        )
    response = api.get(DETAIL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["Last-Modified"] == "Mon, 01 Jul 2024 09:00:00 GMT"
    assert response.json()["references"][0]["retracted"] is True


def test_detail_etag_changes_when_codes_or_related_change(api, alpha, author, reviewer):
    etag, _ = _validators(api, DETAIL)
    ConditionCode.objects.create(condition=alpha.condition, system="MeSH", code="D000001")
    with_code, _ = _validators(api, DETAIL)
    assert with_code != etag
    beta = make_live(author=author, reviewer=reviewer, slug="beta", name="Beta")
    alpha.condition.related.add(beta.condition)
    assert _validators(api, DETAIL)[0] != with_code


@pytest.mark.parametrize(
    "change",
    ["publish", "withdraw", "rereview", "rename"],
)
def test_list_validators_change_when_a_listed_item_changes(
    api, alpha, author, reviewer, reviewer2, publisher, change
):
    with time_machine.travel("2024-02-01T09:00:00Z", tick=False):
        make_live(author=author, reviewer=reviewer, slug="beta", name="Beta")
    etag, last_modified = _validators(api, LIST)
    with time_machine.travel("2024-08-01T09:00:00Z", tick=False):
        if change == "publish":
            make_live(author=author, reviewer=reviewer, slug="gamma", name="Gamma")
        elif change == "withdraw":
            workflow.withdraw(condition=alpha.condition, by=publisher, reason="Outdated")
        elif change == "rereview":
            workflow.reconfirm(condition=alpha.condition, by=reviewer2)
        else:
            services.rename_condition(condition=alpha.condition, new_slug="alpha-2", by=publisher)
    response = api.get(LIST, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    if change != "rename":
        assert response["Last-Modified"] == http_date(1722502800)  # 2024-08-01 09:00 UTC
        assert api.get(LIST, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200


def test_list_etag_is_per_page_and_filter(api, alpha, author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="beta", name="Beta")
    first = api.get(LIST, {"page_size": 1})["ETag"]
    second = api.get(LIST, {"page_size": 1, "page": 2})["ETag"]
    assert first != second
