"""The workflow log and reviews: read-only in the desk (I4, I8)."""

from __future__ import annotations

from django.contrib import admin

from kb.models import Review, WorkflowEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "condition", "revision", "action", "actor", "comment")
    list_filter = ("action", "actor")
    list_select_related = ("condition", "revision", "actor")
    search_fields = ("condition__slug", "comment")
    date_hierarchy = "created_at"


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("revision", "reviewer", "kind", "reviewed_on", "next_review_due")
    list_filter = ("kind", "reviewer")
    list_select_related = ("revision", "reviewer")
    date_hierarchy = "reviewed_on"
