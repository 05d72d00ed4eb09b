"""Autosave of a draft from the desk, through the same optimistic lock as the Save button.

static/kb/desk-autosave.js posts the whole revision form here (with its CSRF token) a few
seconds after the author stops typing. The form and the section formsets are the admin's
own, so the data is checked exactly as a Save checks it, including ``opened_version``
(I6): a stale autosave is refused with 409 and a message naming who saved and when
(``kb.edit_lock``), and nothing is overwritten. On success the answer carries the new
lock version, which the page then sends with its next save.

Autosave keeps what the author typed in the fields and sections already there; adding or
removing a section, and the "Cite references" box (it appends markers to the text on the
server), wait for the Save button, so the page and the stored draft never disagree on
which sections exist.
"""

from __future__ import annotations

from django.contrib.admin.utils import flatten_fieldsets
from django.db import transaction
from django.forms.formsets import all_valid
from django.http import JsonResponse
from django.views.decorators.http import require_POST

from kb.edit_lock import last_save, stale_message, when
from kb.exceptions import KBError, StaleEdit
from kb.services import record_edit

#: Fields the page sends that autosave leaves to the Save button (see the docstring).
LEFT_TO_SAVE = "-cite"


def _conflict(request, revision_id: int) -> JsonResponse:
    last = last_save(revision_id=revision_id)
    return JsonResponse(
        {
            "conflict": stale_message(last=last, user=request.user),
            "by": last.by_name if last else "",
            "at": last.at.isoformat() if last else "",
            "version": last.version if last else None,
        },
        status=409,
    )


def _messages(errors) -> list[str]:
    return [str(message) for message in errors]


@require_POST
def autosave_view(request, object_id: int, *, model_admin) -> JsonResponse:
    revision = model_admin.get_object(request, str(object_id))
    if revision is None:
        return JsonResponse({"error": "This revision no longer exists."}, status=404)
    if not model_admin.has_change_permission(request, revision):
        return JsonResponse({"error": "You cannot edit this revision."}, status=403)

    data = request.POST.copy()
    for name in [n for n in data if n.endswith(LEFT_TO_SAVE)]:
        del data[name]
    request.POST = data  # the formsets read request.POST
    fields = flatten_fieldsets(model_admin.get_fieldsets(request, revision))
    form_class = model_admin.get_form(request, revision, change=True, fields=fields)
    form = form_class(data, instance=revision)
    formsets, _ = model_admin._create_formsets(request, revision, change=True)
    form_ok = form.is_valid()
    formsets_ok = all_valid(formsets)
    if not form_ok and any(e.code == "stale" for e in form.non_field_errors().as_data()):
        return _conflict(request, revision.pk)
    if not (form_ok and formsets_ok):
        problems = _messages(form.non_field_errors()) + [
            f"{form.fields[name].label}: {' '.join(_messages(errors))}"
            for name, errors in form.errors.items()
            if name in form.fields
        ]
        for formset in formsets:
            problems += _messages(formset.non_form_errors())
            for section_form in formset.forms:
                for name, errors in section_form.errors.items():
                    problems.append(f"Section {name}: {' '.join(_messages(errors))}")
        return JsonResponse(
            {"error": "Not saved automatically: fix the form, then save.", "problems": problems},
            status=400,
        )
    for formset in formsets:
        adding = [f for f in formset.extra_forms if f.has_changed()]
        if adding or formset.deleted_forms:
            return JsonResponse(
                {"error": "Sections were added or removed: use Save to keep them."},
                status=400,
            )

    try:
        with transaction.atomic():
            saved = model_admin.save_form(request, form, change=True)
            model_admin.save_model(request, saved, form, True)
            form.save_m2m()
            for formset in formsets:
                formset.instance = saved
                formset.save()
            record_edit(revision=saved, by=request.user)
    except StaleEdit:
        return _conflict(request, revision.pk)
    except KBError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(
        {
            "version": saved.lock_version,
            "saved_at": saved.updated_at.isoformat(),
            "message": f"Draft saved automatically at {when(saved.updated_at)}.",
        }
    )
