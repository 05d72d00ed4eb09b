"""Theses, and issues dated by a season or a month range, as Citing Medicine cites them.

A ``thesis`` kind with its ``degree`` ("dissertation", "master's thesis"), and ``season``
("Spring", "Aug-Sep") printed after the year in place of a single month. Both fields are
blank on existing records, which is what they held before; reversing drops them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0012_revision_listed_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="reference",
            name="degree",
            field=models.CharField(
                blank=True,
                help_text="For a thesis: “dissertation” (doctoral) or “master's thesis”.",
                max_length=50,
            ),
        ),
        migrations.AddField(
            model_name="reference",
            name="season",
            field=models.CharField(
                blank=True,
                help_text="When the issue is dated by a season or several months: “Spring”, “Aug-Sep”. Printed after the year in place of month and day.",
                max_length=30,
                verbose_name="season or months",
            ),
        ),
        migrations.AlterField(
            model_name="reference",
            name="kind",
            field=models.CharField(
                choices=[
                    ("journal", "Journal article"),
                    ("book", "Book"),
                    ("chapter", "Book chapter"),
                    ("guideline", "Guideline or report"),
                    ("webpage", "Web page"),
                    ("thesis", "Thesis or dissertation"),
                ],
                default="journal",
                max_length=20,
            ),
        ),
    ]
