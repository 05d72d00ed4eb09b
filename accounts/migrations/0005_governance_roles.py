"""Roles gain clinical codes (authors on new conditions, publishers) and publishers manage
partners and their API keys (frozen map, as in 0002)."""

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
        "kb.view_conditioncode",
        "kb.add_condition",
        "kb.add_conditioncode",
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
        "kb.view_conditioncode",
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
        "kb.view_conditioncode",
        "kb.change_condition",
        "kb.add_conditioncode",
        "kb.change_conditioncode",
        "kb.delete_conditioncode",
        "kb.withdraw_condition",
        "kb.restore_condition",
        "kb.change_feedback",
        "accounts.view_partner",
        "accounts.add_partner",
        "accounts.change_partner",
        "accounts.view_partnerapikey",
        "accounts.add_partnerapikey",
        "accounts.change_partnerapikey",
    ],
}


def forwards(apps, schema_editor):
    from accounts.roles import sync_roles

    sync_roles(apps, ROLE_PERMISSIONS)


def backwards(apps, schema_editor):
    import importlib

    from accounts.roles import sync_roles

    previous = importlib.import_module("accounts.migrations.0003_feedback_roles")
    sync_roles(apps, previous.ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_partners"),
        ("kb", "0003_governance_and_partner_api"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
