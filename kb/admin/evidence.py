"""Evidence watch findings in the desk: a medical reviewer confirms or dismisses each.

The change page is the decision form (works without JavaScript): choose "Confirm" or
"Dismiss", write a note, save. The rule is ``kb.evidence.services.decision_refusal``, shown
as the form's error; the decision itself is ``confirm_finding`` / ``dismiss_finding``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from kb import workflow
from kb.evidence import services
from kb.evidence.models import EvidenceFinding, FindingStatus

CONFIRM, DISMISS = "confirm", "dismiss"


class DecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(
        choices=[
            (CONFIRM, "Confirm: flag the reference as retracted (public at once)"),
            (DISMISS, "Dismiss"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked, and why. Confirming shows the notice to readers.",
    )

    class Meta:
        model = EvidenceFinding
        fields = ()

    user = None

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision:
            refusal = services.decision_refusal(
                user=self.user, finding=self.instance, confirm=decision == CONFIRM
            )
            if refusal:
                raise forms.ValidationError(refusal)
        return data


@admin.register(EvidenceFinding)
class EvidenceFindingAdmin(admin.ModelAdmin):
    list_display = ("found_at", "reference_link", "kind", "source", "status", "summary")
    list_filter = ("status", "kind", "source")
    list_select_related = ("reference",)
    search_fields = ("summary", "notice", "reference__doi", "reference__pmid", "reference__key")
    readonly_fields = (
        "reference_link",
        "source",
        "kind",
        "notice",
        "summary",
        "status",
        "found_at",
        "decided_by",
        "decided_at",
        "decision_note",
    )

    def has_add_permission(self, request) -> bool:
        return False  # findings are opened by the watch

    def _reviewer(self, request) -> bool:
        """Findings are a medical reviewer's to decide (the retraction rule), so the role
        that may flag a retraction sees and decides them, without a model permission."""
        return workflow.may_set_retraction(request.user)

    def has_module_permission(self, request) -> bool:
        return self._reviewer(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._reviewer(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._reviewer(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a finding's record stays

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and obj.status == FindingStatus.OPEN:
            kwargs["form"] = DecisionForm
            form = super().get_form(request, obj, change=change, **kwargs)
            form.user = request.user
            return form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None and obj.status == FindingStatus.OPEN:
            fields += ["decision", "note"]
        return fields

    def save_model(self, request, obj, form, change) -> None:
        decision = form.cleaned_data.get("decision")
        if decision == CONFIRM:
            services.confirm_finding(finding=obj, by=request.user, note=form.cleaned_data["note"])
        elif decision == DISMISS:
            services.dismiss_finding(finding=obj, by=request.user, note=form.cleaned_data["note"])

    @admin.display(description="Reference", ordering="reference__key")
    def reference_link(self, obj):
        from django.urls import reverse

        url = reverse("admin:kb_reference_change", args=[obj.reference_id])
        label = obj.reference.doi or obj.reference.pmid or obj.reference.key
        return format_html('<a href="{}">{}</a>', url, label)
