"""The append-only workflow log (I4): who moved what, when, from which state to which."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from kb.models.immutability import AppendOnlyModel


class WorkflowAction(models.TextChoices):
    CREATE = "create", "Created"
    SUBMIT = "submit", "Submitted for review"
    APPROVE = "approve", "Approved and published"
    REQUEST_CHANGES = "request_changes", "Changes requested"
    START_DRAFT = "start_draft", "New draft started"
    WITHDRAW = "withdraw", "Withdrawn"
    RESTORE = "restore", "Restored"
    MERGE = "merge", "Merged into another article"
    RECONFIRM = "reconfirm", "Confirmed still accurate"
    SCHEDULE = "schedule", "Approved, scheduled to go live"
    GO_LIVE = "go_live", "Went live as scheduled"
    CANCEL_SCHEDULE = "cancel_schedule", "Scheduled go-live cancelled"
    TAKE_BACK = "take_back", "Submission taken back"


class WorkflowEvent(AppendOnlyModel):
    condition = models.ForeignKey("kb.Condition", on_delete=models.PROTECT, related_name="events")
    revision = models.ForeignKey(
        "kb.Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workflow_events"
    )
    action = models.CharField(max_length=20, choices=WorkflowAction.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "workflow event"

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"
