"""References as approved (I9): a snapshot on each citation, retraction flags under review.

- ``Citation.snapshot``: the cited record's bibliographic data as approved. Citations of
  revisions approved before this migration are backfilled from the library as it is now
  (the best record of what readers saw); drafts keep none. Backwards the column goes, so
  the reverse step has nothing to undo.
- ``Reference.retraction_changed_at``: what moves a live page's ETag now that ordinary
  edits no longer reach it; set from ``updated_at`` for records already flagged.
- ``ReferenceEvent``: the append-only log of retraction decisions.
- The ``kb.flag_retraction`` permission (given to medical reviewers by accounts 0006).

The snapshot shape is frozen here on purpose (a migration must not change meaning when
``kb.citations`` changes later); it equals ``kb.citations.SNAPSHOT_FIELDS`` today.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SNAPSHOT_FIELDS = (
    "key", "kind", "authors", "editors", "title", "container_title", "publisher", "place",
    "edition", "year", "month", "day", "volume", "issue", "pages", "doi", "pmid", "pmcid",
    "url", "accessed_on", "in_press",
)  # fmt: skip


def backfill(apps, schema_editor):
    Citation = apps.get_model("kb", "Citation")
    Reference = apps.get_model("kb", "Reference")
    Reference.objects.filter(retracted=True, retraction_changed_at__isnull=True).update(
        retraction_changed_at=models.F("updated_at")
    )
    pending = (
        Citation.objects.filter(revision__status="approved", snapshot__isnull=True)
        .select_related("reference")
        .order_by("pk")
    )
    batch = []
    for citation in pending.iterator(chunk_size=500):
        ref = citation.reference
        data = {name: getattr(ref, name) for name in SNAPSHOT_FIELDS}
        if data["accessed_on"] is not None:
            data["accessed_on"] = data["accessed_on"].isoformat()
        citation.snapshot = data
        batch.append(citation)
        if len(batch) >= 500:
            Citation.objects.bulk_update(batch, ["snapshot"])
            batch = []
    if batch:
        Citation.objects.bulk_update(batch, ["snapshot"])


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0008_rate_limit_counters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reference",
            options={
                "ordering": ["key"],
                "permissions": [
                    (
                        "flag_retraction",
                        "Can flag or unflag a reference as retracted (medical reviewer)",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="citation",
            name="snapshot",
            field=models.JSONField(
                blank=True,
                editable=False,
                help_text="The record's bibliographic data as approved; empty until approval.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="reference",
            name="retraction_changed_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When the retraction flag last changed: the one change of a record that reaches live pages at once, so it is part of their ETag.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="reference",
            name="updated_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                help_text="Any change to the record. Live pages do not show bibliographic edits (they show the snapshot approved with them), so this is not part of their ETag.",
            ),
        ),
        migrations.CreateModel(
            name="ReferenceEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("flag", "Flagged as retracted"),
                            ("unflag", "Retraction flag removed"),
                            ("imported_retracted", "Added as retracted by its source record"),
                        ],
                        max_length=20,
                    ),
                ),
                ("note", models.TextField()),
                (
                    "created_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the record was imported from the command line.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reference_events",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "reference",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="kb.reference",
                    ),
                ),
            ],
            options={
                "verbose_name": "reference event",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
