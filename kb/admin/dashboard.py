"""The review dashboard in the editorial desk, and the changelist filters behind its counts.

The dashboard lives at ``/admin/kb/dashboard/`` (URL name ``admin:kb_dashboard``) and a
compact panel of its counts sits on the admin index. The desk's site (``kb.admin_site``)
serves both: the dashboard is not a model, so no ``ModelAdmin`` can own its URL. Every page
goes through ``admin_view``, so the usual staff login applies; the dashboard itself also
needs ``kb.view_condition``.

Each count links to the condition changelist filtered by one of the filters defined here,
which read through the same querysets as the dashboard (``kb.dashboard``), so a count and
the list behind it always agree.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format

from kb import dashboard as selectors

PERM_VIEW = "kb.view_condition"


# --- changelist filters ---------------------------------------------------------------------


class ReviewDueFilter(admin.SimpleListFilter):
    """Overdue, or due within N days (cumulative windows: today ≤ due ≤ today + N)."""

    title = "review due"
    parameter_name = "due"
    OVERDUE = "overdue"
    WINDOWS = (*selectors.DUE_WINDOWS, 365)

    def lookups(self, request, model_admin):
        return [
            (self.OVERDUE, "Overdue"),
            *[
                (str(days), "Due within a year" if days == 365 else f"Due within {days} days")
                for days in self.WINDOWS
            ],
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.OVERDUE:
            revisions = selectors.live_revisions_overdue()
        elif value in {str(days) for days in self.WINDOWS}:
            revisions = selectors.live_revisions_due_within(days=int(value))
        else:
            return queryset
        return queryset.filter(published_revision__in=revisions.values("pk"))


class MyWorkFilter(admin.SimpleListFilter):
    """Conditions whose open revision waits on the person looking at the list."""

    title = "my work"
    parameter_name = "queue"
    AWAITING_REVIEW = "awaiting_review"
    SENT_BACK = "sent_back"

    def lookups(self, request, model_admin):
        can_approve = request.user.has_perm(selectors.PERM_APPROVE)
        return [
            (self.AWAITING_REVIEW, "Awaiting my review" if can_approve else "In review"),
            (self.SENT_BACK, "Sent back to me"),
        ]

    def queryset(self, request, queryset):
        if self.value() == self.AWAITING_REVIEW:
            revisions = selectors.revisions_awaiting_review(user=request.user)
        elif self.value() == self.SENT_BACK:
            revisions = selectors.revisions_sent_back(user=request.user)
        else:
            return queryset
        return queryset.filter(pk__in=revisions.values("condition_id"))


class FlaggedFilter(admin.SimpleListFilter):
    """Live text citing a retracted reference, or open reader feedback."""

    title = "flagged for review"
    parameter_name = "flagged"
    REASONS = {
        "retracted": "Cites a retracted reference",
        "feedback": "Open reader feedback",
        "any": "Either",
    }

    def lookups(self, request, model_admin):
        return list(self.REASONS.items())

    def queryset(self, request, queryset):
        if self.value() not in self.REASONS:
            return queryset
        return queryset.filter(
            pk__in=selectors.conditions_flagged(reason=self.value()).values("pk")
        )


def changelist_links() -> dict[str, str]:
    """The filtered condition lists each dashboard count links to."""
    base = reverse("admin:kb_condition_changelist")

    def link(filter_class, value) -> str:
        return f"{base}?{urlencode({filter_class.parameter_name: value})}"

    return {
        "overdue": link(ReviewDueFilter, ReviewDueFilter.OVERDUE),
        **{f"due_{days}": link(ReviewDueFilter, days) for days in selectors.DUE_WINDOWS},
        "awaiting_review": link(MyWorkFilter, MyWorkFilter.AWAITING_REVIEW),
        "sent_back": link(MyWorkFilter, MyWorkFilter.SENT_BACK),
        **{f"flagged_{reason}": link(FlaggedFilter, reason) for reason in FlaggedFilter.REASONS},
    }


# --- the chart ------------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_TOP = 24  # room for the count above the tallest bar
CHART_PLOT_HEIGHT = 140
CHART_HEIGHT = CHART_TOP + CHART_PLOT_HEIGHT + 40  # month and year labels below
CHART_MARGIN = 8
CHART_BAR_WIDTH = 32


def due_chart(months: list[selectors.MonthDue]) -> dict:
    """Bar geometry for the "falling due per month" chart, drawn as inline SVG.

    Server-side geometry keeps the page free of scripts and third-party chart libraries;
    the template only places the shapes.
    """
    slot = (CHART_WIDTH - 2 * CHART_MARGIN) / max(len(months), 1)
    tallest = max((m.count for m in months), default=0) or 1
    baseline = CHART_TOP + CHART_PLOT_HEIGHT
    bars = []
    for index, month in enumerate(months):
        height = round(month.count / tallest * CHART_PLOT_HEIGHT, 1)
        centre = round(CHART_MARGIN + slot * index + slot / 2, 1)
        bars.append(
            {
                "month": month.month,
                "count": month.count,
                "label": date_format(month.month, "M"),
                "year": month.month.year if index == 0 or month.month.month == 1 else None,
                "x": round(centre - CHART_BAR_WIDTH / 2, 1),
                "y": round(baseline - height, 1),
                "count_y": round(baseline - height - 6, 1),
                "height": height,
                "centre": centre,
            }
        )
    total = sum(m.count for m in months)
    busiest = max(months, key=lambda m: m.count, default=None)
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bar_width": CHART_BAR_WIDTH,
        "baseline": baseline,
        "label_y": baseline + 18,
        "year_y": baseline + 34,
        "total": total,
        "first": months[0].month if months else None,
        "last": months[-1].month if months else None,
        "busiest": busiest if busiest and busiest.count else None,
    }


# --- views ----------------------------------------------------------------------------------


def dashboard_view(request, *, site: admin.AdminSite):
    """The full dashboard. Read-only, so anyone who may read conditions may see it."""
    if not request.user.has_perm(PERM_VIEW):
        raise PermissionDenied
    data = selectors.review_dashboard(user=request.user)
    links = changelist_links()
    context = {
        **site.each_context(request),
        "title": "Review dashboard",
        "dashboard": data,
        "links": links,
        "chart": due_chart(data.schedule.months),
        "windows": [(days, count, links[f"due_{days}"]) for days, count in data.schedule.windows],
    }
    return TemplateResponse(request, "admin/kb/dashboard.html", context)


def index_panel(request) -> dict | None:
    """The compact dashboard shown on the admin index, for those who may read conditions."""
    if not request.user.has_perm(PERM_VIEW):
        return None
    data = selectors.review_dashboard(user=request.user)
    links = changelist_links()
    due_30 = selectors.DUE_WINDOWS[0]
    return {
        "url": reverse("admin:kb_dashboard"),
        "counts": [
            ("Overdue for review", len(data.schedule.overdue), links["overdue"]),
            (
                f"Due within {due_30} days",
                len(data.schedule.due_within(due_30)),
                links[f"due_{due_30}"],
            ),
            (
                "Awaiting my review" if data.can_approve else "In review",
                len(data.awaiting_review),
                links["awaiting_review"],
            ),
            ("Sent back to me", len(data.sent_back), links["sent_back"]),
            ("Flagged for review", data.flagged_count, links["flagged_any"]),
        ],
    }
