"""Search documents: one per approved revision, GIN-indexed on PostgreSQL.

Searching used to build every revision's document on each query (seconds at 10,000
conditions); approved text never changes, so it is now built once. This migration creates
the table, the GIN index (PostgreSQL only; SQLite searches the stored text by
containment) and the documents of the revisions approved so far. Backwards, the table
and index go: documents are derived data and are rebuilt going forwards again.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

INDEX = "kb_searchdocument_vector_gin"


def create_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {INDEX} ON kb_searchdocument USING gin (vector)")


def drop_gin_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def index_approved_revisions(apps, schema_editor):
    from kb.search_index import index_revisions

    index_revisions(
        apps.get_model("kb", "Revision").objects.using(schema_editor.connection.alias),
        document_model=apps.get_model("kb", "SearchDocument"),
        section_model=apps.get_model("kb", "Section"),
        vendor=schema_editor.connection.vendor,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0004_backfill_public_changes"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "revision",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="kb.revision",
                    ),
                ),
                ("names", models.TextField()),
                ("summary", models.TextField()),
                ("body", models.TextField()),
                (
                    "vector",
                    django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
                ),
            ],
            options={
                "verbose_name": "search document",
            },
        ),
        migrations.RunPython(create_gin_index, drop_gin_index),
        migrations.RunPython(index_approved_revisions, migrations.RunPython.noop),
    ]
