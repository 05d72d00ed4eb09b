"""The condition list is paged by key: ``next`` and ``previous`` carry a cursor (a place in
the A–Z order), so a partner walking the list never skips or repeats an item when
conditions are published or withdrawn between two pages; ``page=N`` still answers what it
always did, found from the list's outline rather than by an offset over every row."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import workflow
from kb.api import queries
from kb.api.keyset import CURSOR_PATTERN, Cursor, Direction, Place, format_cursor
from kb.api.pagination import ConditionPagination
from tests.factories import make_live

pytestmark = pytest.mark.django_db

LIST = "/api/v1/conditions/"

#: Names with ties (one name, several slugs: the slug orders them) and non-ASCII letters.
NAMES = [
    ("asthma", "Asthma"),
    ("bronchitis", "Bronchitis"),
    ("cramp-a", "Cramp"),
    ("cramp-b", "Cramp"),
    ("cramp-c", "Cramp"),
    ("dermatitis", "Dermatitis"),
    ("eczema", "Eczema"),
    ("sjogren", "Sjögren syndrome"),
    ("zoster", "Zoster"),
]


@pytest.fixture
def library(author, reviewer):
    return {slug: make_live(author=author, reviewer=reviewer, slug=slug, name=name)
            for slug, name in NAMES}  # fmt: skip


@pytest.fixture
def small_marks(monkeypatch):
    """An outline mark every 3 items, so that a few conditions span several marks."""
    monkeypatch.setattr(ConditionPagination, "mark_every", 3)


def a_to_z() -> list[str]:
    """The list's order as the database sorts it (the list query, unpaged)."""
    return [revision.condition.slug for revision in queries.listed_conditions()]


def get(api, url: str, params: dict | None = None) -> dict:
    response = api.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def slugs(body: dict) -> list[str]:
    return [item["slug"] for item in body["results"]]


def query_of(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query, keep_blank_values=True)


def walk(api, url: str, params: dict, *, between=None) -> list[list[str]]:
    """Follow ``next`` from the first page; ``between(n)`` runs after page ``n``."""
    pages, body = [], get(api, url, params)
    while True:
        pages.append(slugs(body))
        if between is not None:
            between(len(pages))
        if body["next"] is None:
            return pages
        body = get(api, body["next"])


def test_next_links_carry_a_cursor_and_keep_the_other_parameters(api, library):
    body = get(api, LIST, {"page_size": 2, "q": "cramp"})
    assert body["count"] == 3
    query = query_of(body["next"])
    assert set(query) == {"cursor", "page_size", "q"}  # never a page number
    assert re.fullmatch(CURSOR_PATTERN, query["cursor"][0])
    assert query["page_size"] == ["2"] and query["q"] == ["cramp"]
    second = get(api, body["next"])
    assert slugs(second) == ["cramp-c"] and second["count"] == 3
    assert second["next"] is None
    assert slugs(get(api, second["previous"])) == ["cramp-a", "cramp-b"]


def test_page_numbers_lead_on_to_cursors(api, library, small_marks):
    body = get(api, LIST, {"page_size": 2, "page": 3})
    assert "page" not in query_of(body["next"]) and "page" not in query_of(body["previous"])
    assert slugs(get(api, body["next"])) == a_to_z()[6:8]
    assert slugs(get(api, body["previous"])) == a_to_z()[2:4]


@pytest.mark.parametrize("size", [1, 2, 4, 9, 100])
def test_the_cursor_walks_the_whole_list_in_order(api, library, size):
    pages = walk(api, LIST, {"page_size": size})
    assert [slug for page in pages for slug in page] == a_to_z()
    assert all(len(page) == size for page in pages[:-1])


def test_previous_links_walk_back_to_the_first_page(api, library):
    body = get(api, LIST, {"page_size": 2})
    while body["next"] is not None:
        body = get(api, body["next"])
    seen = slugs(body)
    while body["previous"] is not None:
        body = get(api, body["previous"])
        seen = slugs(body) + seen
    assert seen == a_to_z()


def test_a_walk_skips_and_repeats_nothing_when_the_list_changes_between_pages(
    api, library, author, reviewer, publisher
):
    """Withdrawing what was already read, or publishing before the place reached, shifts
    every page number after it; the cursor starts where the last page ended regardless."""

    def change(page: int) -> None:
        if page == 1:  # read: asthma, bronchitis
            workflow.withdraw(condition=library["asthma"].condition, by=publisher, reason="Old")
            make_live(author=author, reviewer=reviewer, slug="acne", name="Acne")
        elif page == 2:  # read: cramp-a, cramp-b
            workflow.withdraw(condition=library["cramp-a"].condition, by=publisher, reason="X")
            make_live(author=author, reviewer=reviewer, slug="cramp-bb", name="Cramp")
            workflow.withdraw(condition=library["eczema"].condition, by=publisher, reason="X")

    read = [slug for page in walk(api, LIST, {"page_size": 2}, between=change) for slug in page]
    assert len(read) == len(set(read))  # nothing twice
    # Everything live throughout is read; so is what was published ahead of the place reached.
    assert read == ["asthma", "bronchitis", "cramp-a", "cramp-b", "cramp-bb", "cramp-c",
                    "dermatitis", "sjogren", "zoster"]  # fmt: skip


def test_the_cursor_combines_with_every_filter(api, library, reviewer2):
    workflow.reconfirm(condition=library["eczema"].condition, by=reviewer2)
    workflow.reconfirm(condition=library["zoster"].condition, by=reviewer2)
    since = library["zoster"].reviews.order_by("-created_at").first().created_at
    library["cramp-b"].condition.codes.create(system="ICD-10", code="R25.2")
    library["cramp-c"].condition.codes.create(system="ICD-10", code="R25.2")
    cases = [
        ({"q": "cramp"}, ["cramp-a", "cramp-b", "cramp-c"]),
        ({"updated_since": since.isoformat()}, ["zoster"]),
        ({"code": "ICD-10|r25.2"}, ["cramp-b", "cramp-c"]),
        ({"q": "cramp", "code": "ICD-10|R25.2"}, ["cramp-b", "cramp-c"]),
    ]
    for params, expected in cases:
        pages = walk(api, LIST, {"page_size": 1, **params})
        assert [slug for page in pages for slug in page] == expected, params
        assert get(api, LIST, params)["count"] == len(expected)


def test_page_numbers_answer_the_same_items_as_before(api, library, small_marks):
    order = a_to_z()
    assert order[2:5] == ["cramp-a", "cramp-b", "cramp-c"]  # a tie, broken by the slug
    for size in (1, 2, 3, 4, 5, 100):
        pages = -(-len(order) // size)
        for number in range(1, pages + 1):
            body = get(api, LIST, {"page_size": size, "page": number})
            assert slugs(body) == order[(number - 1) * size : number * size], (size, number)
            assert body["count"] == len(order)
            assert (body["next"] is None) == (number == pages)
            assert (body["previous"] is None) == (number == 1)
        past = api.get(LIST, {"page_size": size, "page": pages + 1})
        assert past.status_code == 404
        assert past.json()["code"] == "not_found"
        assert past.json()["detail"].startswith(f"There is no page {pages + 1}")


def test_the_first_page_of_an_empty_list_is_empty(api, db):
    assert get(api, LIST) == {"count": 0, "next": None, "previous": None, "results": []}
    assert get(api, LIST, {"cursor": "aQQ.a"})["results"] == []


def test_with_a_cursor_the_page_number_is_ignored(api, library):
    cursor = format_cursor(Cursor(Direction.AFTER, Place(name="Cramp", slug="cramp-b")))
    body = get(api, LIST, {"cursor": cursor, "page": 7, "page_size": 2})
    assert slugs(body) == ["cramp-c", "dermatitis"]


def test_nothing_before_a_place_links_on_to_the_first_page(api, library):
    cursor = format_cursor(Cursor(Direction.BEFORE, Place(name="Asthma", slug="asthma")))
    body = get(api, LIST, {"cursor": cursor, "page_size": 2})
    assert body["results"] == [] and body["previous"] is None
    assert set(query_of(body["next"])) == {"page_size"}


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "x",
        "a",  # no slug
        "aQXN0aG1h",  # no slug
        "cQXN0aG1h.asthma",  # no such direction
        "aQ.asthma",  # a lone base64 character encodes nothing
        "aQXN0aG1h=.asthma",  # padding is left out
        "aQXN0aG1h.asthma!",
        "aQXN0aG1h.",
        "a QXN0aG1h.asthma",
        "aQXN0aG1h.asthma\n",
        "a" + "QUFB" * 268 + ".asthma",  # longer than any name
        "a." + "s" * 121,  # longer than any slug
        "2.7",  # a changes-feed cursor
    ],
)
def test_a_malformed_cursor_is_400_with_a_message(api, library, cursor):
    response = api.get(LIST, {"cursor": cursor})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == "invalid_cursor"
    assert body["detail"].startswith("cursor: Not a cursor of this list: follow the `next`")


@pytest.mark.parametrize(
    "cursor",
    [
        "a.asthma",  # the empty name: before every name
        "a_w.asthma",  # not UTF-8: read with a replacement character
        "aAA.asthma",  # a NUL character
        "b" + "_-_-" * 267 + "_-.z",
    ],
)
def test_every_cursor_the_schema_allows_is_a_place(api, library, cursor):
    assert re.fullmatch(CURSOR_PATTERN, cursor)
    assert api.get(LIST, {"cursor": cursor}).status_code == 200


def test_the_schema_documents_the_cursor(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    parameters = {p["name"]: p for p in schema["paths"][LIST]["get"]["parameters"]}
    assert {"cursor", "page", "page_size", "q", "updated_since", "code"} <= set(parameters)
    assert parameters["cursor"]["schema"]["pattern"] == CURSOR_PATTERN
    assert "next" in parameters["cursor"]["description"]


def _library(author, reviewer, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        make_live(author=author, reviewer=reviewer, slug=f"c{n:03d}", name=f"C {n:03d}")


def _captured(api, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in ctx.captured_queries]


@pytest.mark.usefixtures("counts_in_cache", "small_marks")
def test_a_page_never_asked_before_costs_its_keys_and_items_alone(api, author, reviewer):
    """However long the list and deep the page: no count and no offset past a mark (the
    outline, shared by every page in one publication state, holds both)."""
    api.get("/api/v1/changes/")  # the first request of a minute also stamps the key's last use
    budgets = []
    for count, start in ((12, 0), (40, 12)):
        _library(author, reviewer, count, start=start)
        first = _captured(api, f"{LIST}?page_size=2")  # the outline, once per state
        assert sum("COUNT(" in sql.upper() for sql in first) == 1
        deep = [
            _captured(api, f"{LIST}?page_size=2&page={count // 2 - 1}"),
            _captured(api, f"{LIST}?page_size=2&page={count // 2}"),
            _captured(api, get(api, f"{LIST}?page_size=2&page={count // 4}")["next"]),
        ]
        for queries_made in deep:
            assert not any("COUNT(" in sql.upper() for sql in queries_made), queries_made
            offsets = [int(n) for sql in queries_made for n in re.findall(r"OFFSET (\d+)", sql)]
            assert all(offset < ConditionPagination.mark_every for offset in offsets)
        budgets.append([len(first), *(len(q) for q in deep)])
    assert budgets[0] == budgets[1]
    assert max(budgets[0]) <= 5  # state, (outline), keys, items, latest public change
