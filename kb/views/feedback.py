"""Report an inaccuracy: the form, the thank-you page, the rate-limit page.

The form may arrive prefilled from the article page (``?passage=…&section=…``, built by
``static/kb/report-passage.js`` from the reader's selection); it offers the sections of
the revision the reader saw.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from config.security import client_ip
from kb import renditions
from kb.feedback import FeedbackForm, count_report, prefill, record_feedback, seen_revision
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
    rendered = (
        art.rendered if revision.pk == art.revision.pk else renditions.read(revision=revision)[0]
    )
    sections = [(s.anchor, s.heading) for s in rendered.sections]
    if request.method == "POST":
        form = FeedbackForm(request.POST, sections=sections)
    else:
        initial = prefill(
            passage=request.GET.get("passage"),
            section=request.GET.get("section"),
            sections=sections,
        )
        form = FeedbackForm(initial=initial, sections=sections)
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
                passage=form.cleaned_data["passage"],
                section=form.cleaned_data["section"],
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
