"""Create the editorial roles as Groups with exactly the permissions each needs.

The mapping is frozen here (a migration must not change meaning when ``accounts.roles``
changes later); later role changes come as new migrations.
"""

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
        "kb.approve_revision",
        "kb.request_changes_revision",
        "kb.change_reference",
    ],
    "Publisher": [
        "kb.view_condition",
        "kb.view_revision",
        "kb.view_section",
        "kb.view_review",
        "kb.view_workflowevent",
        "kb.view_reference",
        "kb.view_citation",
        "kb.change_condition",
        "kb.withdraw_condition",
        "kb.restore_condition",
    ],
}


def create_roles(apps, schema_editor):
    from accounts.roles import sync_roles

    sync_roles(apps, ROLE_PERMISSIONS)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("kb", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
