"""Reader feedback: validation, spam and abuse controls, and routing to a reviewer.

- The honeypot field is invisible to people; a bot that fills it is thanked and ignored.
- Each IP address may send ``FEEDBACK_RATE_PER_HOUR`` reports an hour (counted in the
  shared cache under a hash of the address, so no address is stored).
- The report is tied to the revision the reader saw when that is still a published or
  formerly published revision of the condition, and assigned to the reviewer who approved
  it.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.core.cache import cache

from kb.models import ChangeAction, Feedback, PublicChange, Revision
from kb.selectors import Article


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label="What is wrong or unclear?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Tell us which part of the page and what you think is inaccurate. "
        "Please do not include personal medical details.",
        error_messages={"required": "Tell us what is wrong or unclear on the page."},
    )
    contact = forms.EmailField(
        label="Your e-mail address (optional)",
        required=False,
        help_text="Only if you would like a reply.",
        error_messages={
            "invalid": "Enter an e-mail address like name@example.com, or leave it empty."
        },
    )
    website = forms.CharField(required=False, label="Leave this field empty")

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if len(message) < 10:
            raise forms.ValidationError("Please tell us a little more (at least 10 characters).")
        return message

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


def _rate_key(ip: str) -> str:
    digest = hashlib.sha256((settings.SECRET_KEY + ip).encode()).hexdigest()[:32]
    return f"kb:feedback-rate:{digest}"


def allow_report(*, ip: str) -> bool:
    """Count a report from ``ip``; False once the hourly allowance is used."""
    key = _rate_key(ip)
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= settings.FEEDBACK_RATE_PER_HOUR


def seen_revision(*, article: Article, number: str | None) -> Revision:
    """The revision the reader saw — one that was actually published — else the live one.

    Approved is not enough: a revision scheduled for later, or whose schedule was cancelled,
    was never public, so a report cannot name it (I1); it goes to the live one instead.
    """
    if number and number.isdigit() and int(number) != article.revision.number:
        published = PublicChange.objects.filter(
            condition=article.condition, action=ChangeAction.PUBLISHED
        ).values("revision")
        seen = article.condition.revisions.filter(number=int(number), pk__in=published).first()
        if seen is not None:
            return seen
    return article.revision


def record_feedback(
    *, article: Article, revision: Revision, message: str, contact: str
) -> Feedback:
    return Feedback.objects.create(
        condition=article.condition,
        revision=revision,
        assigned_to=revision.approved_by,
        message=message,
        contact=contact,
    )
