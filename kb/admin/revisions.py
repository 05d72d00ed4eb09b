"""Revisions in the editorial desk: edit drafts, preview, and move them through review."""

from __future__ import annotations

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from kb import workflow
from kb.admin.comments import comment_urls, section_comment_links
from kb.admin.compare import compare_target, compare_url
from kb.admin.forms import ApproveForm, CommentForm, MarkdownField, RevisionForm
from kb.admin.live_preview import live_preview_view
from kb.admin.sections import SectionFormBase, SectionFormSet
from kb.admin.writing import readability_html
from kb.citations import unresolved_citations
from kb.exceptions import KBError
from kb.models import Citation, Reference, Revision, RevisionStatus, Section
from kb.models.review import ATTESTATION
from kb.rendering import unsupported_markdown
from kb.review_checks import approval_checks
from kb.selectors import open_revision
from kb.services import record_edit


class SectionForm(SectionFormBase):
    """A section, with a reference picker that appends the chosen citations to the body."""

    cite = forms.ModelMultipleChoiceField(
        queryset=Reference.objects.all(),
        required=False,
        label="Cite references",
        widget=AutocompleteSelectMultiple(Citation._meta.get_field("reference"), admin.site),
        help_text="Search the library by key, author, title, DOI or PMID; on saving, the "
        "picked references are cited at the end of this section as [@key]. Move the marker "
        "to the sentence it supports.",
    )

    class Meta:
        model = Section
        fields = ("position", "kind", "heading", "body")
        field_classes = {"body": MarkdownField}

    def clean(self):
        cleaned = super().clean()
        picked = cleaned.get("cite") or []
        if picked:
            marker = "[" + "; ".join(f"@{ref.key}" for ref in picked) + "]"
            cleaned["body"] = (cleaned.get("body") or "").rstrip() + " " + marker
            self.instance.body = cleaned["body"]
        return cleaned


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionForm
    formset = SectionFormSet  # order and new sections: kb/admin/sections.py
    fields = ("open_comments", "position", "kind", "heading", "body", "cite",
              "readability_report")  # fmt: skip
    readonly_fields = ("open_comments", "readability_report")
    extra = 1  # a blank section at the end, so a section can be added without JavaScript
    ordering = ("position", "id")

    class Media:
        js = ("kb/desk-sections.js",)
        css = {"all": ("kb/desk.css", "kb/desk-sections.css")}

    @admin.display(description="Open comments")
    def open_comments(self, obj: Section | None):
        """The unresolved threads about this section, beside it, linking to each thread."""
        return section_comment_links(obj)

    @admin.display(description="Readability")
    def readability_report(self, obj):
        return readability_html(section=obj)

    def _editable(self, request, obj) -> bool:
        return obj is None or obj.is_editable

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)


class ReviewerFilter(admin.SimpleListFilter):
    title = "approved by"
    parameter_name = "reviewer"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(groups__name="Medical reviewer").distinct()
        return [("mine", "Me")] + [(str(u.pk), u.byline_name) for u in users]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(approved_by=request.user)
        if self.value():
            return queryset.filter(approved_by_id=self.value())
        return queryset


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    form = RevisionForm
    inlines = [SectionInline]
    list_display = ("name", "condition", "number", "status", "created_by", "updated_at")
    list_filter = ("status", ReviewerFilter)
    list_select_related = ("condition", "created_by")
    search_fields = ("name", "condition__slug", "summary")
    ordering = ("-updated_at",)
    change_form_template = "admin/kb/revision/change_form.html"
    readonly_fields = (
        "condition_link",
        "number",
        "status",
        "based_on",
        "created_by",
        "editors",
        "approval",
        "citation_check",
    )
    fieldsets = (
        (None, {"fields": ("condition_link", "number", "status")}),
        (
            "Article",
            {
                "fields": (
                    "name",
                    "also_known_as",
                    "summary",
                    "change_note",
                    "change_class",
                )  # opened_version: a hidden input the template writes, outside the rows
            },
        ),
        (
            "Provenance",
            {"fields": ("based_on", "created_by", "editors", "approval", "citation_check")},
        ),
    )

    # --- permissions: only drafts and sent-back revisions are editable (I2) --------------
    def has_add_permission(self, request):
        return False  # new revisions come from "Add condition" or "Start new draft"

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            swap = {"also_known_as": "other_names"}
            return [
                (
                    name,
                    {
                        **opts,
                        "fields": [swap.get(f, f) for f in opts["fields"]],
                    },
                )
                for name, opts in fieldsets
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "other_names")

    @admin.display(description="Also known as")
    def other_names(self, obj: Revision):
        return ", ".join(obj.also_known_as) or "—"

    def view_on_site(self, obj: Revision) -> str:
        """The public page if this revision is what readers see now, else its preview."""
        if obj.is_live:
            return obj.condition.get_absolute_url()
        return reverse("admin:kb_revision_preview", args=[obj.pk])

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(section_count=Count("sections"))

    # --- read-only displays -----------------------------------------------------------
    @admin.display(description="Condition")
    def condition_link(self, obj: Revision):
        url = reverse("admin:kb_condition_change", args=[obj.condition_id])
        return format_html('<a href="{}">{}</a>', url, obj.condition.slug)

    @admin.display(description="Edited by")
    def editors(self, obj: Revision):
        return ", ".join(u.byline_name for u in obj.edited_by.all()) or "—"

    @admin.display(description="Approval")
    def approval(self, obj: Revision):
        if not obj.is_approved:
            return "Not approved"
        review = obj.reviews.order_by("reviewed_on", "created_at").first()
        return format_html(
            "Approved by {} on {}; next review due {}",
            obj.approved_by.byline_name,
            review.reviewed_on if review else obj.approved_at.date(),
            review.next_review_due if review else "—",
        )

    @admin.display(description="Citations")
    def citation_check(self, obj: Revision):
        """What the editor must know about the citations: unresolved keys (I7), retractions."""
        problems = unresolved_citations(revision=obj)
        retracted = obj.citations.filter(reference__retracted=True).select_related("reference")
        count = obj.citations.count()
        parts = [format_html("<p>{} reference(s) cited.</p>", count)]
        if problems:
            parts.append(format_html(
                "<p><strong>Not in the reference library (approval is blocked):</strong></p>"
                "<ul>{}</ul>",
                format_html_join(
                    "",
                    "<li>[@{}] in “{}”{}</li>",
                    (
                        (
                            p.key,
                            p.section_heading,
                            f" (merged into [@{p.merged_into}]: cite that instead)"
                            if p.merged_into
                            else "",
                        )
                        for p in problems
                    ),
                ),
            ))  # fmt: skip
        if retracted:
            parts.append(format_html(
                "<p><strong>Cites retracted publications:</strong></p><ul>{}</ul>",
                format_html_join("", "<li>[@{}] {}</li>",
                                 ((c.reference.key, c.reference.title) for c in retracted)),
            ))  # fmt: skip
        return format_html_join("", "{}", ((p,) for p in parts))  # a list is no <p>'s child

    # --- saving: optimistic locking and editor tracking -------------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id:
            revision = self.get_object(request, object_id)
            if revision is not None:
                extra_context["transitions"] = [
                    t for name, t in workflow.TRANSITIONS.items()
                    if workflow.can(request.user, name, revision)
                ]  # fmt: skip
                extra_context["revision"] = revision
                extra_context.update(self._compare_and_rollback(request, revision))
                extra_context.update(self._writing_context(request, revision))
                if (
                    revision.status == RevisionStatus.IN_REVIEW
                    and request.user.has_perm(workflow.PERM_APPROVE)
                    and not workflow.can(request.user, "approve", revision)
                ):
                    extra_context["four_eyes_note"] = True
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except KBError as exc:
            # Raised inside the admin's transaction, so everything was rolled back.
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record_edit(revision=form.instance, by=request.user)
        self._warn_unsupported_markdown(request, revision=form.instance)
        request._kb_citation_problems = self._citation_warnings(revision=form.instance)

    def _warn_unsupported_markdown(self, request, *, revision: Revision) -> None:
        """Say what the public page will not show as written; the save still stands.

        An image or raw HTML is not an error to refuse (the text is safe either way), but
        an author who does not see it vanish or turn into text should be told at once.
        """
        problems = [
            (section.heading, problem.line, problem.problem)
            for section in revision.sections.order_by("position", "id")
            for problem in unsupported_markdown(body=section.body)
        ]
        if problems:
            self.message_user(
                request,
                format_html(
                    "Some Markdown will not show as written on the public page:<ul>{}</ul>",
                    format_html_join("", "<li>“{}”, line {}: {}</li>", problems),
                ),
                messages.WARNING,
            )

    # --- workflow and preview URLs ----------------------------------------------------
    def get_urls(self):
        urls = super().get_urls()
        own = [
            *self._writing_urls(),
            path(
                "<int:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="kb_revision_transition",
            ),
            path(
                "<int:object_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="kb_revision_preview",
            ),
            path(
                "<int:object_id>/live-preview/",
                live_preview_view,
                name="kb_revision_live_preview",
            ),
            path(
                "<int:object_id>/start-draft/",
                self.admin_site.admin_view(self.start_draft_view),
                name="kb_revision_start_draft",
            ),
            *comment_urls(self),
        ]
        return own + urls

    # --- compare and roll back --------------------------------------------------------
    def _compare_and_rollback(self, request, revision: Revision) -> dict:
        condition = revision.condition
        live_number = (
            Revision.objects.filter(pk=condition.published_revision_id)
            .values_list("number", flat=True)
            .first()
        )
        target = compare_target(revision=revision, live_number=live_number)
        earlier = revision.is_approved and revision.pk not in (
            condition.published_revision_id,
            condition.scheduled_revision_id,
        )
        return {
            "compare_url": target[0] if target else "",
            "compare_label": target[1] if target else "",
            "can_start_draft_from": earlier and request.user.has_perm(workflow.PERM_START_DRAFT),
        }

    def start_draft_view(self, request, object_id: int):
        """Roll back: start a new draft from an earlier approved revision (confirm, then POST).

        The draft records ``based_on`` and goes through review like any other; the live text
        does not change until it is approved. The workflow refuses while another revision
        is in progress, and its message is shown as it is.
        """
        revision = get_object_or_404(Revision.objects.select_related("condition"), pk=object_id)
        if not request.user.has_perm(workflow.PERM_START_DRAFT):
            raise PermissionDenied
        condition = revision.condition
        change_url = reverse("admin:kb_revision_change", args=[revision.pk])
        if request.method == "POST":
            try:
                draft = workflow.start_new_draft(
                    condition=condition, by=request.user, from_revision=revision
                )
            except KBError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return HttpResponseRedirect(change_url)
            self.message_user(
                request,
                f"Revision {draft.number} started from revision {revision.number}. It goes "
                "through review like any draft; the live article is unchanged until then.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:kb_revision_change", args=[draft.pk]))
        live = condition.published_revision
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Start a new draft from revision {revision.number}",
            "revision": revision,
            "current": open_revision(condition=condition),
            "live": live,
            "compare_url": compare_url(
                condition_id=condition.pk, old=live.number, new=revision.number
            )
            if live is not None and live.pk != revision.pk
            else "",
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/kb/revision/start_draft.html", context)

    def preview_view(self, request, object_id: int):
        from kb.views.articles import preview

        return preview(request, revision_id=object_id)

    def transition_view(self, request, object_id: int, name: str):
        revision = get_object_or_404(Revision.objects.select_related("condition"), pk=object_id)
        if not self.has_view_permission(request, revision):
            raise PermissionDenied
        transition = workflow.TRANSITIONS.get(name)
        if transition is None:
            raise PermissionDenied
        change_url = reverse("admin:kb_revision_change", args=[revision.pk])

        if name == "approve":
            form_class, kwargs = ApproveForm, {}
            initial = {
                **ApproveForm.defaults(),
                "opened_version": revision.lock_version,
                "change_class": revision.change_class,
            }
        else:
            form_class = CommentForm
            kwargs = {
                "comment_required": transition.needs_comment,
                "comment_label": "What needs to change" if transition.needs_comment else "Note",
            }
            initial = {}

        if request.method == "POST":
            form = form_class(request.POST, **kwargs)
            if form.is_valid():
                try:
                    self._apply(request, name, revision, form.cleaned_data)
                except KBError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                else:
                    self.message_user(request, f"{transition.label}: done.", messages.SUCCESS)
                    return HttpResponseRedirect(change_url)
        else:
            form = form_class(initial=initial, **kwargs)

        checks = approval_checks(revision=revision) if name == "approve" else None
        problems = checks.problems if checks else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{transition.label}: {revision}",
            "revision": revision,
            "transition": transition,
            "form": form,
            "problems": problems,
            "checks": checks,
            "allowed": workflow.can(request.user, name, revision),
            "refusal": workflow.why_not(request.user, name, revision),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/kb/revision/transition.html", context)

    def _apply(self, request, name: str, revision: Revision, data: dict) -> None:
        if name == "submit":
            workflow.submit(revision=revision, by=request.user, comment=data.get("comment", ""))
        elif name == "approve":
            workflow.approve(
                revision=revision,
                by=request.user,
                reviewed_on=data["reviewed_on"],
                next_review_due=data["next_review_due"],
                note=data.get("note", ""),
                expected_version=data["opened_version"],
                go_live_at=data.get("go_live_at"),
                attestation=ATTESTATION,  # the form refuses without the box ticked
                change_class=data["change_class"],
                retraction_acknowledgement=data.get("retraction_acknowledgement", ""),
            )
        elif name == "request_changes":
            workflow.request_changes(revision=revision, by=request.user, comment=data["comment"])
        elif name == "take_back":
            workflow.take_back(revision=revision, by=request.user, comment=data.get("comment", ""))

    # --- writing: citations at the cursor, autosave (issue 15, items 4 and 5) ------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user  # named if someone else's save is refused as stale
        super().save_model(request, obj, form, change)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        """A save that leaves citation problems says so in a warning, not in green."""
        problems = getattr(request, "_kb_citation_problems", None)
        if problems and level == messages.SUCCESS:
            request._kb_citation_problems = None
            message = format_html(
                "Saved, but check the citations: {}",
                format_html_join(" ", "{}", ((p,) for p in problems)),
            )
            level = messages.WARNING
        super().message_user(request, message, level, *args, **kwargs)

    @staticmethod
    def _citation_warnings(*, revision: Revision) -> list[str]:
        """Markers naming no reference (submission waits for them) and retracted sources."""
        problems = workflow.citation_problems(revision=revision)
        if problems:
            problems.append("Submitting for review waits until every marker names a reference.")
        retracted = revision.citations.filter(reference__retracted=True).select_related("reference")
        problems += [
            f"[@{c.reference.key}] is a retracted publication: cite another source."
            for c in retracted
        ]
        return problems

    def _writing_context(self, request, revision: Revision) -> dict:
        context: dict = {}
        if request.user.has_perm(workflow.PERM_SUBMIT) and revision.is_editable:
            context["submit_problems"] = workflow.citation_problems(revision=revision)
        if self.has_change_permission(request, revision):
            context["desk_writing"] = {
                "search": reverse("admin:kb_revision_cite_search"),
                "check": reverse("admin:kb_revision_cite_check"),
                "lookup": reverse("admin:kb_revision_cite_lookup")
                if request.user.has_perm("kb.add_reference")
                else "",
                "autosave": reverse("admin:kb_revision_autosave", args=[revision.pk]),
                "autosaveDelay": getattr(settings, "DESK_AUTOSAVE_DELAY_MS", 3000),
            }
        return context

    def _writing_urls(self) -> list:
        from kb.admin import citation_picker
        from kb.admin.autosave import autosave_view

        return [
            path(
                "cite/search/",
                self.admin_site.admin_view(citation_picker.search_view),
                name="kb_revision_cite_search",
            ),
            path(
                "cite/check/",
                self.admin_site.admin_view(citation_picker.check_view),
                name="kb_revision_cite_check",
            ),
            path(
                "cite/lookup/",
                self.admin_site.admin_view(citation_picker.lookup_view),
                name="kb_revision_cite_lookup",
            ),
            path(
                "<int:object_id>/autosave/",
                self.admin_site.admin_view(partial(autosave_view, model_admin=self)),
                name="kb_revision_autosave",
            ),
        ]

    # --- history in words ---------------------------------------------------------------
    object_history_template = "admin/kb/revision/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """The revision's history as sentences ("Submitted for review by …"), not Django's
        log of changed form fields."""
        from kb.history import full_history

        revision = self.get_object(request, object_id)
        extra = {"history": full_history(revision=revision) if revision else []}
        return super().history_view(request, object_id, {**(extra_context or {}), **extra})
