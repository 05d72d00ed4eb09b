"""Search ranks by names and summary, then name order, so it never has to rank every
document's whole text; on PostgreSQL the matches come from the GIN index through
``kb_searchdocument_ranks`` (migration 0020), never from a scan of the large vectors."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import SearchDocument
from kb.search import search_published
from tests.factories import make_live

pytestmark = pytest.mark.django_db


def body(text: str) -> list[dict]:
    return [{"kind": "overview", "heading": "Overview", "body": text}]


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index and its ranking function are PostgreSQL's")


def test_name_then_summary_then_sections_in_name_order(author, reviewer):
    for slug, name in (("beta", "Beta"), ("alpha", "Alpha"), ("gamma", "Gamma")):
        make_live(author=author, reviewer=reviewer, slug=slug, name=name, summary="Other.",
                  sections=body("Mentions quuxword once, quuxword twice."))  # fmt: skip
    make_live(author=author, reviewer=reviewer, slug="zeta", name="Zeta",
              summary="A quuxword summary.", sections=body("Nothing."))  # fmt: skip
    make_live(author=author, reviewer=reviewer, slug="omega", name="Omega quuxword",
              summary="Other.", sections=body("Nothing."))  # fmt: skip
    results = search_published(query="quuxword")
    assert [hit.slug for hit in results.results] == ["omega", "zeta", "alpha", "beta", "gamma"]
    assert results.total == 5


def test_approved_documents_carry_the_small_ranking_vector(author, reviewer):
    needs_postgres()
    live = make_live(author=author, reviewer=reviewer, slug="cramps", name="Cramps")
    assert SearchDocument.objects.get(revision=live).head is not None


def test_matches_come_from_the_index_function(author, reviewer):
    needs_postgres()
    make_live(author=author, reviewer=reviewer, slug="cramps", name="Cramps")
    with CaptureQueriesContext(connection) as queries:
        assert [hit.slug for hit in search_published(query="cramps").results] == ["cramps"]
    sql = [query["sql"] for query in queries.captured_queries]
    assert any("kb_searchdocument_ranks(" in statement for statement in sql)
    assert not any('"vector" @@' in statement for statement in sql)


def test_index_function_reads_the_gin_index(author, reviewer):
    """Even when every document matches, the function plans without sequential scans
    (which would fetch every large vector): its own settings say so."""
    needs_postgres()
    for n in range(3):
        make_live(author=author, reviewer=reviewer, slug=f"cramps-{n}", name=f"Cramps {n}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM kb_searchdocument_ranks(to_tsquery('english', 'cramps:*'))"
        )
        assert cursor.fetchone()[0] == 3
        cursor.execute(
            "SELECT prosrc, proconfig FROM pg_proc WHERE proname = 'kb_searchdocument_ranks'"
        )
        source, config = cursor.fetchone()
    assert "vector @@ query" in source
    assert "enable_seqscan=off" in config
