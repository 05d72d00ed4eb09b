"""Merging duplicate references: the merged-away record stays as an alias of the kept one
(``Reference.merged_into``), and each merge is logged on both records (``ReferenceEvent``).
See ``kb.reference_merge``."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0014_reference_title_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="reference",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Set when this record was merged into another (kb.reference_merge): it stays, as an alias, for the approved text that cites it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="aliases",
                to="kb.reference",
            ),
        ),
        migrations.AlterField(
            model_name="referenceevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("flag", "Flagged as retracted"),
                    ("unflag", "Retraction flag removed"),
                    ("imported_retracted", "Added as retracted by its source record"),
                    ("merged_into", "Merged into another record"),
                    ("merged_from", "Another record merged into this one"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="reference",
            constraint=models.CheckConstraint(
                condition=models.Q(("merged_into", models.F("pk")), _negated=True),
                name="kb_reference_not_merged_into_itself",
            ),
        ),
    ]
