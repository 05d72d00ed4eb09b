"""The export reads the library a chunk of conditions at a time and writes as it goes, so
its memory is bounded by a chunk, not by the library (10,000 conditions took 2 GB)."""

from __future__ import annotations

import inspect

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.portability import dumps, export_library, stream_library
from tests.factories import make_draft, make_live

pytestmark = pytest.mark.django_db


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        "".join(stream_library(**kwargs))
    return len(captured)


def test_queries_per_chunk_do_not_grow_with_the_conditions_in_it(library, author, reviewer):
    few = _queries(chunk_size=100)
    for n in range(3):
        make_live(author=author, reviewer=reviewer, slug=f"more-{n}", name=f"More {n}")
    assert _queries(chunk_size=100) == few


def test_conditions_are_read_and_written_a_chunk_at_a_time(library):
    seen = []
    with CaptureQueriesContext(connection) as captured:

        def progress(done, total):
            seen.append((done, total, len(captured), written[0]))

        written = [0]
        pieces = stream_library(chunk_size=1, progress=progress)
        assert inspect.isgenerator(pieces)
        for piece in pieces:
            written[0] += len(piece)
    assert [(done, total) for done, total, _, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    queries = [n for _, _, n, _ in seen]
    # Each chunk is one read of the conditions and one per prefetched relation, made only
    # when the writing has come that far.
    assert queries[1] - queries[0] == queries[2] - queries[1] > 0
    assert seen[0][3] < seen[1][3] < seen[2][3]


def test_stream_gives_the_bytes_of_the_whole_file(library, author):
    make_draft(author=author, slug="z-last", name="Ünïcode “quotes”\nand a line")
    assert "".join(stream_library(chunk_size=2)) == dumps(export_library())
