"""Forms of the editorial desk."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from kb.exceptions import ContentProblems
from kb.models import ChangeClass, Condition, Revision
from kb.models.review import ATTESTATION
from kb.models.signals import SELF_RELATED
from kb.services import validate_new_slug
from kb.text import normalise_markdown


class LinesField(forms.CharField):
    """A list of strings edited as one per line (also-known-as names)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        lines = [line.strip() for line in (value or "").splitlines()]
        seen: list[str] = []
        for line in lines:
            if line and line not in seen:
                seen.append(line)
        return seen

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        for name in value:
            if len(name) > 200:
                raise ValidationError("Each name must be at most 200 characters.")


class MarkdownField(forms.CharField):
    """Markdown from a textarea, normalised as it is stored (``kb.text``).

    Browsers send CRLF line endings: normalised before the formset compares the text with
    what was stored, a section whose text was not touched is not "changed" and is not
    written again. Only white space the rule removes is dropped, so the indentation of the
    first line (a code block) survives, unlike with Django's ``strip``.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_markdown(text=value) if value else value


class ConditionForm(forms.ModelForm):
    """The condition's own fields in the desk (slug, related conditions)."""

    class Meta:
        model = Condition
        fields = ("slug", "related")

    def clean_related(self):
        related = self.cleaned_data["related"]
        if self.instance.pk is not None and related.filter(pk=self.instance.pk).exists():
            raise ValidationError(SELF_RELATED, code="self_related")
        return related


class RevisionForm(forms.ModelForm):
    """Edits a draft. Carries ``lock_version`` so a stale save is refused (I6)."""

    also_known_as = LinesField(required=False, help_text="Other names, one per line.")
    opened_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Revision
        fields = ["name", "also_known_as", "summary", "change_note", "change_class"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["opened_version"] = self.instance.lock_version
        if "change_class" in self.fields:
            # A form sent without it (an older page, a script) keeps the class as it is.
            self.fields["change_class"].required = False

    def clean_change_class(self):
        return self.cleaned_data.get("change_class") or self.instance.change_class

    #: Who is editing (set by the desk), so a refusal can tell "you, in another tab" apart.
    editor = None

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            from kb.edit_lock import last_save, stale_message

            last = last_save(revision_id=self.instance.pk)
            if last is None or cleaned.get("opened_version") != last.version:
                raise ValidationError(stale_message(last=last, user=self.editor), code="stale")
        return cleaned

    def save(self, commit=True):
        self.instance.lock_version = self.cleaned_data["opened_version"]
        return super().save(commit=commit)


class NewConditionForm(forms.Form):
    """A new condition: its name first, then the address, which follows the name as it is
    typed (Django admin's ``prepopulate.js``) until the author edits it."""

    name = forms.CharField(max_length=200, help_text="The name readers know the condition by.")
    slug = forms.SlugField(
        max_length=120,
        label="Web address",
        help_text="The last part of the article's address, filled in from the name as you "
        "type. Lower-case letters, numbers and hyphens, e.g. cramp-fasciculation-syndrome.",
    )
    also_known_as = LinesField(
        required=False, help_text="Other names readers may search for, one per line."
    )
    summary = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One plain sentence saying what the condition is.",
    )

    #: Field filled from others as the author types, as ``ModelAdmin.prepopulated_fields``.
    prepopulated_fields = {"slug": ("name",)}

    class Media:
        js = (
            "admin/js/vendor/jquery/jquery.min.js",
            "admin/js/jquery.init.js",
            "admin/js/urlify.js",
            "admin/js/prepopulate.js",
        )

    def prepopulated_fields_json(self) -> str:
        """The data ``admin/js/prepopulate_init.js`` reads, as the admin's own forms give it."""
        return json.dumps(
            [
                {
                    "id": f"#{self[name].auto_id}",
                    "name": name,
                    "dependency_ids": [f"#{self[source].auto_id}" for source in sources],
                    "dependency_list": list(sources),
                    "maxLength": self.fields[name].max_length,
                    "allowUnicode": False,
                }
                for name, sources in self.prepopulated_fields.items()
            ]
        )

    def clean_slug(self):
        try:
            return validate_new_slug(slug=self.cleaned_data["slug"])
        except ContentProblems as exc:
            raise ValidationError(exc.message) from exc


class CommentForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, comment_required: bool = False, comment_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = comment_required
        if comment_label:
            self.fields["comment"].label = comment_label


class ApproveForm(forms.Form):
    """The approver's review record (I8): both dates editable, sensible defaults."""

    reviewed_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The date you reviewed the content.",
    )
    next_review_due = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the content must be reviewed again.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Review note"
    )
    go_live_at = forms.DateTimeField(
        required=False,
        label="Go live at (optional)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="Leave empty to publish now. A time in the future keeps the text hidden "
        "until then; it goes live at that minute with no further action. Time zone: "
        f"{settings.TIME_ZONE}.",
    )
    change_class = forms.ChoiceField(
        choices=ChangeClass.choices,
        label="Class of change",
        help_text="Confirm or correct the author's choice. Partners re-review clinical changes; "
        "a correction does not move the public “last updated” date.",
    )
    retraction_acknowledgement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why approve although it cites retracted publications",
        help_text="Required only when the text cites a publication flagged as retracted; "
        "kept with your review.",
    )
    attestation = forms.BooleanField(
        label=ATTESTATION,
        help_text="Required: kept with your review, in your name.",
        error_messages={"required": "Confirm that you checked the clinical content."},
    )
    opened_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_go_live_at(self):
        value = self.cleaned_data.get("go_live_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(
                "The go-live time has already passed. Leave it empty to publish now."
            )
        return value

    def clean(self):
        cleaned = super().clean()
        reviewed_on, due = cleaned.get("reviewed_on"), cleaned.get("next_review_due")
        if reviewed_on and reviewed_on > timezone.localdate():
            self.add_error("reviewed_on", "The review date cannot be in the future.")
        if reviewed_on and due and due <= reviewed_on:
            self.add_error(
                "next_review_due", "The next review must fall due after the review date."
            )
        return cleaned

    @staticmethod
    def defaults() -> dict[str, dt.date]:
        from kb.workflow import default_next_review_due

        today = timezone.localdate()
        return {"reviewed_on": today, "next_review_due": default_next_review_due(today)}


class ReconfirmForm(forms.Form):
    """A medical reviewer's confirmation that live text is still accurate (a dated review)."""

    next_review_due = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the content must be reviewed again.",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What you checked",
        help_text="Required; kept in the history, e.g. “Checked against the 2026 guideline.”",
        error_messages={"required": "Say what you checked: the note is kept with the review."},
    )
    attestation = forms.BooleanField(
        label=ATTESTATION,
        help_text="Required: kept with your review, in your name.",
        error_messages={"required": "Confirm that you checked the clinical content."},
    )

    def clean_next_review_due(self):
        due = self.cleaned_data["next_review_due"]
        if due <= timezone.localdate():
            raise forms.ValidationError("The next review must fall due after today.")
        return due

    @staticmethod
    def defaults() -> dict[str, dt.date]:
        from kb.workflow import default_next_review_due

        return {"next_review_due": default_next_review_due(timezone.localdate())}


class WithdrawForm(forms.Form):
    """Withdraw a live article: an internal reason, an optional note for readers, and
    optionally the article it was merged into (its address then leads there).

    The successor is offered only to whoever may merge (``kb.workflow.merge_refusal``,
    the same rule the transition enforces), and the one chosen is checked by that rule.
    """

    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Reason for withdrawing",
        help_text="Kept in the editorial log. Never shown to readers.",
    )
    public_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Note for readers",
        help_text="Optional: shown on the withdrawn page, e.g. “We are updating this advice.”",
    )
    successor = forms.ModelChoiceField(
        queryset=Condition.objects.none(),
        required=False,
        label="Merged into",
        help_text="Optional: when this article was merged into another, its address and "
        "the API's will redirect there, and partners are told it moved.",
    )

    def __init__(self, *args, condition: Condition, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.condition, self.user = condition, user
        from kb.workflow import merge_refusal

        if merge_refusal(user=user, condition=condition):
            del self.fields["successor"]
        else:
            self.fields["successor"].queryset = (
                Condition.objects.filter(
                    published_revision__isnull=False, withdrawn_at__isnull=True
                )
                .exclude(pk=condition.pk)
                .order_by("slug")
            )

    def clean_successor(self):
        from kb.workflow import merge_refusal

        successor = self.cleaned_data.get("successor")
        if successor is not None:
            refusal = merge_refusal(user=self.user, condition=self.condition, into=successor)
            if refusal:
                raise ValidationError(refusal)
        return successor
