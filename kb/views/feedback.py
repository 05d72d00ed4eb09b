"""Report an inaccuracy: the form, the thank-you page, the rate-limit page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from config.security import client_ip
from kb.feedback import FeedbackForm, count_report, record_feedback, seen_revision
from kb.selectors import ArticleGone, ArticleMoved, ArticleNotFound, get_published_article


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
            decision = count_report(ip=client_ip(request))
            if not decision.allowed:
                limited = render(request, "kb/feedback_limited.html", {"article": art}, status=429)
                limited["Retry-After"] = str(decision.retry_after)
                return limited
            record_feedback(
                article=art,
                revision=revision,
                message=form.cleaned_data["message"],
                contact=form.cleaned_data["contact"],
            )
        return redirect("kb:feedback_thanks", slug=art.condition.slug)
    return render(request, "kb/feedback.html", {"article": art, "form": form, "revision": revision})


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """Thanks for a report about the article at ``slug``: 404 where no article is or was."""
    try:
        get_published_article(slug=slug)
    except ArticleMoved as moved:
        return redirect("kb:feedback_thanks", slug=moved.new_slug, permanent=True)
    except ArticleGone:
        pass  # withdrawn since the report was sent: the report still counts
    except ArticleNotFound as exc:
        raise Http404("No such condition") from exc
    return render(request, "kb/feedback_thanks.html", {"slug": slug})
