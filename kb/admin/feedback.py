"""Reader feedback in the desk: triage, routed to the reviewer who approved the revision."""

from __future__ import annotations

from django.contrib import admin

from kb.models import Feedback


class MineFilter(admin.SimpleListFilter):
    title = "assigned"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("mine", "My feedback"), ("nobody", "Not assigned")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "condition",
        "revision_number",
        "status",
        "assigned_to",
        "excerpt",
    )
    list_filter = ("status", MineFilter, "condition")
    list_select_related = ("condition", "revision", "assigned_to")
    search_fields = ("message", "condition__slug")
    fields = ("condition", "revision", "assigned_to", "created_at", "message", "contact",
              "status", "triage_note")  # fmt: skip
    readonly_fields = ("condition", "revision", "created_at", "message", "contact")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # readers send feedback from the public site

    @admin.display(description="Revision")
    def revision_number(self, obj):
        return obj.revision.number

    @admin.display(description="Message")
    def excerpt(self, obj):
        return obj.message if len(obj.message) < 80 else obj.message[:77] + "…"
