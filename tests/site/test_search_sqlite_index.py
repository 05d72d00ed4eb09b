"""The embedded default (SQLite) searches a trigram full-text index (FTS5), not every
document's text: the index follows the search documents, and a search reads it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.models import SearchDocument
from kb.search import search_published
from tests.factories import make_live

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the trigram index is the SQLite search (PostgreSQL has its GIN index)")


def indexed(word: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM kb_searchfts WHERE kb_searchfts MATCH %s", [f'"{word}"'])
        return [row[0] for row in cursor.fetchall()]


def test_approved_text_is_indexed_and_leaves_with_its_document(author, reviewer):
    live = make_live(author=author, reviewer=reviewer, slug="twitch", name="Twitching",
                     summary="Small rippling movements.")  # fmt: skip
    assert indexed("rippl") == [live.pk]
    assert indexed("witchin") == [live.pk]  # any part of a word, like the old containment
    SearchDocument.objects.filter(revision=live).delete()
    assert indexed("rippl") == []


def test_search_reads_the_index(author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="twitch", name="Twitching")
    with CaptureQueriesContext(connection) as queries:
        assert [h.slug for h in search_published(query="twitchin").results] == ["twitch"]
    assert any("kb_searchfts" in q["sql"] for q in queries.captured_queries)
    assert not any('."body" LIKE' in q["sql"] for q in queries.captured_queries)


def test_words_too_short_for_trigrams_still_match(author, reviewer):
    make_live(author=author, reviewer=reviewer, slug="hepatitis-b", name="Hepatitis B")
    make_live(author=author, reviewer=reviewer, slug="hepatitis-c", name="Hepatitis C")
    assert [h.slug for h in search_published(query="hepatitis b").results] == ["hepatitis-b"]
    assert [h.slug for h in search_published(query="hepatitis").results] == [
        "hepatitis-b",
        "hepatitis-c",
    ]
