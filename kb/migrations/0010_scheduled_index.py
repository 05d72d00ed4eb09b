"""A partial index on scheduled revisions: the publication state's due go-live is read on
every public request (``kb.caching.state``), and only a handful of conditions have one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0009_citation_snapshot"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="condition",
            index=models.Index(
                condition=models.Q(("scheduled_revision__isnull", False)),
                fields=["scheduled_revision"],
                name="kb_condition_scheduled",
            ),
        ),
    ]
