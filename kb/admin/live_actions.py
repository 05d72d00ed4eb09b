"""Desk actions on a condition's live or scheduled text: confirm still accurate, cancel go-live.

Views are thin: they show a confirmation form and call ``kb.workflow.reconfirm`` or
``kb.workflow.cancel_schedule``, which check permissions and the four-eyes rule.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from kb import workflow
from kb.admin.forms import CommentForm, ReconfirmForm
from kb.exceptions import KBError
from kb.models import Condition
from kb.models.review import ATTESTATION
from kb.review_checks import live_references


def reconfirm_view(request: HttpRequest, *, model_admin: ModelAdmin, condition_id: int):
    """ "Confirm still accurate": a new dated review of the live revision, no new revision."""
    condition = get_object_or_404(
        Condition.objects.select_related("published_revision", "scheduled_revision"),
        pk=condition_id,
    )
    change_url = reverse("admin:kb_condition_change", args=[condition.pk])
    form = ReconfirmForm(request.POST or None, initial=ReconfirmForm.defaults())
    if request.method == "POST" and form.is_valid():
        try:
            workflow.reconfirm(
                condition=condition,
                by=request.user,
                next_review_due=form.cleaned_data["next_review_due"],
                note=form.cleaned_data["note"],
                attestation=ATTESTATION,  # the form refuses without the box ticked
            )
        except KBError as exc:
            model_admin.message_user(request, str(exc), messages.ERROR)
        else:
            model_admin.message_user(
                request,
                f"Confirmed still accurate. Next review due "
                f"{form.cleaned_data['next_review_due']:%d %B %Y}.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
    return _render(
        request,
        model_admin=model_admin,
        condition=condition,
        form=form,
        change_url=change_url,
        title=f"Confirm still accurate: {condition.slug}",
        action="reconfirm",
        refusal=reconfirm_refusal(user=request.user, condition=condition),
        extra=_what_is_confirmed(condition),
    )


def _what_is_confirmed(condition: Condition) -> dict:
    """The live text being confirmed: where to read it, and its references as readers see
    them (with any retraction flag), so the reviewer confirms what they looked at."""
    live = workflow.live_revision_of(condition)
    if live is None:
        return {}
    return {
        "live": live,
        "live_url": reverse("admin:kb_revision_preview", args=[live.pk]),
        "live_sections": list(live.sections.order_by("position", "id")),
        "live_references": live_references(revision=live),
    }


def cancel_schedule_view(request: HttpRequest, *, model_admin: ModelAdmin, condition_id: int):
    """Stop a scheduled revision from going live (it stays approved, as history)."""
    condition = get_object_or_404(
        Condition.objects.select_related("published_revision", "scheduled_revision"),
        pk=condition_id,
    )
    change_url = reverse("admin:kb_condition_change", args=[condition.pk])
    form = CommentForm(request.POST or None, comment_label="Why the go-live is cancelled")
    if request.method == "POST" and form.is_valid():
        try:
            workflow.cancel_schedule(
                condition=condition, by=request.user, comment=form.cleaned_data["comment"]
            )
        except KBError as exc:
            model_admin.message_user(request, str(exc), messages.ERROR)
        else:
            model_admin.message_user(request, "Scheduled go-live cancelled.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
    return _render(
        request,
        model_admin=model_admin,
        condition=condition,
        form=form,
        change_url=change_url,
        title=f"Cancel scheduled go-live: {condition.slug}",
        action="cancel_schedule",
        refusal=str(workflow.cancel_schedule_refusal(user=request.user, condition=condition)),
    )


def reconfirm_refusal(*, user, condition: Condition) -> str:
    """Why ``user`` may not confirm this condition's live text: the workflow's one rule."""
    return str(workflow.reconfirm_refusal(user=user, condition=condition))


def _render(
    request, *, model_admin, condition, form, change_url, title, action, refusal, extra=None
):
    context = {
        **(extra or {}),
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": title,
        "condition": condition,
        "form": form,
        "change_url": change_url,
        "action": action,
        "refusal": refusal,
    }
    return TemplateResponse(request, "admin/kb/condition/live_action.html", context)


__all__ = ["cancel_schedule_view", "reconfirm_refusal", "reconfirm_view"]
