"""Reader feedback in the desk: triage, routed to the reviewer who approved the revision."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html

from kb import renditions
from kb.feedback import passage_in_context
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
    fields = ("condition", "revision", "assigned_to", "created_at", "passage_shown", "message",
              "contact", "status", "triage_note")  # fmt: skip
    readonly_fields = ("condition", "revision", "created_at", "passage_shown", "message",
                       "contact")  # fmt: skip
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # readers send feedback from the public site

    @admin.display(description="Revision")
    def revision_number(self, obj):
        return obj.revision.number

    @admin.display(description="Passage reported")
    def passage_shown(self, obj):
        """The quoted words marked in the text of the revision the reader saw, so the
        reviewer reads them in their context (and knows when they are not in it)."""
        if not obj.passage:
            return "—"
        rendered, _history = renditions.read(revision=obj.revision)
        where = passage_in_context(feedback=obj, sections=rendered.sections)
        number = obj.revision.number
        if not where.found:
            return format_html(
                "<p>Quoted by the reader, but not found in the text of revision {}:</p>"
                "<blockquote>{}</blockquote>",
                number,
                where.html,
            )
        return format_html(
            '<p>Section “{}” of revision {}:</p><blockquote class="reported-passage">{}'
            "</blockquote>",
            where.heading,
            number,
            where.html,
        )

    @admin.display(description="Message")
    def excerpt(self, obj):
        return obj.message if len(obj.message) < 80 else obj.message[:77] + "…"
