"""Theses as a kind of reference of their own: RIS ``THES``, BibTeX ``@phdthesis`` and
``@mastersthesis`` and CSL ``thesis`` were imported as books, which Vancouver cites
differently (a thesis names the degree-granting institution, not a publisher)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0012_revision_listed_name"),
    ]

    operations = [
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
                    ("thesis", "Thesis"),
                ],
                default="journal",
                max_length=20,
            ),
        ),
    ]
