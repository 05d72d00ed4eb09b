"""Renditions: each approved revision's HTML and reference list, rendered once.

Empty at first: a page renders a missing rendition on its first read, or
``manage.py write_renditions`` renders them all ahead. Reversing drops the table, which
loses nothing (renditions are derived from the approved rows).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0010_scheduled_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="Rendition",
            fields=[
                (
                    "revision",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="rendition",
                        serialize=False,
                        to="kb.revision",
                    ),
                ),
                ("renderer", models.CharField(max_length=40)),
                ("sections", models.JSONField()),
                ("references", models.JSONField()),
                ("unresolved", models.JSONField(default=list)),
                ("history", models.JSONField(blank=True, null=True)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
            ],
            options={
                "verbose_name": "rendition",
            },
        ),
    ]
