"""Fill the public change log from the workflow log for content published before it existed.

Publications are approvals (every approval published at once until scheduling existed) and
restorations; withdrawals are withdrawals. Reversible: going back empties the log.
"""

from django.db import migrations

PUBLISHING = {"approve": "published", "restore": "published", "withdraw": "withdrawn"}


def forwards(apps, schema_editor):
    WorkflowEvent = apps.get_model("kb", "WorkflowEvent")
    PublicChange = apps.get_model("kb", "PublicChange")
    events = WorkflowEvent.objects.filter(action__in=PUBLISHING, revision__isnull=False).order_by(
        "created_at", "id"
    )
    PublicChange.objects.bulk_create(
        PublicChange(
            condition_id=event.condition_id,
            revision_id=event.revision_id,
            action=PUBLISHING[event.action],
            at=event.created_at,
        )
        for event in events.iterator()
    )


def backwards(apps, schema_editor):
    apps.get_model("kb", "PublicChange").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_governance_and_partner_api")]

    operations = [migrations.RunPython(forwards, backwards)]
