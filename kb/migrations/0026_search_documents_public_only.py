"""Search documents only for revisions that are public or scheduled (``kb.search_index``).

Documents used to be kept for every approved revision, superseded ones included: three
times as many rows as live conditions on a library with some history, and every search
found its matches among all of them before keeping the live ones. Forwards, the documents
of revisions that are neither published nor scheduled (or whose condition is withdrawn)
are deleted; the workflow keeps it so from now on. Backwards, every approved revision gets
its document again, as before. On SQLite the FTS5 index (0018) follows through its
triggers.
"""

from django.db import migrations


def drop_non_public(apps, schema_editor):
    from kb.search_index import sync_documents

    alias = schema_editor.connection.alias
    sync_documents(
        conditions=apps.get_model("kb", "Condition").objects.using(alias).all(),
        revision_model=apps.get_model("kb", "Revision"),
        document_model=apps.get_model("kb", "SearchDocument"),
        section_model=apps.get_model("kb", "Section"),
        vendor=schema_editor.connection.vendor,
    )


def rebuild_every_approved(apps, schema_editor):
    from kb.search_index import index_revisions

    index_revisions(
        apps.get_model("kb", "Revision").objects.using(schema_editor.connection.alias),
        document_model=apps.get_model("kb", "SearchDocument"),
        section_model=apps.get_model("kb", "Section"),
        vendor=schema_editor.connection.vendor,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0025_review_attestation_change_class"),
    ]

    operations = [migrations.RunPython(drop_non_public, rebuild_every_approved)]
