"""PostgreSQL search that reads its GIN index and ranks small vectors.

At 10,000 conditions a common word ("numbness", "pain") matches nearly every document, so
the planner estimated a sequential scan as cheapest and evaluated ``@@`` row by row. Its
cost model does not count what that costs here: every document's ``vector`` is several
kilobytes, stored out of line (TOAST), and was fetched and decompressed for each of the
30,000 documents, then again for ``ts_rank``: about half a second per search.

- ``head``: the weighted vector of the names (A) and summary (B) alone, a few dozen
  lexemes stored in the row. Results are ranked by it, so ranking thousands of matches
  reads no out-of-line vector.
- ``kb_searchdocument_ranks(tsquery)`` lists the matching documents with their ``head``
  rank, always from the GIN index: a bitmap scan reads the index and the small table rows,
  never the vectors. The planner settings that make it so are the function's own
  (``SET``), nothing else's; JIT and parallel workers, which the planner would otherwise
  engage for such a plan, cost more than the scan. Which of the matches are live now is
  decided by the caller.

SQLite is left alone (it has its FTS5 index, 0018). Backwards, both go.
"""

import django.contrib.postgres.search
from django.db import migrations

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION kb_searchdocument_ranks(query tsquery)
RETURNS TABLE (revision_id bigint, rank real)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 10000
SET enable_seqscan = off SET enable_indexscan = off
SET jit = off SET max_parallel_workers_per_gather = 0
AS $$
    SELECT revision_id, ts_rank(head, query) FROM kb_searchdocument WHERE vector @@ query
$$
"""
FILL_HEAD = """
UPDATE kb_searchdocument SET head =
    setweight(to_tsvector('english'::regconfig, coalesce(names, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B')
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL_HEAD)
        schema_editor.execute(CREATE_FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS kb_searchdocument_ranks(tsquery)")


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0022_section_comments"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="head",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
