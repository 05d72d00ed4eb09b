"""Reader feedback: validation, spam and abuse controls, and routing to a reviewer.

- The honeypot field is invisible to people; a bot that fills it is thanked and ignored.
- Each reader's address (``config.security.client_ip``: the connecting address, or the
  one the trusted proxies report) may send ``FEEDBACK_RATE_PER_HOUR`` reports an hour,
  counted by ``kb.ratelimit`` in the store every process shares (Redis, else the
  database) under a keyed hash of the address, so no address is stored.
- The report is tied to the revision the reader saw when that is still a published or
  formerly published revision of the condition, and assigned to the reviewer who approved
  it.
- It may quote the passage it is about and name that revision's section (the article
  page's script prefills both from the reader's selection; without JavaScript the reader
  types or picks them): the reviewer then sees those words marked in the text
  (``passage_in_context``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.db import transaction
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from kb import ratelimit
from kb.models import ChangeAction, Feedback, PublicChange, Revision
from kb.selectors import Article

#: Longest quoted passage kept: a sentence or a short paragraph, not a page.
PASSAGE_MAX_LENGTH = 1000


#: The "no particular section" choice.
ANY_SECTION = ("", "Not sure, or the whole page")


def collapse(text: str) -> str:
    """Words separated by single spaces: how a selection and a page's text are compared."""
    return " ".join(str(text or "").split())


class FeedbackForm(forms.Form):
    """The report. ``sections`` are the (anchor, heading) pairs of the revision seen."""

    passage = forms.CharField(
        label="The words you are reporting (optional)",
        required=False,
        max_length=PASSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Copy the sentence or words from the page, if you can.",
        error_messages={
            "max_length": f"Quote at most {PASSAGE_MAX_LENGTH} characters from the page "
            "(you quoted %(show_value)d)."
        },
    )
    section = forms.ChoiceField(
        label="Which section are they in? (optional)",
        required=False,
        choices=[ANY_SECTION],
        error_messages={"invalid_choice": "Choose one of the page’s sections, or “Not sure”."},
    )
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

    def __init__(self, *args, sections: list[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [ANY_SECTION, *sections]

    def clean_passage(self) -> str:
        return collapse(self.cleaned_data["passage"])

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


def prefill(*, passage: str | None, section: str | None, sections: list[tuple[str, str]]):
    """Initial form values from the article page's link (``?passage=…&section=…``).

    Only what the form would accept is used: a known section, a passage cut to length.
    """
    anchors = {anchor for anchor, _heading in sections}
    return {
        "passage": collapse(passage)[:PASSAGE_MAX_LENGTH],
        "section": section if section in anchors else "",
    }


def record_feedback(
    *,
    article: Article,
    revision: Revision,
    message: str,
    contact: str,
    passage: str = "",
    section: str = "",
) -> Feedback:
    from kb.alerts import reader_report_arrived

    with transaction.atomic():  # the report and its e-mail to the reviewer, or neither
        feedback = Feedback.objects.create(
            condition=article.condition,
            revision=revision,
            assigned_to=revision.approved_by,
            message=message,
            contact=contact,
            passage=passage,
            section=section,
        )
        reader_report_arrived(feedback=feedback)
    return feedback


@dataclass(frozen=True)
class PassageInContext:
    #: The section's heading, or "" when the passage was found in no section.
    heading: str
    #: The section's text, escaped, with the passage in a <mark>; or the passage quoted.
    html: SafeString
    found: bool


_BLOCK_END_RE = re.compile(r"</(?:p|li|h[1-6]|blockquote|td|th|tr|pre|dd|dt)>|<br\s*/?>", re.I)


def visible_text(section_html: str) -> str:
    """A rendered section's text as a reader sees it: blocks apart, spaces collapsed."""
    return collapse(html.unescape(strip_tags(_BLOCK_END_RE.sub(" ", section_html))))


def passage_in_context(*, feedback: Feedback, sections) -> PassageInContext | None:
    """Where the reported passage is in the text of the revision the reader saw.

    ``sections`` are that revision's rendered sections (``kb.renditions.read``): the text
    the reader saw and selected, citation numbers included. Searched first in the named
    section, then in every section; spaces and line breaks need not match exactly.
    """
    passage = collapse(feedback.passage)
    if not passage:
        return None
    pattern = re.compile(r"\s+".join(re.escape(word) for word in passage.split()))
    ordered = sorted(sections, key=lambda s: s.anchor != feedback.section)
    for flags in (0, re.IGNORECASE):
        for section in ordered:
            text = visible_text(section.html)
            found = re.compile(pattern.pattern, flags).search(text)
            if found:
                marked = (
                    f"{escape(text[: found.start()])}<mark>{escape(found.group(0))}</mark>"
                    f"{escape(text[found.end() :])}"
                )
                return PassageInContext(section.heading, mark_safe(marked), True)  # noqa: S308
    return PassageInContext("", escape(passage), False)
