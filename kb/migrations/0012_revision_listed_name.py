"""A partial index on approved revisions in name order: the partner API's list finds a
page's keys with a range scan from its place instead of sorting every approved revision
(``kb.api.queries.page_keys``). It covers what deciding liveness reads from the revision,
so the scan is index-only once the table is vacuumed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0011_renditions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="revision",
            index=models.Index(
                condition=models.Q(("status", "approved")),
                fields=["name"],
                include=("id", "condition", "published_at"),
                name="kb_revision_listed_name",
            ),
        ),
    ]
