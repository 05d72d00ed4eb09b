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


def reconfirm_view(request: HttpRequest, *, model_admin: ModelAdmin, condition_id: int):
    """ "Confirm still accurate": a new dated review of the live revision, no new revision."""
    condition = get_object_or_404(
        Condition.objects.select_related("published_revision"), pk=condition_id
    )
    change_url = reverse("admin:kb_condition_change", args=[condition.pk])
    form = ReconfirmForm(request.POST or None, initial=ReconfirmForm.defaults())
    if request.method == "POST" and form.is_valid():
        try:
            workflow.reconfirm(condition=condition, by=request.user, **form.cleaned_data)
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
    )


def cancel_schedule_view(request: HttpRequest, *, model_admin: ModelAdmin, condition_id: int):
    """Stop a scheduled revision from going live (it stays approved, as history)."""
    condition = get_object_or_404(
        Condition.objects.select_related("scheduled_revision"), pk=condition_id
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
    user = request.user
    allowed = user.has_perm(workflow.PERM_APPROVE) or user.has_perm(workflow.PERM_WITHDRAW)
    return _render(
        request,
        model_admin=model_admin,
        condition=condition,
        form=form,
        change_url=change_url,
        title=f"Cancel scheduled go-live: {condition.slug}",
        action="cancel_schedule",
        refusal="" if allowed else "Only medical reviewers and publishers can cancel a go-live.",
    )


def reconfirm_refusal(*, user, condition: Condition) -> str:
    """Why ``user`` may not confirm this condition's live text ('' when they may)."""
    if not user.has_perm(workflow.PERM_RECONFIRM):
        return "Only medical reviewers can confirm that an article is still accurate."
    live = condition.published_revision
    if live is None or condition.is_withdrawn:
        return "Only a live article can be confirmed as still accurate."
    if live.created_by_id == user.pk or live.edited_by.filter(pk=user.pk).exists():
        return "You wrote or edited this text, so another medical reviewer must confirm it."
    return ""


def _render(request, *, model_admin, condition, form, change_url, title, action, refusal):
    context = {
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
