"""The names of the permissions the editorial workflow checks: each written here once.

Roles grant them (``accounts.roles``), the workflow checks them (``kb.workflow``), and the
desk, dashboard and notifications import them from here, so renaming one cannot leave a
stale copy that quietly grants or hides something. Nothing is imported: the role
migrations can read this module before the app registry is ready.
"""

from __future__ import annotations

SUBMIT_REVISION = "kb.submit_revision"
APPROVE_REVISION = "kb.approve_revision"
REQUEST_CHANGES_REVISION = "kb.request_changes_revision"
ADD_REVISION = "kb.add_revision"
VIEW_REVISION = "kb.view_revision"
WITHDRAW_CONDITION = "kb.withdraw_condition"
RESTORE_CONDITION = "kb.restore_condition"
FLAG_RETRACTION = "kb.flag_retraction"
CHANGE_REFERENCE = "kb.change_reference"
