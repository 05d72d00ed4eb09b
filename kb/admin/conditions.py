"""Conditions in the editorial desk: the library list, new articles, renames, withdrawal."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from kb import workflow
from kb.admin import live_actions
from kb.admin.compare import compare_link, compare_view, rollback_sources
from kb.admin.dashboard import FlaggedFilter, MyWorkFilter, ReviewDueFilter
from kb.admin.forms import CommentForm, ConditionForm, NewConditionForm, WithdrawForm
from kb.exceptions import KBError
from kb.models import (
    Condition,
    ConditionCode,
    Review,
    Revision,
    RevisionStatus,
    WorkflowEvent,
)
from kb.selectors import latest_revision, open_revision
from kb.services import create_condition, rename_condition


class LatestStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live"),
            ("draft", "Draft in progress"),
            ("in_review", "In review"),
            ("changes_requested", "Changes requested"),
            ("never_published", "Never published"),
            ("withdrawn", "Withdrawn"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "live":
            return queryset.filter(published_revision__isnull=False, withdrawn_at__isnull=True)
        if value == "never_published":
            return queryset.filter(published_revision__isnull=True)
        if value == "withdrawn":
            return queryset.filter(withdrawn_at__isnull=False)
        if value in RevisionStatus.values:
            return queryset.filter(revisions__status=value).distinct()
        return queryset


class ConditionCodeInline(admin.TabularInline):
    """Clinical codes partners look the condition up by (``?code=ICD-10|G12.21``)."""

    model = ConditionCode
    fields = ("system", "code", "display")
    extra = 0
    verbose_name_plural = "Clinical codes (ICD-10, ICD-11, SNOMED CT, MeSH)"


class EventInline(admin.TabularInline):
    model = WorkflowEvent
    fields = ("created_at", "action", "revision", "actor", "from_status", "to_status", "comment")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    can_delete = False
    verbose_name_plural = "History"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _review_subquery(field: str):
    return Subquery(Review.objects.latest_for(OuterRef("published_revision")).values(field)[:1])


def _latest_subquery(field: str):
    return Subquery(
        Revision.objects.filter(condition=OuterRef("pk")).order_by("-number").values(field)[:1]
    )


@admin.register(Condition)
class ConditionAdmin(admin.ModelAdmin):
    form = ConditionForm
    list_display = (
        "latest_name",
        "slug",
        "live_revision",
        "latest_status",
        "last_reviewed",
        "next_review_due",
    )
    list_filter = (LatestStatusFilter, ReviewDueFilter, MyWorkFilter, FlaggedFilter)
    search_fields = ("slug", "revisions__name")
    fields = ("slug", "related", "state", "revisions_overview")
    readonly_fields = ("state", "revisions_overview")
    filter_horizontal = ("related",)
    inlines = [ConditionCodeInline, EventInline]
    change_form_template = "admin/kb/condition/change_form.html"

    def view_on_site(self, obj: Condition) -> str | None:
        """The public page while the condition is live; otherwise the staff preview of its
        newest revision (the public address would answer 404 or 410)."""
        if obj.published_revision_id and not obj.is_withdrawn:
            return obj.get_absolute_url()
        revision = latest_revision(condition=obj)
        return reverse("admin:kb_revision_preview", args=[revision.pk]) if revision else None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("published_revision", "scheduled_revision")
            .annotate(
                latest_name_value=_latest_subquery("name"),
                latest_status_value=_latest_subquery("status"),
                live_number=F("published_revision__number"),
                last_reviewed=_review_subquery("reviewed_on"),
                next_review_due=_review_subquery("next_review_due"),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw instead: the history must survive

    @admin.display(description="Name", ordering="latest_name_value")
    def latest_name(self, obj):
        return obj.latest_name_value

    @admin.display(description="Live revision", ordering="live_number")
    def live_revision(self, obj):
        if obj.withdrawn_at:
            return "Withdrawn"
        return obj.live_number or "—"

    @admin.display(description="Latest status")
    def latest_status(self, obj):
        if not obj.latest_status_value:
            return "—"
        if obj.latest_status_value == RevisionStatus.APPROVED and obj.live_number:
            return "Withdrawn" if obj.withdrawn_at else "Live"
        return RevisionStatus(obj.latest_status_value).label

    @admin.display(description="Last reviewed", ordering="last_reviewed")
    def last_reviewed(self, obj):
        return obj.last_reviewed or "—"

    @admin.display(description="Next review due", ordering="next_review_due")
    def next_review_due(self, obj):
        if not obj.next_review_due:
            return "—"
        if obj.next_review_due < timezone.localdate():
            return format_html(
                "<strong>{} (overdue)</strong>", date_format(obj.next_review_due, "j M Y")
            )
        return obj.next_review_due

    @admin.display(description="State")
    def state(self, obj: Condition):
        scheduled = obj.scheduled_revision
        if scheduled is not None and scheduled.is_scheduled and not obj.withdrawn_at:
            base = self._state(obj)
            return format_html(
                "{}; revision {} goes live {}",
                base,
                scheduled.number,
                date_format(timezone.localtime(scheduled.published_at), "j M Y H:i"),
            )
        return self._state(obj)

    def _state(self, obj: Condition):
        if obj.withdrawn_at and obj.merged_into_id:
            return format_html(
                "Merged into {} on {}: {}",
                obj.merged_into.slug,
                obj.withdrawn_at.date(),
                obj.withdrawn_reason,
            )
        if obj.withdrawn_at:
            return format_html("Withdrawn on {}: {}", obj.withdrawn_at.date(), obj.withdrawn_reason)
        if obj.published_revision_id:
            return format_html(
                'Live: revision {} — <a href="{}">view public page</a>',
                obj.published_revision.number,
                obj.get_absolute_url(),
            )
        return "Never published"

    @admin.display(description="Revisions")
    def revisions_overview(self, obj: Condition):
        revisions = list(obj.revisions.order_by("-number"))
        live = next((r.number for r in revisions if r.pk == obj.published_revision_id), None)
        rows = format_html_join(
            "",
            '<li><a href="{}">Revision {}</a>: {} — {}{}{}</li>',
            (
                (
                    reverse("admin:kb_revision_change", args=[r.pk]),
                    r.number,
                    r.name,
                    r.get_status_display(),
                    _marker(obj, r),
                    compare_link(revision=r, live_number=live, prefix=" — "),
                )
                for r in revisions
            ),
        )
        return format_html("<ul>{}</ul>", rows)

    def save_model(self, request, obj, form, change):
        # Only the slug and related conditions are edited here. A full save would write back
        # publication and withdrawal fields read at the start of the request and could undo
        # a concurrent approval or withdrawal; so the slug goes through the service and the
        # related links through save_related, and nothing else is written.
        if change and "slug" in form.changed_data:
            new_slug = obj.slug
            obj.slug = form.initial["slug"]
            rename_condition(condition=obj, new_slug=new_slug, by=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            return self.new_condition_view(request)
        extra_context = extra_context or {}
        condition = self.get_object(request, object_id)
        if condition is not None:
            extra_context.update(self._actions_for(request, condition))
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except KBError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _actions_for(self, request, condition: Condition) -> dict:
        user = request.user
        current = open_revision(condition=condition)
        return {
            "open_revision": current,
            "can_start_draft": not workflow.start_draft_refusal(user=user, condition=condition),
            "can_withdraw": not workflow.withdraw_refusal(user=user, condition=condition),
            "can_restore": not workflow.restore_refusal(user=user, condition=condition),
            "can_reconfirm": not workflow.reconfirm_refusal(user=user, condition=condition),
            "scheduled": condition.scheduled_revision
            if condition.scheduled_revision_id and condition.scheduled_revision.is_scheduled
            else None,
            "rollback_sources": rollback_sources(condition=condition, user=user, current=current),
        }

    # --- new condition: creates the condition and its first draft ------------------------
    def new_condition_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NewConditionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                revision = create_condition(by=request.user, **form.cleaned_data)
            except KBError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    "Condition created with a first draft. Add its sections below.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:kb_revision_change", args=[revision.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Add condition",
            "form": form,
        }
        return TemplateResponse(request, "admin/kb/condition/new.html", context)

    # --- condition-level workflow --------------------------------------------------------
    def get_urls(self):
        own = [
            path(
                "<int:object_id>/new-draft/",
                self.admin_site.admin_view(self.new_draft_view),
                name="kb_condition_new_draft",
            ),
            path(
                "<int:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdrawal_view),
                {"action": "withdraw"},
                name="kb_condition_withdraw",
            ),
            path(
                "<int:object_id>/restore/",
                self.admin_site.admin_view(self.withdrawal_view),
                {"action": "restore"},
                name="kb_condition_restore",
            ),
            path(
                "<int:object_id>/confirm-still-accurate/",
                self.admin_site.admin_view(self.reconfirm_view),
                name="kb_condition_reconfirm",
            ),
            path(
                "<int:object_id>/cancel-go-live/",
                self.admin_site.admin_view(self.cancel_schedule_view),
                name="kb_condition_cancel_schedule",
            ),
            path(
                "<int:object_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="kb_condition_compare",
            ),
        ]
        return own + super().get_urls()

    def reconfirm_view(self, request, object_id: int):
        return live_actions.reconfirm_view(request, model_admin=self, condition_id=object_id)

    def cancel_schedule_view(self, request, object_id: int):
        return live_actions.cancel_schedule_view(request, model_admin=self, condition_id=object_id)

    def compare_view(self, request, object_id: int):
        return compare_view(request, model_admin=self, condition_id=object_id)

    def new_draft_view(self, request, object_id: int):
        condition = get_object_or_404(Condition, pk=object_id)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:kb_condition_change", args=[object_id]))
        try:
            draft = workflow.start_new_draft(condition=condition, by=request.user)
        except KBError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:kb_condition_change", args=[object_id]))
        self.message_user(
            request, f"Revision {draft.number} started from the live text.", messages.SUCCESS
        )
        return HttpResponseRedirect(reverse("admin:kb_revision_change", args=[draft.pk]))

    def withdrawal_view(self, request, object_id: int, action: str):
        condition = get_object_or_404(Condition, pk=object_id)
        change_url = reverse("admin:kb_condition_change", args=[object_id])
        if action == "withdraw":
            form = WithdrawForm(request.POST or None, condition=condition, user=request.user)
        else:
            form = CommentForm(request.POST or None, comment_label="Note")
        if request.method == "POST" and form.is_valid():
            try:
                self._withdrawal(request, condition, action, form.cleaned_data)
            except KBError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{condition.slug}: {action} done.", messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{action.capitalize()} {condition.slug}",
            "condition": condition,
            "action": action,
            "form": form,
            "change_url": change_url,
            "refusal": (
                workflow.withdraw_refusal if action == "withdraw" else workflow.restore_refusal
            )(user=request.user, condition=condition),
        }
        return TemplateResponse(request, "admin/kb/condition/withdrawal.html", context)

    @staticmethod
    def _withdrawal(request, condition: Condition, action: str, data: dict) -> None:
        if action == "restore":
            workflow.restore(condition=condition, by=request.user, comment=data["comment"])
        elif data.get("successor") is not None:
            workflow.merge(
                condition=condition,
                into=data["successor"],
                by=request.user,
                reason=data["comment"],
                public_reason=data["public_reason"],
            )
        else:
            workflow.withdraw(
                condition=condition,
                by=request.user,
                reason=data["comment"],
                public_reason=data["public_reason"],
            )


def _marker(condition: Condition, revision: Revision) -> str:
    """What a revision is to readers, for the history list."""
    if revision.pk == condition.scheduled_revision_id:
        when = date_format(timezone.localtime(revision.published_at), "j M Y H:i")
        return f" (live since {when})" if revision.is_live else f" (scheduled: goes live {when})"
    if revision.pk == condition.published_revision_id:
        if condition.withdrawn_at:
            return " (published, withdrawn)"
        return " (live)" if revision.is_live else " (live until the scheduled revision)"
    return ""
