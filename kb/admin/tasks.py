"""Task results in the desk: failed background work with its error, and "Run again".

django-tasks-db registers a read-only admin for its results; this replaces it with the same
list plus an action that enqueues a failed task again with the same arguments. Running a
task twice is safe: every task only moves its own rows forward under a lock.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(DBTaskResultAdmin):
    list_display = (
        "task_name",
        "status",
        "enqueued_at",
        "finished_at",
        "run_after",
        "exception_class_path",
    )
    search_fields = ("task_path", "exception_class_path")
    actions = ["run_again"]

    def has_run_again_permission(self, request) -> bool:
        """Staff who may see the task results may run them again (superusers by default;
        grant "Can view task result" to others)."""
        user = request.user
        return user.is_active and user.has_perm("django_tasks_database.view_dbtaskresult")

    @admin.action(description="Run the selected tasks again", permissions=["run_again"])
    def run_again(self, request, queryset) -> None:
        count = 0
        for result in queryset.filter(status="FAILED"):
            result.task.enqueue(*result.args_kwargs["args"], **result.args_kwargs["kwargs"])
            count += 1
        skipped = queryset.count() - count
        self.message_user(request, f"{count} task(s) enqueued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} task(s) skipped: only failed tasks are run again.",
                messages.WARNING,
            )
