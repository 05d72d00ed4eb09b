"""Report an inaccuracy: the form, the thank-you page, the rate-limit page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from kb.feedback import FeedbackForm, allow_report, record_feedback, seen_revision
from kb.selectors import ArticleGone, ArticleMoved, ArticleNotFound, get_published_article


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@never_cache
def feedback(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        art = get_published_article(slug=slug)
    except ArticleMoved as moved:
        return redirect("kb:feedback", slug=moved.new_slug)
    except (ArticleGone, ArticleNotFound) as exc:
        raise Http404("No such condition") from exc
    number = request.POST.get("revision") or request.GET.get("revision")
    revision = seen_revision(article=art, number=number)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not form.is_spam:
            if not allow_report(ip=_client_ip(request)):
                return render(request, "kb/feedback_limited.html", {"article": art}, status=429)
            record_feedback(
                article=art,
                revision=revision,
                message=form.cleaned_data["message"],
                contact=form.cleaned_data["contact"],
            )
        return redirect("kb:feedback_thanks", slug=art.condition.slug)
    return render(request, "kb/feedback.html", {"article": art, "form": form, "revision": revision})


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "kb/feedback_thanks.html", {"slug": slug})
