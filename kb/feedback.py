"""Reader feedback: validation, spam and abuse controls, and routing to a reviewer.

- The honeypot field is invisible to people; a bot that fills it is thanked and ignored.
- Each reader's address (``config.security.client_ip``: the connecting address, or the
  one the trusted proxies report) may send ``FEEDBACK_RATE_PER_HOUR`` reports an hour,
  counted by ``kb.ratelimit`` in the store every process shares (Redis, else the
  database) under a keyed hash of the address, so no address is stored.
- The report is tied to the revision the reader saw when that is still a published or
  formerly published revision of the condition, and assigned to the reviewer who approved
  it.
"""

from __future__ import annotations

from django import forms
from django.conf import settings

from kb import ratelimit
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


def count_report(*, ip: str) -> ratelimit.Decision:
    """Count a report from the reader at ``ip``; refused once the hour's allowance is used."""
    return ratelimit.hit(
        scope="feedback", subject=ip, limit=settings.FEEDBACK_RATE_PER_HOUR, period=3600
    )


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
