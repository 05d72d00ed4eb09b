"""Public search: finds published text by name, other names and prefixes (and typos on
PostgreSQL), never unpublished text (I1), escapes what it quotes, pages, and costs a fixed
number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb import services, workflow
from kb.search import search_published
from tests.factories import make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db

TOKEN = "zqxsearchleak"
# The factories' default sections mention twitching and cramps.
OTHER_SECTIONS = [{"kind": "overview", "heading": "Overview", "body": "Unrelated text."}]


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm typo tolerance needs PostgreSQL")


def slugs(results) -> list[str]:
    return [hit.slug for hit in results.results]


@pytest.fixture
def library(author, reviewer):
    make_live(
        author=author,
        reviewer=reviewer,
        slug="cramp-fasciculation-syndrome",
        name="Cramp-fasciculation syndrome",
        also_known_as=["Benign crampy fasciculation syndrome"],
        summary="A harmless condition with muscle twitching and painful cramps.",
    )
    make_live(
        author=author,
        reviewer=reviewer,
        slug="neuromyotonia",
        name="Neuromyotonia",
        also_known_as=["Isaacs' syndrome"],
        summary="Overactive nerves make muscles stiffen and ripple.",
    )
    make_live(
        author=author,
        reviewer=reviewer,
        slug="hypothyroidism",
        name="Hypothyroidism",
        summary="An underactive thyroid gland.",
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Tiredness and weight gain."}
        ],
    )


def test_finds_by_other_name(library):
    results = search_published(query="benign crampy fasciculation")
    assert slugs(results)[0] == "cramp-fasciculation-syndrome"
    assert "hypothyroidism" not in slugs(results)
    hit = results.results[0]
    assert hit.name == "Cramp-fasciculation syndrome"
    assert hit.also_known_as == ["Benign crampy fasciculation syndrome"]


def test_finds_by_possessive_other_name(library):
    assert slugs(search_published(query="isaacs")) == ["neuromyotonia"]
    assert slugs(search_published(query="Isaacs' syndrome")) == ["neuromyotonia"]


def test_prefix_of_a_word_matches(library):
    assert "neuromyotonia" in slugs(search_published(query="neuromyo"))


def test_section_text_is_searched(library):
    assert slugs(search_published(query="tiredness")) == ["hypothyroidism"]


def test_name_match_ranks_above_body_match(author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="aaa-mentions", name="Aaa mentions",
              sections=[{"kind": "overview", "heading": "Overview",
                         "body": "Sometimes confused with fasciculations."}])  # fmt: skip
    make_live(author=author, reviewer=reviewer, slug="fasciculations", name="Fasciculations")
    assert slugs(search_published(query="fasciculations")) == ["fasciculations", "aaa-mentions"]


def test_typo_finds_similar_names_on_postgres(author, reviewer):
    needs_postgres()
    make_live(author=author, reviewer=reviewer, slug="fasciculations", name="Fasciculations")
    make_live(author=author, reviewer=reviewer, slug="benign-fasciculation-syndrome",
              name="Benign fasciculation syndrome")  # fmt: skip
    make_live(author=author, reviewer=reviewer, slug="migraine", name="Migraine")
    results = search_published(query="fasiculation")
    assert set(slugs(results)) == {"fasciculations", "benign-fasciculation-syndrome"}
    assert "similar names" in results.message
    make_live(author=author, reviewer=reviewer, slug="asthma", name="Asthma")
    assert slugs(search_published(query="asthama")) == ["asthma"]


def test_similar_names_only_when_nothing_matches_exactly_on_postgres(author, reviewer):
    needs_postgres()
    make_live(author=author, reviewer=reviewer, slug="cramps", name="Muscle cramps")
    make_live(author=author, reviewer=reviewer, slug="crams", name="Crams syndrome",
              summary="Nothing to do with it.", sections=OTHER_SECTIONS)  # fmt: skip
    results = search_published(query="cramps")
    assert slugs(results) == ["cramps"]
    assert results.message == ""
    assert set(slugs(search_published(query="crampz"))) >= {"cramps"}


# -- I1: unpublished text is never searched or shown ---------------------------------------


@pytest.fixture
def unpublished(author, author2, reviewer, publisher):
    make_draft(author=author, slug="draft-only", name=f"Draft {TOKEN}",
               summary=f"Draft summary {TOKEN}.")  # fmt: skip
    make_in_review(author=author, slug="in-review", name="In review",
                   also_known_as=[f"Review {TOKEN}"],
                   sections=[{"kind": "overview", "heading": "Overview",
                              "body": f"Body {TOKEN}"}])  # fmt: skip
    live = make_live(author=author, reviewer=reviewer, slug="live-one", name="Live one",
                     summary="The published summary.")  # fmt: skip
    newer = workflow.start_new_draft(condition=live.condition, by=author2)
    services.update_revision(
        revision=newer,
        by=author2,
        expected_version=newer.lock_version,
        name=f"Live one {TOKEN}",
        summary=f"Newer summary {TOKEN}.",
        also_known_as=[f"Newer {TOKEN}"],
        sections=[{"kind": "overview", "heading": f"Heading {TOKEN}", "body": f"Body {TOKEN}"}],
    )
    workflow.submit(revision=newer, by=author2)
    gone = make_live(author=author, reviewer=reviewer, slug="gone", name=f"Gone {TOKEN}")
    workflow.withdraw(condition=gone.condition, by=publisher, reason="Withdrawn for testing.")
    return live


@pytest.mark.parametrize(
    "query", [TOKEN, TOKEN[:6], f"body {TOKEN}", "draft", "newer", f"gone {TOKEN}", "zqxsearchlek"]
)
def test_unpublished_text_never_found(client, unpublished, query):
    assert search_published(query=query).total == 0
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert TOKEN not in response.content.decode().replace(query, "")


def test_live_condition_found_by_its_published_text_only(client, unpublished):
    results = search_published(query="live one")
    assert slugs(results) == ["live-one"]
    assert results.results[0].summary == "The published summary."
    page = client.get("/search/", {"q": "live one"}).content.decode()
    assert "The published summary." in page
    assert TOKEN not in page
    assert "gone" not in slugs(search_published(query="gone"))  # withdrawn


# -- odd queries ---------------------------------------------------------------------------


def test_empty_query_is_friendly(client, library):
    response = client.get("/search/", {"q": "   "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a word" in page
    assert "/conditions/" in page  # points to the A–Z
    assert search_published(query="").results == []


def test_no_query_parameter(client):
    response = client.get("/search/")
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_very_long_query_is_shortened(client, library):
    query = "cramp " + "x" * 5000
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "shortened" in response.content.decode()
    results = search_published(query=query)
    assert len(results.query) <= 200
    assert "shortened" in results.message


@pytest.mark.parametrize("query", ["!!!", "'\"", "&|!():*<>", "@@ -- ;", "\x00", "«»—"])
def test_punctuation_only_query(client, library, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert search_published(query=query).results == []


@pytest.mark.parametrize("query", ["cramp & | !", "cramp:*", "cramp)", "'cramp", "cramp\x00"])
def test_tsquery_syntax_is_inert(library, query):
    assert "cramp-fasciculation-syndrome" in slugs(search_published(query=query))


@pytest.mark.parametrize("page", ["x", "-3", "0", "2.5", "99999999999999999999", ""])
def test_bad_page_numbers_give_page_one(client, library, page):
    response = client.get("/search/", {"q": "syndrome", "page": page})
    assert response.status_code == 200
    assert response.context["results"].page == 1


# -- pages, snippets, cost -----------------------------------------------------------------


def test_pagination(client, author, reviewer):
    for n in range(25):
        make_live(author=author, reviewer=reviewer, slug=f"myopathy-{n:02}",
                  name=f"Myopathy type {n:02}")  # fmt: skip
    first = search_published(query="myopathy")
    assert (first.total, first.pages, len(first.results)) == (25, 2, 20)
    assert first.has_next and not first.has_previous
    second = search_published(query="myopathy", page=2)
    assert len(second.results) == 5
    assert second.has_previous and not second.has_next
    assert not set(slugs(first)) & set(slugs(second))

    response = client.get("/search/", {"q": "myopathy", "page": "2"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Page 2 of 2" in page
    assert 'aria-label="Previous page of results' in page
    assert "/search/?q=myopathy&amp;page=1" in page
    assert page.count('<a href="/conditions/myopathy-') == 5
    # Beyond the last page: the last page, not an error.
    assert search_published(query="myopathy", page=9).page == 2


def test_snippet_marks_match_and_escapes_script(client, author, reviewer):
    make_live(
        author=author,
        reviewer=reviewer,
        slug="twitch",
        name="Twitching",
        summary="Small muscle movements.",
        sections=[
            {
                "kind": "overview",
                "heading": "Overview",
                "body": "Odd text <script>alert('x')</script> before the "
                "ripplingword appears in the body.",
            }
        ],  # fmt: skip
    )
    hit = search_published(query="ripplingword").results[0]
    assert "<mark>ripplingword</mark>" in hit.snippet_html
    assert "<script" not in hit.snippet_html
    page = client.get("/search/", {"q": "ripplingword"}).content.decode()
    assert "<mark>ripplingword</mark>" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in hit.snippet_html  # quoted as text, escaped, on every database


def test_ties_are_in_name_order_across_pages(author, reviewer):
    """Equal scores (the word only in the sections) list in name order, page after page,
    however the matches were ordered for the first page only."""
    names = ["Myopathy delta", "Myopathy alpha", "Myopathy echo", "Myopathy charlie",
             "Myopathy bravo", "Myopathy golf", "Myopathy foxtrot"]  # fmt: skip
    for name in names:
        make_live(author=author, reviewer=reviewer, slug=name.lower().replace(" ", "-"),
                  name=name, summary="Other.",
                  sections=[{"kind": "overview", "heading": "Overview",
                             "body": "Mentions quuxtieword."}])  # fmt: skip
    seen = []
    for page in (1, 2, 3):
        seen += slugs(search_published(query="quuxtieword", page=page, per_page=3))
    assert seen == sorted(name.lower().replace(" ", "-") for name in names)


def test_snippet_marks_a_word_found_through_its_stem(author, reviewer):
    """PostgreSQL finds "numbness" in "numb" (both stem to "numb"): the snippet marks it."""
    if connection.vendor != "postgresql":
        pytest.skip("stemming is PostgreSQL's")
    make_live(author=author, reviewer=reviewer, slug="hands", name="Hand trouble",
              summary="Other.",
              sections=[{"kind": "overview", "heading": "Overview",
                         "body": "Her hands felt numb at night."}])  # fmt: skip
    hit = search_published(query="numbness").results[0]
    assert "<mark>numb</mark>" in hit.snippet_html


def test_snippets_are_cut_from_the_page_rows_not_by_the_database(author, reviewer):
    """``ts_headline`` over a page of long documents cost more than the rest of a search."""
    make_live(author=author, reviewer=reviewer, slug="twitch", name="Twitching",
              sections=[{"kind": "overview", "heading": "Overview",
                         "body": "The ripplingword appears in the body."}])  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        hit = search_published(query="ripplingword").results[0]
    assert "<mark>ripplingword</mark>" in hit.snippet_html
    assert not any("ts_headline" in q["sql"].lower() for q in queries.captured_queries)


def test_snippet_escapes_summary(author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="amp", name="Ampersand test",
              summary='Tom & Jerry <b>bold</b> "quoted" ampersandword.')  # fmt: skip
    snippet = search_published(query="ampersandword").results[0].snippet_html
    assert "<b>" not in snippet
    assert "<mark>ampersandword</mark>" in snippet


def test_results_page_lists_name_link_aka_and_count(client, library):
    response = client.get("/search/", {"q": "isaacs"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/conditions/neuromyotonia/">Neuromyotonia</a>' in page
    assert "Also known as: Isaacs&#x27; syndrome" in page
    assert "1 result for “isaacs”" in page
    assert '<label for="search-q">' in page
    assert '<meta name="robots" content="noindex">' in page


def test_no_results_suggests_a_to_z(client, library):
    page = client.get("/search/", {"q": "qwertyzz"}).content.decode()
    assert "No results for “qwertyzz”" in page
    assert 'href="/conditions/"' in page


def _make_matching(author, reviewer, start, stop):
    for n in range(start, stop):
        make_live(
            author=author,
            reviewer=reviewer,
            slug=f"budget-{n}",
            name=f"Budget condition {n}",
            also_known_as=[f"Other name {n}"],
            sections=[
                {"kind": "overview", "heading": "Overview", "body": f"Budget body {n}."},
                {"kind": "causes", "heading": "Causes", "body": "Budget causes."},
            ],
        )


def test_query_count_does_not_grow_with_matches(
    client, author, reviewer, django_assert_max_num_queries
):
    _make_matching(author, reviewer, 0, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/search/", {"q": "budget"}).status_code == 200
    _make_matching(author, reviewer, 3, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/search/", {"q": "budget"})
    assert response.status_code == 200
    assert response.context["results"].total == 30
    # The publication state, the live names (once per publication state), a COUNT, the page.
    assert len(few.captured_queries) <= 4


# -- typo tolerance, near-exact names first, "did you mean" (every database) ----------------


@pytest.fixture
def twitches(author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="cramp-fasciculation-syndrome",
              name="Cramp-fasciculation syndrome",
              also_known_as=["Benign crampy fasciculation syndrome"])  # fmt: skip
    make_live(author=author, reviewer=reviewer, slug="fasciculations", name="Fasciculations")
    make_live(author=author, reviewer=reviewer, slug="migraine", name="Migraine",
              summary="Headaches.", sections=OTHER_SECTIONS)  # fmt: skip


def test_typo_finds_similar_names_on_every_database(twitches):
    results = search_published(query="fasiculation")
    assert slugs(results) == ["fasciculations", "cramp-fasciculation-syndrome"]
    assert "similar names" in results.message


def test_typo_in_one_of_two_words(twitches):
    assert slugs(search_published(query="crampy fasiculation")) == ["cramp-fasciculation-syndrome"]


def test_near_exact_name_ranks_first(twitches):
    # Both names contain the word; the one that is (nearly) the whole query comes first.
    assert slugs(search_published(query="fasciculation")) == [
        "fasciculations",
        "cramp-fasciculation-syndrome",
    ]
    assert slugs(search_published(query="Fasciculations"))[0] == "fasciculations"


def test_exact_other_name_ranks_first(author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="acquired-isaacs",
              name="Acquired Isaacs syndrome with myokymia")  # fmt: skip
    make_live(author=author, reviewer=reviewer, slug="neuromyotonia", name="Neuromyotonia",
              also_known_as=["Isaacs' syndrome"])  # fmt: skip
    assert slugs(search_published(query="isaacs syndrome")) == [
        "neuromyotonia",
        "acquired-isaacs",
    ]


def test_did_you_mean_when_nothing_matches(client, twitches):
    results = search_published(query="fasiculation")
    assert results.suggestion == "Fasciculations"
    page = client.get("/search/", {"q": "fasiculation"}).content.decode()
    assert 'Did you mean <a href="/search/?q=Fasciculations">Fasciculations</a>?' in page


def test_did_you_mean_from_another_name(author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="neuromyotonia", name="Neuromyotonia",
              also_known_as=["Isaacs' syndrome"])  # fmt: skip
    assert search_published(query="isaks syndrome").suggestion == "Isaacs' syndrome"


def test_no_suggestion_when_something_matches_or_nothing_is_close(twitches):
    assert search_published(query="fasciculations").suggestion == ""
    assert search_published(query="qwertyzz").suggestion == ""


def test_suggestions_never_name_unpublished_conditions(client, unpublished):
    for query in ("zqxsearchlek", "gone zqxsearchleak", "draft zqxsearchleek"):
        results = search_published(query=query)
        assert results.suggestion == ""
        assert results.total == 0
    # Nothing matches "lvie one" (too short for a typo match), but the live name is close.
    results = search_published(query="lvie one")
    assert (results.total, results.suggestion) == (0, "Live one")


def test_typo_search_costs_a_fixed_number_of_queries(
    client, author, reviewer, django_assert_max_num_queries
):
    _make_matching(author, reviewer, 0, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/search/", {"q": "budgett condition"}).status_code == 200
    _make_matching(author, reviewer, 3, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/search/", {"q": "budgett condition"})
    assert response.context["results"].total == 30
    # The state, the live names (once per publication state), two COUNTs, the page.
    assert len(few.captured_queries) <= 5
