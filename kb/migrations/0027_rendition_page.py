"""The stored part of a live article's page on its rendition (``kb.renditions``).

Derived data: existing renditions get it on their next read or from ``write_renditions``,
so nothing is backfilled here and reversing only drops the column.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0026_search_documents_public_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="rendition",
            name="page",
            field=models.JSONField(blank=True, null=True),
        ),
    ]
