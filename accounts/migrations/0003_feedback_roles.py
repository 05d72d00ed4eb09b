"""Give the roles their reader-feedback permissions (frozen map, as in 0002)."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "Author": [
        "kb.view_condition",
        "kb.view_revision",
        "kb.view_section",
        "kb.view_review",
        "kb.view_workflowevent",
        "kb.view_reference",
        "kb.view_citation",
        "kb.view_feedback",
        "kb.add_condition",
        "kb.add_revision",
        "kb.change_revision",
        "kb.add_section",
        "kb.change_section",
        "kb.delete_section",
        "kb.submit_revision",
        "kb.add_reference",
        "kb.change_reference",
    ],
    "Medical reviewer": [
        "kb.view_condition",
        "kb.view_revision",
        "kb.view_section",
        "kb.view_review",
        "kb.view_workflowevent",
        "kb.view_reference",
        "kb.view_citation",
        "kb.view_feedback",
        "kb.approve_revision",
        "kb.request_changes_revision",
        "kb.change_reference",
        "kb.change_feedback",
    ],
    "Publisher": [
        "kb.view_condition",
        "kb.view_revision",
        "kb.view_section",
        "kb.view_review",
        "kb.view_workflowevent",
        "kb.view_reference",
        "kb.view_citation",
        "kb.view_feedback",
        "kb.change_condition",
        "kb.withdraw_condition",
        "kb.restore_condition",
        "kb.change_feedback",
    ],
}


def forwards(apps, schema_editor):
    from accounts.roles import sync_roles

    sync_roles(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    import importlib

    from accounts.roles import sync_roles

    previous = importlib.import_module("accounts.migrations.0002_roles")
    sync_roles(apps, previous.ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("kb", "0002_feedback"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
