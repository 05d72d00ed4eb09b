"""The partner feed's cursor and slugs: each change keeps the slug it was made under and a
number that grows in commit order.

Existing entries get their time (in microseconds) as their number, which keeps their
order, and the condition's slug and former slugs as they are now, the best that is known.
Entries written ahead for scheduled go-lives that have not come yet are dropped: the
go-live now enters its own entry when it is caught up, in commit order.
"""

from django.db import migrations, models
from django.utils import timezone


def backfill(apps, schema_editor):
    PublicChange = apps.get_model("kb", "PublicChange")
    ConditionSlug = apps.get_model("kb", "ConditionSlug")
    db = schema_editor.connection.alias
    PublicChange.objects.using(db).filter(at__gt=timezone.now()).delete()
    former: dict[int, list[str]] = {}
    for condition_id, slug in (
        ConditionSlug.objects.using(db)
        .order_by("retired_at", "id")
        .values_list("condition_id", "slug")
    ):
        former.setdefault(condition_id, []).append(slug)
    changes = list(PublicChange.objects.using(db).select_related("condition"))
    for change in changes:
        change.sequence = int(change.at.timestamp() * 1_000_000)
        change.slug = change.condition.slug
        change.former_slugs = former.get(change.condition_id, [])
    PublicChange.objects.using(db).bulk_update(
        changes, ["sequence", "slug", "former_slugs"], batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [("kb", "0006_publication_state")]

    operations = [
        migrations.AddField(
            model_name="publicchange",
            name="sequence",
            field=models.BigIntegerField(
                null=True, help_text="The publication number of the transaction (commit order)."
            ),
        ),
        migrations.AddField(
            model_name="publicchange",
            name="slug",
            field=models.SlugField(
                max_length=120, default="", help_text="The condition's slug at the time."
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="publicchange",
            name="previous_slug",
            field=models.SlugField(
                max_length=120, blank=True, help_text="For a move: the slug it moved from."
            ),
        ),
        migrations.AddField(
            model_name="publicchange",
            name="former_slugs",
            field=models.JSONField(
                default=list,
                blank=True,
                help_text="Every earlier slug of the condition at the time.",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="publicchange",
            name="sequence",
            field=models.BigIntegerField(
                help_text="The publication number of the transaction (commit order)."
            ),
        ),
        migrations.AlterField(
            model_name="publicchange",
            name="action",
            field=models.CharField(
                choices=[
                    ("published", "Published"),
                    ("withdrawn", "Withdrawn"),
                    ("moved", "Moved to a new address"),
                    (
                        "updated",
                        "Updated around the same revision (a review, a retraction notice)",
                    ),
                ],
                max_length=12,
            ),
        ),
        migrations.AlterModelOptions(
            name="publicchange",
            options={"ordering": ["sequence", "id"], "verbose_name": "public change"},
        ),
        migrations.AddIndex(
            model_name="publicchange",
            index=models.Index(fields=["sequence", "id"], name="kb_publicchange_cursor"),
        ),
    ]
