"""Search: enable pg_trgm (typo-tolerant matching in kb.search) on PostgreSQL only.

On SQLite, the embedded development default, this migration does nothing either way.
No trigram index is created: kb.search compares the query with each published name by
``word_similarity()`` (a function, which no index serves) across a few thousand rows at
most, so an index would only add write cost.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class PostgresOnlyTrigramExtension(TrigramExtension):
    """``CREATE EXTENSION pg_trgm`` on PostgreSQL; a no-op elsewhere, both directions.

    (Django's operation already skips other databases going forwards, but its backwards
    step would query ``pg_extension`` on SQLite too.)
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0002_feedback"),
    ]

    operations = [
        PostgresOnlyTrigramExtension(),
    ]
