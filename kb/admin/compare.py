"""Compare two revisions of a condition side by side, and find what to roll back to.

Served by ``ConditionAdmin`` at ``/admin/kb/condition/<id>/compare/?from=<n>&to=<n>`` (the
numbers are revision numbers within the condition, as editors speak of them). Without
numbers it shows what a reviewer most often needs: the revision in progress against the
live text, or, with nothing in progress, the two latest revisions.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from kb import permissions, workflow
from kb.compare import compare_revisions, load_snapshots, status_label
from kb.models import Condition, Revision, RevisionStatus
from kb.models.revision import OPEN_STATUSES

PERM_VIEW_REVISION = permissions.VIEW_REVISION


def compare_url(*, condition_id: int, old: int, new: int) -> str:
    """The desk address comparing revision numbers ``old`` and ``new`` of a condition."""
    url = reverse("admin:kb_condition_compare", args=[condition_id])
    return f"{url}?from={old}&to={new}"


def compare_target(*, revision: Revision, live_number: int | None) -> tuple[str, str] | None:
    """Where "compare" leads from ``revision``, as ``(url, label)``: against the live one,
    or, for the live one or when nothing is live, against the revision before it. ``None``
    for a first revision with nothing to compare. The older revision is always on the left.
    """
    if live_number is not None and revision.number != live_number:
        old, new = sorted((revision.number, live_number))
        label = "Compare with live"
    elif revision.number > 1:
        old, new = revision.number - 1, revision.number
        label = f"Compare with revision {old}"
    else:
        return None
    return compare_url(condition_id=revision.condition_id, old=old, new=new), label


def compare_link(*, revision: Revision, live_number: int | None, prefix: str = "") -> str:
    """The history list's compare link for ``revision`` (see ``compare_target``)."""
    target = compare_target(revision=revision, live_number=live_number)
    if target is None:
        return ""
    url, label = target
    return format_html('{}<a href="{}">{}</a>', prefix, url, label.lower())


def rollback_sources(*, condition: Condition, user, current: Revision | None) -> list[Revision]:
    """Earlier approved revisions ``user`` may start a new draft from, newest first.

    Empty while a revision is in progress (the workflow allows one at a time) and for
    people who cannot start drafts. The live and the scheduled revision are left out:
    a draft from the live text is the ordinary "Start new draft".
    """
    if current is not None or not user.has_perm(workflow.PERM_START_DRAFT):
        return []
    excluded = {condition.published_revision_id, condition.scheduled_revision_id}
    return [
        revision
        for revision in condition.revisions.filter(status=RevisionStatus.APPROVED)
        .order_by("-number")
        .only("pk", "number", "condition")
        if revision.pk not in excluded
    ]


def default_pair(*, condition: Condition, revisions: list[Revision]) -> tuple[int, int] | None:
    """Revision numbers to compare when none were chosen (``revisions`` newest first).

    The revision in progress against the live one; otherwise the two latest. ``None``
    when the condition has a single revision.
    """
    live = next((r for r in revisions if r.pk == condition.published_revision_id), None)
    current = next((r for r in revisions if r.status in OPEN_STATUSES), None)
    if live is not None and current is not None:
        return live.number, current.number
    if len(revisions) >= 2:
        return revisions[1].number, revisions[0].number
    return None


class ComparePairForm(forms.Form):
    """The two revisions to compare, chosen among the condition's revisions."""

    def __init__(self, *args, revisions: list[Revision], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (r.number, f"Revision {r.number} — {status_label(revision=r)}") for r in revisions
        ]
        self.fields["from"] = forms.TypedChoiceField(
            label="Left column (usually the older text)", choices=choices, coerce=int
        )
        self.fields["to"] = forms.TypedChoiceField(
            label="Right column (usually the newer text)", choices=choices, coerce=int
        )


def _revision_number(value: str | None) -> int | None:
    """A positive revision number from the query string, ``None`` when it is not one."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number < 2**31 else None


def compare_view(request, *, model_admin, condition_id: int):
    """Side-by-side comparison of two revisions of one condition (needs kb.view_revision)."""
    if not request.user.has_perm(PERM_VIEW_REVISION):
        raise PermissionDenied
    condition = get_object_or_404(Condition, pk=condition_id)
    revisions = list(
        condition.revisions.order_by("-number").only(
            "pk", "condition", "number", "status", "name", "summary", "also_known_as",
            "change_note",
        )
    )  # fmt: skip
    by_number = {r.number: r for r in revisions}

    chosen = {key: request.GET.get(key) for key in ("from", "to")}
    if chosen["from"] is None and chosen["to"] is None:
        pair = default_pair(condition=condition, revisions=revisions)
    else:
        numbers = (_revision_number(chosen["from"]), _revision_number(chosen["to"]))
        if None in numbers:
            return HttpResponseBadRequest(
                "Choose two revisions by number, e.g. ?from=1&to=2.", content_type="text/plain"
            )
        if any(number not in by_number for number in numbers):
            raise Http404("This condition has no revision with that number.")
        pair = numbers

    comparison = None
    if pair is not None:
        old, new = by_number[pair[0]], by_number[pair[1]]
        snapshots = load_snapshots(revisions=[old, new])
        comparison = compare_revisions(old=snapshots[old.pk], new=snapshots[new.pk])

    form = ComparePairForm(
        initial={"from": pair[0], "to": pair[1]} if pair else None, revisions=revisions
    )
    name = revisions[0].name if revisions else condition.slug
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"Compare revisions: {name}",
        "condition": condition,
        "condition_url": reverse("admin:kb_condition_change", args=[condition.pk]),
        "form": form,
        "comparison": comparison,
        "old_revision": by_number[pair[0]] if pair else None,
        "new_revision": by_number[pair[1]] if pair else None,
        "view": "inline" if request.GET.get("view") == "inline" else "side",
    }
    return TemplateResponse(request, "admin/kb/compare.html", context)
