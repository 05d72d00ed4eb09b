"""Sections in the revision form: their order, where a new one goes, which kind it proposes.

Without JavaScript an author reorders sections by editing their "Order" numbers and adds one
in the blank section at the end of the list; ``static/kb/desk-sections.js`` adds up/down
buttons that move a section and renumber the list, and asks before a section is removed.
Either way the order is settled here, on the server, when the revision is saved:

- a new section whose order is left empty goes after the last one;
- when two sections share a number, the one whose number the author changed goes first
  (typing 10 on the third section moves it to the top), and the list is then renumbered
  10, 20, 30 … so the numbers stay simple to edit;
- numbers already in a strict order are kept, so saving writes no section that did not
  change.
"""

from __future__ import annotations

from django import forms
from django.forms.models import BaseInlineFormSet

from kb.models import SectionKind

#: Step between the order numbers the desk writes (as ``kb.services`` does).
POSITION_STEP = 10

#: The order in which medical pages usually present their sections; the kind picker lists
#: them so, and a new section proposes the first kind the revision does not have yet.
USUAL_ORDER: tuple[str, ...] = (
    SectionKind.OVERVIEW,
    SectionKind.SYMPTOMS,
    SectionKind.CAUSES,
    SectionKind.DIAGNOSIS,
    SectionKind.TREATMENT,
    SectionKind.PROGNOSIS,
    SectionKind.WHEN_TO_GET_HELP,
    SectionKind.CUSTOM,
)

NEW_SECTION_FIELDS = ("heading", "body", "cite")


def next_kind(*, used: list[str]) -> str:
    """The first kind, in the usual order, that ``used`` does not contain yet."""
    return next(
        (kind for kind in USUAL_ORDER if kind != SectionKind.CUSTOM and kind not in used),
        SectionKind.CUSTOM,
    )


def settled_positions(*, entries: list[tuple[int | None, bool]]) -> list[int]:
    """The order number each section ends up with, given ``(number, number_was_changed)``
    per section in the order of the form.

    Empty numbers go at the end, in form order. If the result has no ties it is kept as it
    is; otherwise the sections are renumbered in steps of ``POSITION_STEP``.
    """
    given = [number for number, _ in entries if number is not None]
    last = max(given, default=0)
    numbers = []
    for number, _ in entries:
        if number is None:
            last += POSITION_STEP
            number = last
        numbers.append(number)
    if len(set(numbers)) == len(numbers):
        return numbers
    ranked = sorted(range(len(entries)), key=lambda i: (numbers[i], 0 if entries[i][1] else 1, i))
    settled = [0] * len(entries)
    for rank, index in enumerate(ranked, start=1):
        settled[index] = rank * POSITION_STEP
    return settled


class SectionFormBase(forms.ModelForm):
    """What every section form shares: plain labels, the usual kind order, and a new
    section that counts only once it has a heading, text or a citation (the kind and order
    the desk proposes are not the author's input)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        position = self.fields["position"]
        position.required = False
        position.label = "Order"
        position.help_text = (
            "Sections show in this order, smallest number first. Leave it empty to put a "
            "new section at the end."
        )
        kind = self.fields["kind"]
        labels = dict(SectionKind.choices)
        kind.choices = [("", "---------"), *[(value, labels[value]) for value in USUAL_ORDER]]
        kind.label = "Kind of section"
        kind.help_text = "What the section is about. The list follows the usual order of a page."
        self.fields["heading"].help_text = "The heading readers see above the section."
        self.fields["body"].help_text = (
            "The text, in Markdown: ## for a subheading, **bold**, - at the start of a line "
            "for a list. Cite a reference with [@key], several with [@key1; @key2]."
        )

    def has_changed(self) -> bool:
        if self.instance.pk is None:
            return any(name in self.changed_data for name in NEW_SECTION_FIELDS)
        return super().has_changed()


class SectionFormSet(BaseInlineFormSet):
    """The sections of one revision, with their order settled as the module describes."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index is None or index >= self.initial_form_count():
            kwargs["initial"] = {**self._new_section_initial(), **kwargs.get("initial", {})}
        return kwargs

    def _new_section_initial(self) -> dict:
        if not hasattr(self, "_new_initial"):
            stored = (
                list(self.instance.sections.values_list("kind", "position"))
                if self.instance.pk
                else []
            )
            self._new_initial = {
                "kind": next_kind(used=[kind for kind, _ in stored]),
                "position": max((p for _, p in stored), default=0) + POSITION_STEP,
            }
        return self._new_initial

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and (form.instance.pk is not None or form.has_changed())
            and not (self.can_delete and self._should_delete_form(form))
        ]
        if any(form.errors for form in kept):
            return
        entries = [
            (form.cleaned_data.get("position"), "position" in form.changed_data) for form in kept
        ]
        for form, number in zip(kept, settled_positions(entries=entries), strict=True):
            if number != form.cleaned_data.get("position"):
                form.cleaned_data["position"] = number
                form.instance.position = number
                if "position" not in form.changed_data:
                    # The formset saves only forms that changed; a renumbered one did.
                    form.changed_data.append("position")
