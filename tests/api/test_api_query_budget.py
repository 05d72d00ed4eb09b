"""The list costs the same for 5 or 100 items, the detail the same for 2 or 40 sections
and references."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ReferenceFactory, make_live

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("counts_in_cache")]


def _queries(api, url: str) -> int:
    api.get(url)  # the first request of a minute also stamps the key's last use
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _library(author, reviewer, count: int, start: int = 0) -> None:
    previous = None
    for n in range(start, start + count):
        live = make_live(author=author, reviewer=reviewer, slug=f"c{n:03d}", name=f"C {n:03d}")
        if n % 2 and previous is not None:
            live.condition.related.add(previous.condition)  # never itself: refused
        previous = live


def test_list_costs_the_same_for_5_or_100_items(api, author, reviewer):
    _library(author, reviewer, 5)
    small = _queries(api, "/api/v1/conditions/?page_size=100")
    _library(author, reviewer, 95, start=5)
    large = _queries(api, "/api/v1/conditions/?page_size=100")
    assert small == large <= 4  # key, count, page, latest public change


def test_changes_feed_costs_the_same_for_5_or_100_entries(api, author, reviewer):
    _library(author, reviewer, 5)
    small = _queries(api, "/api/v1/changes/?page_size=100")
    _library(author, reviewer, 95, start=5)
    assert _queries(api, "/api/v1/changes/?page_size=100") == small <= 3


def _article(author, reviewer, slug: str, size: int):
    keys = [ReferenceFactory(key=f"{slug}-{n}").key for n in range(size)]
    sections = [
        {"kind": "custom", "heading": f"Part {n}", "body": f"Text [@{keys[n]}]."}
        for n in range(size)
    ]
    live = make_live(author=author, reviewer=reviewer, slug=slug, name=slug, sections=sections)
    other = make_live(author=author, reviewer=reviewer, slug=f"{slug}-rel", name=f"{slug} rel")
    live.condition.related.add(other.condition)
    live.condition.codes.create(system="ICD-10", code=f"X{size}")
    return live


def test_detail_costs_the_same_for_2_or_40_sections_and_references(
    api, author, reviewer, django_assert_max_num_queries
):
    _article(author, reviewer, "small", 2)
    _article(author, reviewer, "large", 40)
    small = _queries(api, "/api/v1/conditions/small/")
    large = _queries(api, "/api/v1/conditions/large/")
    assert len(api.get("/api/v1/conditions/large/").json()["references"]) == 40
    assert small == large
    with django_assert_max_num_queries(7):
        api.get("/api/v1/conditions/large/")


def test_a_warm_detail_is_served_from_the_cache(api, author, reviewer):
    for n in range(3):
        ReferenceFactory(key=f"w{n}")
    make_live(
        author=author, reviewer=reviewer, slug="warm", name="Warm",
        sections=[{"kind": "custom", "heading": f"P{n}", "body": f"[@w{n}]"} for n in range(3)],
    )  # fmt: skip
    url = "/api/v1/conditions/warm/"
    first = api.get(url)
    with CaptureQueriesContext(connection) as ctx:
        second = api.get(url)
    assert second.json() == first.json()
    # The publication state only: the key row is kept for that state (a revocation moves
    # it on), the validators and the payload are cached under it.
    [state] = ctx.captured_queries
    assert "access_sequence" in state["sql"]


def test_infobutton_costs_the_same_for_1_or_10_matches(api, author, reviewer):
    from kb.models import Condition, ConditionCode

    url = (
        "/api/v1/infobutton/?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90"
        "&mainSearchCriteria.v.c=G12.21"
    )

    def code_all():
        for condition in Condition.objects.exclude(codes__code="G12.21"):
            ConditionCode.objects.create(condition=condition, system="ICD-10", code="G12.21")

    _library(author, reviewer, 1)
    code_all()
    small = _queries(api, url)
    _library(author, reviewer, 9, start=1)
    code_all()
    assert len(api.get(url).json()["feed"]["entry"]) == 10
    assert _queries(api, url) == small <= 2  # the key, the matching articles


def test_a_cold_detail_reads_the_codes_once(api, author, reviewer):
    """The codes read with the validators are the ones the payload shows (and its ETag
    names): read once, not again for the body."""
    from django.core.cache import cache

    from kb.caching import store

    _article(author, reviewer, "cold", 3)
    api.get("/api/v1/conditions/cold/")  # the key's first use of the minute is stamped
    cache.clear()
    store.clear_local()
    with CaptureQueriesContext(connection) as ctx:
        response = api.get("/api/v1/conditions/cold/")
    assert response.status_code == 200
    assert response.json()["codes"][0]["code"] == "X3"
    reads = [q["sql"] for q in ctx.captured_queries if "kb_conditioncode" in q["sql"]]
    assert len(reads) == 1, reads


def test_a_payload_rebuilt_under_cached_validators_shows_what_they_name(
    api, author, reviewer, monkeypatch
):
    """Validators from the cache, payload not: the codes are read again and the payload is
    kept only if they still give the ETag in use."""
    from kb.caching import answers

    _article(author, reviewer, "rebuilt", 2)
    first = api.get("/api/v1/conditions/rebuilt/")
    kept = []

    def named(name, compute, *, keep=lambda value: True):  # nothing kept: always rebuilt
        value = compute()
        kept.append(keep(value))
        return value

    monkeypatch.setattr(answers.store, "named", named)
    again = api.get("/api/v1/conditions/rebuilt/")
    assert again["ETag"] == first["ETag"] and again.json() == first.json()
    assert kept == [True]
