"""Rate-limit counters (kb/ratelimit.py): one row per subject and fixed window, used when no
Redis is configured so that every process counts together. Rows are transient; going
backwards simply drops the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0007_public_change_cursor"),
    ]

    operations = [
        migrations.CreateModel(
            name="RateLimitCounter",
            fields=[
                ("key", models.CharField(max_length=120, primary_key=True, serialize=False)),
                ("count", models.PositiveIntegerField()),
                ("expires_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "verbose_name": "rate-limit counter",
            },
        ),
    ]
