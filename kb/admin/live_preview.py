"""The revision form's live preview: unsaved text rendered as the public page shows it.

``static/kb/desk-preview.js`` posts the whole revision form here (with its CSRF token) a
moment after the author stops typing, and shows the answer beside the editor. The text is
read with forms shaped like the change form's (the inline formset's ``sections-N-`` fields)
and rendered by the public template and renderer through
``kb.selectors.get_unsaved_preview_article``: numbered citations, the reference list and
the sanitiser all run, and nothing is saved. Each section's readability scores come back
with the page, so the author sees them change while writing.

Staff with ``kb.view_revision`` only; anyone else gets 403 (not the admin's redirect to the
sign-in page: the caller is a script, and a redirect to HTML would be shown as a preview).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from kb import permissions
from kb.admin.forms import LinesField, MarkdownField
from kb.models import Revision, Section, SectionKind
from kb.readability import score
from kb.selectors import get_unsaved_preview_article

PERMISSION = permissions.VIEW_REVISION
SECTIONS_PREFIX = "sections"  # the revision form's inline formset (related_name)


class PreviewRevisionForm(forms.Form):
    """The article fields of the change form the public page shows; blank keeps the saved."""

    name = forms.CharField(required=False)
    summary = forms.CharField(required=False)
    also_known_as = LinesField(required=False)


class PreviewSectionForm(forms.Form):
    """One section as typed. Everything is optional: a preview shows half-written text."""

    position = forms.IntegerField(required=False)
    kind = forms.ChoiceField(choices=SectionKind.choices, required=False)
    heading = forms.CharField(required=False)
    body = MarkdownField(required=False)


PreviewSectionFormSet = forms.formset_factory(PreviewSectionForm, extra=0, can_delete=True)


def _typed_sections(formset) -> list[tuple[str, Section]]:
    """(form prefix, unsaved Section) in page order; removed and empty forms left out."""
    typed = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", {}) or {}
        if data.get("DELETE"):
            continue
        heading, body = (data.get("heading") or "").strip(), data.get("body") or ""
        if not heading and not body:
            continue
        section = Section(
            position=data.get("position") or 0,
            kind=data.get("kind") or SectionKind.CUSTOM,
            heading=heading or "(No heading yet)",
            body=body,
        )
        typed.append((index, form.prefix, section))
    typed.sort(key=lambda item: (item[2].position, item[0]))
    return [(prefix, section) for _, prefix, section in typed]


@never_cache
@require_POST
@csrf_protect
def live_preview_view(request: HttpRequest, object_id: int) -> JsonResponse:
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm(PERMISSION)):
        raise PermissionDenied
    revision = get_object_or_404(Revision, pk=object_id)
    fields = PreviewRevisionForm(request.POST)
    formset = PreviewSectionFormSet(request.POST, prefix=SECTIONS_PREFIX)
    fields.is_valid()
    formset.is_valid()  # a form with a bad value still previews its good ones
    if not formset.management_form.is_valid():
        return JsonResponse(
            {"error": "The preview needs the section forms of the revision page."}, status=400
        )
    changes = {k: v for k, v in fields.cleaned_data.items() if k in request.POST}
    changes = {k: v for k, v in changes.items() if v or k == "also_known_as"}
    typed = _typed_sections(formset)
    article = get_unsaved_preview_article(
        revision=revision, changes=changes, sections=[section for _, section in typed]
    )
    return JsonResponse(
        {
            "html": render_to_string("kb/article.html", {"article": article}, request),
            "readability": {
                prefix: render_to_string(
                    "admin/kb/revision/_readability.html", {"scores": score(body=section.body)}
                )
                for prefix, section in typed
            },
            "unresolved": article.rendered.unresolved,
        }
    )
