"""Medical reviewers flag and unflag retractions (``kb.flag_retraction``); frozen map, as in
0002. Authors keep editing library records, which no longer reach live pages unreviewed."""

import importlib

from django.db import migrations

previous = importlib.import_module("accounts.migrations.0005_governance_roles")

ROLE_PERMISSIONS = {
    **previous.ROLE_PERMISSIONS,
    "Medical reviewer": [
        *previous.ROLE_PERMISSIONS["Medical reviewer"],
        "kb.flag_retraction",
    ],
}


def forwards(apps, schema_editor):
    from accounts.roles import sync_roles

    sync_roles(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    from accounts.roles import sync_roles

    sync_roles(apps, previous.ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_governance_roles"),
        ("kb", "0009_citation_snapshot"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
