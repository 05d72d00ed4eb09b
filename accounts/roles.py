"""The editorial roles and exactly the permissions each one needs.

Roles are Groups so that an administrator can see and audit them in admin. The mapping
here is the single source of truth: the data migrations and ``sync_roles`` read it.

- Authors write: they create conditions and draft revisions, edit sections, and submit.
- Medical reviewers judge: they read everything, approve or send back. They hold no
  change permission on revisions, so the four-eyes rule (I3) is structural as well as
  checked in the workflow.
- Both authors and reviewers maintain the reference library; edits reach live pages only
  through a new approved revision. Only reviewers flag or unflag retractions
  (``kb.flag_retraction``), which reach live pages at once, and merge duplicate records
  (``kb.workflow.reference_merge_refusal``: maintaining the library and approving, together).
- Reviewers and publishers triage reader feedback; authors can read it.
- Publishers run the library: they rename and relate conditions, keep their clinical codes,
  withdraw or restore them and manage partner sites and their API keys, but neither write
  clinical text nor approve it. Authors may give a new condition its codes.
"""

from __future__ import annotations

from kb import permissions

AUTHOR = "Author"
MEDICAL_REVIEWER = "Medical reviewer"
PUBLISHER = "Publisher"

_READ = [
    "kb.view_condition",
    "kb.view_revision",
    "kb.view_section",
    "kb.view_review",
    "kb.view_workflowevent",
    "kb.view_reference",
    "kb.view_citation",
    "kb.view_feedback",
    "kb.view_conditioncode",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    AUTHOR: _READ
    + [
        "kb.add_condition",
        "kb.add_conditioncode",
        "kb.add_revision",
        "kb.change_revision",
        "kb.add_section",
        "kb.change_section",
        "kb.delete_section",
        permissions.SUBMIT_REVISION,
        "kb.add_reference",
        "kb.change_reference",
    ],
    MEDICAL_REVIEWER: _READ
    + [
        permissions.APPROVE_REVISION,
        permissions.REQUEST_CHANGES_REVISION,
        "kb.change_reference",
        "kb.flag_retraction",
        "kb.change_feedback",
    ],
    PUBLISHER: _READ
    + [
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


def sync_roles(apps, role_permissions: dict[str, list[str]] | None = None) -> None:
    """Create the role groups and set each one's permissions to exactly the mapping.

    Takes an ``apps`` registry so data migrations can call it with historical models.
    Permissions are created first: on a fresh database Django only creates them after
    all migrations have run (post_migrate), which is too late for a data migration.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in (role_permissions or ROLE_PERMISSIONS).items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
