"""SQLite: a trigram full-text index (FTS5) over the search documents.

The embedded default searched every document's text with ``LIKE`` (about half a second
at 10,000 conditions). FTS5's trigram tokenizer (SQLite 3.34 or later) indexes every
three-letter run, so the same "contains this word" matches are answered from an index.
The index is an external-content table over ``kb_searchdocument`` kept in step by
triggers, whatever writes the documents. PostgreSQL has its GIN index (0005) and is left
alone; an SQLite built without FTS5 or older than 3.34 keeps searching with ``LIKE``
(``kb.search`` checks for the table).
"""

import sqlite3

from django.db import migrations

# Plain literals: kb_searchfts over kb_searchdocument's names, summary and body.
CREATE = [
    "CREATE VIRTUAL TABLE kb_searchfts USING fts5(names, summary, body,"
    " content='kb_searchdocument', content_rowid='revision_id', tokenize='trigram')",
    "CREATE TRIGGER kb_searchfts_insert AFTER INSERT ON kb_searchdocument BEGIN"
    " INSERT INTO kb_searchfts(rowid, names, summary, body)"
    " VALUES (new.revision_id, new.names, new.summary, new.body); END",
    "CREATE TRIGGER kb_searchfts_delete AFTER DELETE ON kb_searchdocument BEGIN"
    " INSERT INTO kb_searchfts(kb_searchfts, rowid, names, summary, body)"
    " VALUES ('delete', old.revision_id, old.names, old.summary, old.body); END",
    "CREATE TRIGGER kb_searchfts_update AFTER UPDATE ON kb_searchdocument BEGIN"
    " INSERT INTO kb_searchfts(kb_searchfts, rowid, names, summary, body)"
    " VALUES ('delete', old.revision_id, old.names, old.summary, old.body);"
    " INSERT INTO kb_searchfts(rowid, names, summary, body)"
    " VALUES (new.revision_id, new.names, new.summary, new.body); END",
    "INSERT INTO kb_searchfts(kb_searchfts) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS kb_searchfts_insert",
    "DROP TRIGGER IF EXISTS kb_searchfts_delete",
    "DROP TRIGGER IF EXISTS kb_searchfts_update",
    "DROP TABLE IF EXISTS kb_searchfts",
]


def trigram_supported(connection) -> bool:
    if connection.vendor != "sqlite" or sqlite3.sqlite_version_info < (3, 34, 0):
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        return bool(cursor.fetchone()[0])


def create_index(apps, schema_editor):
    if trigram_supported(schema_editor.connection):
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0017_condition_not_related_to_itself"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
