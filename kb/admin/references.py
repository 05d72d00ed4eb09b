"""The shared reference library in the desk: search, filters, "cited in", duplicate
warnings, import from reference-manager files, lookup by DOI or PMID, and merging two
records that are one publication (``kb.reference_merge``; who may is
``kb.workflow.reference_merge_refusal``).

Edits to a record reach no live page (they show the version approved with them, I9); the
page lists the live articles that cite an older version, so a reviewer can start a new
draft. The retraction flag and note are read-only in the form for everyone: a medical
reviewer changes them through "Flag as retracted" / "Remove retraction flag", a small form
that requires a note and calls ``kb.workflow.set_retraction``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from kb import workflow
from kb.dashboard import records_changed_since_approval
from kb.exceptions import KBError
from kb.importers import PARSERS, UnreadableFile, decode_upload
from kb.lookup import LookupFailed, LookupUnavailable, lookup
from kb.models import Citation, Reference
from kb.refdata import normalise_doi, normalise_pmid, parse_author_name
from kb.reference_import import TooManyRecords, data_of, find_match, import_references
from kb.reference_merge import duplicate_candidates, merge_consequences, merge_references
from kb.vancouver import format_reference_html


def people_to_lines(people: list[dict]) -> str:
    lines = []
    for person in people or []:
        if "literal" in person:
            lines.append("{" + person["literal"] + "}")
        else:
            lines.append(f"{person.get('family', '')} {person.get('given', '')}".strip())
    return "\n".join(lines)


def lines_to_people(text: str) -> list[dict]:
    people = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("{") and line.endswith("}"):
            people.append({"literal": line[1:-1].strip()})
        else:
            people.append(parse_author_name(line))
    return people


PEOPLE_HELP = (
    "One per line, family name then initials (e.g. “Jansen PH”). "
    "Put an organisation in braces: {World Health Organization}."
)


class ReferenceForm(forms.ModelForm):
    authors = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=PEOPLE_HELP
    )
    editors = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=PEOPLE_HELP
    )
    url = forms.URLField(label="URL", required=False, max_length=1000, assume_scheme="https")

    class Meta:
        model = Reference
        fields = [
            "key", "kind", "authors", "title", "container_title", "editors", "edition",
            "degree", "place", "publisher", "year", "month", "day", "season", "volume",
            "issue", "pages", "doi", "pmid", "pmcid", "url", "accessed_on", "in_press",
        ]  # fmt: skip
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "key" in self.fields:  # absent when the user may only view references
            self.fields["key"].required = False
        if not self.is_bound:
            for name in ("authors", "editors"):
                value = self.initial.get(name, getattr(self.instance, name, None))
                if isinstance(value, list):
                    self.initial[name] = people_to_lines(value)

    def clean_authors(self):
        return lines_to_people(self.cleaned_data["authors"])

    def clean_editors(self):
        return lines_to_people(self.cleaned_data["editors"])

    def _unique(self, field: str, value: str | None):
        if (
            value
            and Reference.objects.filter(**{field: value}).exclude(pk=self.instance.pk).exists()
        ):
            other = Reference.objects.get(**{field: value})
            raise ValidationError(
                f"Another reference, [{other.key}], already has this {field.upper()}."
            )
        return value

    def clean_doi(self):
        raw = (self.cleaned_data.get("doi") or "").strip()
        doi = normalise_doi(raw) if raw else ""
        if raw and not doi:
            raise ValidationError("This is not a DOI: DOIs start with “10.” and contain a “/”.")
        return self._unique("doi", doi or None)

    def clean_pmid(self):
        raw = (self.cleaned_data.get("pmid") or "").strip()
        pmid = normalise_pmid(raw) if raw else ""
        if raw and not pmid:
            raise ValidationError("A PubMed ID is digits only.")
        return self._unique("pmid", pmid or None)

    def clean_key(self):
        from kb.models.reference import KEY_RE

        key = (self.cleaned_data.get("key") or "").strip()
        if key and not KEY_RE.match(key):
            raise ValidationError("Use letters, digits and _ : . - only, e.g. jansen1991.")
        if (
            self.instance.pk
            and key != self.instance.key
            and self.instance.citations.filter(revision__status="approved").exists()
        ):
            raise ValidationError(
                "Approved articles cite this reference by its key, so the key cannot change."
            )
        return key


class CitedFilter(admin.SimpleListFilter):
    title = "cited"
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("live", "Cited by a live article"), ("any", "Cited by any revision"),
                ("unused", "Not cited anywhere")]  # fmt: skip

    def queryset(self, request, queryset):
        cited = Citation.objects.filter(reference=OuterRef("pk"))
        if self.value() == "live":
            return queryset.filter(Exists(cited.filter(revision__live_for__isnull=False)))
        if self.value() == "any":
            return queryset.filter(Exists(cited))
        if self.value() == "unused":
            return queryset.exclude(Exists(cited))
        return queryset


class DuplicatesFilter(admin.SimpleListFilter):
    """Where a person finds what to merge: records sharing title and year with another
    (what an import reports as a possible duplicate), and the aliases merges left."""

    title = "duplicates"
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [("possible", "Possible duplicates (same title and year)"),
                ("aliases", "Merged into another record")]  # fmt: skip

    def queryset(self, request, queryset):
        if self.value() == "possible":
            twins = Reference.objects.filter(
                title_key=OuterRef("title_key"), year=OuterRef("year"), merged_into__isnull=True
            ).exclude(pk=OuterRef("pk"))
            return queryset.filter(Exists(twins), merged_into__isnull=True).exclude(title_key="")
        if self.value() == "aliases":
            return queryset.filter(merged_into__isnull=False)
        return queryset


class RetractionForm(forms.Form):
    retracted = forms.BooleanField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required. Flagging: the journal's notice (where, when). Removing the flag: "
        "why it was wrong. Readers see the note of a flag next to the reference.",
    )


def _use_the_command() -> str:
    return (
        "Split the file, or have it imported with the management command "
        "“python manage.py import_references FILE”, which takes any size and shows its "
        "progress. Nothing was imported."
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


class ImportForm(forms.Form):
    file = forms.FileField()
    format = forms.ChoiceField(
        choices=[("", "Detect from the file")] + [(f, f) for f in sorted(PARSERS)],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            "RIS, BibTeX, PubMed MEDLINE (.nbib) or CSL-JSON; at most "
            f"{settings.REFERENCE_IMPORT_MAX_RECORDS:,} records and "
            f"{_megabytes(settings.REFERENCE_IMPORT_MAX_BYTES)}. Larger files: the "
            "“import_references” management command."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.REFERENCE_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {_megabytes(upload.size)}; the desk imports files of at most "
                f"{_megabytes(limit)}. {_use_the_command()}"
            )
        try:
            decoded = decode_upload(upload.read())
        except UnreadableFile as exc:
            raise ValidationError(str(exc)) from exc
        self.cleaned_data["text"], self.cleaned_data["notes"] = decoded.text, decoded.notes
        return upload


class MergeForm(forms.Form):
    into = forms.CharField(
        label="Key of the record to keep",
        max_length=60,
        help_text="This record is merged into that one, e.g. jansen1991.",
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: why they are one publication. Kept in both records' logs.",
    )

    def __init__(self, *args, merging: Reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.merging = merging

    def clean_into(self):
        key = self.cleaned_data["into"].strip().removeprefix("[").removesuffix("]").lstrip("@")
        keep = Reference.objects.filter(key=key).first()
        if keep is None:
            raise ValidationError(f"No reference has the key “{key}”.")
        if keep.pk == self.merging.pk:
            raise ValidationError("Give the key of the other record, the one to keep.")
        self.cleaned_data["keep"] = keep
        return key


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    form = ReferenceForm
    list_display = (
        "key",
        "short_title",
        "first_author",
        "year",
        "kind",
        "doi",
        "pmid",
        "retracted",
    )
    list_filter = ("kind", "retracted", CitedFilter, DuplicatesFilter, "year")
    search_fields = ("key", "title", "authors", "doi", "pmid", "container_title")
    readonly_fields = (
        "formatted",
        "cited_in",
        "changed_since_approval",
        "retracted",
        "retraction_note",
        "retraction_log",
    )
    change_form_template = "admin/kb/reference/change_form.html"
    change_list_template = "admin/kb/reference/change_list.html"
    fieldsets = (
        (None, {"fields": ("key", "kind", "authors", "title", "container_title")}),
        (
            "Book and thesis details",
            {
                "fields": ("editors", "edition", "degree", "place", "publisher"),
                "classes": ("collapse",),
            },
        ),
        (
            "Date and location",
            {"fields": ("year", "month", "day", "season", "volume", "issue", "pages", "in_press")},
        ),
        ("Identifiers and links", {"fields": ("doi", "pmid", "pmcid", "url", "accessed_on")}),
        ("Retraction", {"fields": ("retracted", "retraction_note", "retraction_log")}),
        ("As cited", {"fields": ("formatted", "cited_in", "changed_since_approval")}),
    )

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.merged_into_id is not None:
            return False  # an alias stays as approved text cited it (kb.reference_merge)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.citations.exists() or obj.merged_into_id is not None):
            return False  # cited references stay; the list would lose an entry
        return super().has_delete_permission(request, obj)

    @admin.display(description="Title")
    def short_title(self, obj):
        return obj.title if len(obj.title) < 90 else obj.title[:87] + "…"

    @admin.display(description="First author")
    def first_author(self, obj):
        return obj.first_author_family

    @admin.display(description="Vancouver style")
    def formatted(self, obj):
        # The formatter escapes every piece of record text itself (tested with <script>).
        return mark_safe(format_reference_html(obj)) if obj.pk else "—"  # noqa: S308

    @admin.display(description="Cited in")
    def cited_in(self, obj):
        if not obj.pk:
            return "—"
        citations = obj.citations.select_related("revision__condition").order_by(
            "revision__condition__slug", "-revision__number"
        )
        if not citations:
            return "Not cited by any revision."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{} — revision {}</a> ({}{})</li>',
                (
                    (
                        reverse("admin:kb_revision_change", args=[c.revision_id]),
                        c.revision.condition.slug,
                        c.revision.number,
                        c.revision.get_status_display().lower(),
                        ", live"
                        if c.revision.condition.published_revision_id == c.revision_id
                        else "",
                    )
                    for c in citations
                ),
            ),
        )

    @admin.display(description="Library record changed since approval")
    def changed_since_approval(self, obj):
        if not obj.pk:
            return "—"
        stale = records_changed_since_approval(reference=obj)
        if not stale:
            return "Every live article citing it shows it as it is now."
        return format_html(
            "<p>These live articles still show the version approved with them. Start a new "
            "draft of each to bring the change to readers through review:</p><ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> (revision {}; changed: {})</li>',
                (
                    (
                        reverse("admin:kb_condition_change", args=[item.condition_id]),
                        item.name,
                        item.revision_number,
                        ", ".join(fields),
                    )
                    for item in stale
                    for _, fields in item.changes
                ),
            ),
        )

    @admin.display(description="Retraction and merge log")
    def retraction_log(self, obj):
        if not obj.pk:
            return "—"
        events = obj.events.select_related("actor").order_by("created_at", "id")
        if not events:
            return "Never flagged or merged."
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} — {} by {}: {}</li>",
                (
                    (
                        f"{e.created_at:%Y-%m-%d %H:%M}",
                        e.get_action_display(),
                        e.actor.byline_name if e.actor else "import",
                        e.note,
                    )
                    for e in events
                ),
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {
            "may_flag_retraction": workflow.may_set_retraction(request.user),
            "retraction_refusal": workflow.retraction_refusal(request.user),
            "may_merge": workflow.may_merge_references(request.user),
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        match = find_match(data=data_of(reference=obj), exclude_pk=obj.pk)
        if match is not None:
            self.message_user(
                request,
                f"Possible duplicate: [{match.reference.key}] has {match.reason}. Check "
                "whether they are the same publication, and merge them if so.",
                messages.WARNING,
            )

    # --- lookup by DOI or PMID on the add form ---------------------------------------------
    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        identifier = request.GET.get("lookup", "").strip()
        if not identifier:
            return initial
        try:
            data = lookup(identifier)
        except LookupUnavailable as exc:
            self.message_user(request, f"Lookup failed: {exc}", messages.ERROR)
            return initial
        except LookupFailed as exc:
            self.message_user(request, f"Nothing found: {exc}", messages.WARNING)
            return initial
        match = find_match(data=data)
        if match is not None:
            self.message_user(
                request,
                f"This is already in the library as [{match.reference.key}] ({match.reason})."
                if match.same_work
                else f"Possible duplicate: [{match.reference.key}] has {match.reason}.",
                messages.WARNING,
            )
        if data.retracted:
            self.message_user(
                request,
                "The source marks this publication as retracted. After saving, a medical "
                "reviewer must flag it (Flag as retracted) before any article cites it.",
                messages.WARNING,
            )
        fields = {k: v for k, v in data.__dict__.items() if v not in ("", None, [], False)}
        self.message_user(request, "Filled from the lookup: check before saving.", messages.INFO)
        return {**initial, **fields}

    # --- import ---------------------------------------------------------------------------
    def get_urls(self):
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="kb_reference_import",
            ),
            path(
                "<path:object_id>/merge/",
                self.admin_site.admin_view(self.merge_view),
                name="kb_reference_merge",
            ),
            path(
                "<path:object_id>/retraction/",
                self.admin_site.admin_view(self.retraction_view),
                name="kb_reference_retraction",
            ),
        ]
        return own + super().get_urls()

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = import_references(
                    text=form.cleaned_data["text"],
                    filename=form.cleaned_data["file"].name,
                    file_format=form.cleaned_data["format"] or None,
                    by=request.user,
                    notes=form.cleaned_data["notes"],
                    max_records=settings.REFERENCE_IMPORT_MAX_RECORDS,
                )  # one transaction: the report, or nothing written
            except UnreadableFile as exc:
                form.add_error("file", f"{exc} Nothing was imported.")
            except TooManyRecords as exc:
                form.add_error("file", f"{exc} {_use_the_command()}")
            else:
                self.message_user(
                    request, f"Import finished: {report.summary()}.", messages.SUCCESS
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import references",
            "form": form,
            "report": report,
            "may_merge": workflow.may_merge_references(request.user),
        }
        return TemplateResponse(request, "admin/kb/reference/import.html", context)

    # --- retraction: a medical reviewer's decision, with a note ---------------------------
    def retraction_view(self, request, object_id):
        """Flag or unflag one record (``kb.workflow.set_retraction``); works without JS."""
        reference = get_object_or_404(Reference, pk=object_id)
        refusal = workflow.retraction_refusal(request.user)
        if refusal:
            raise PermissionDenied(refusal)
        change_url = reverse("admin:kb_reference_change", args=[reference.pk])
        form = RetractionForm(request.POST or None, initial={"retracted": not reference.retracted})
        if request.method == "POST" and form.is_valid():
            wanted = form.cleaned_data["retracted"]
            try:
                workflow.set_retraction(
                    reference=reference, by=request.user, retracted=wanted,
                    note=form.cleaned_data["note"],
                )  # fmt: skip
            except KBError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                done = "Flagged as retracted" if wanted else "Retraction flag removed"
                self.message_user(
                    request, f"{done}: [{reference.key}]. Live pages show it now.",
                    messages.SUCCESS,
                )  # fmt: skip
                return HttpResponseRedirect(change_url)
        flagging = not reference.retracted
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": ("Flag as retracted: " if flagging else "Remove retraction flag: ")
            + reference.key,
            "reference": reference,
            "formatted": mark_safe(format_reference_html(reference)),  # noqa: S308
            "flagging": flagging,
            "form": form,
            "change_url": change_url,
            "live_count": reference.citations.filter(revision__live_for__isnull=False).count(),
        }
        return TemplateResponse(request, "admin/kb/reference/retraction.html", context)

    # --- merge: one publication, two records ----------------------------------------------
    def merge_view(self, request, object_id):
        """Merge this record into another (``kb.reference_merge``); works without JS."""
        reference = get_object_or_404(Reference, pk=object_id)
        refusal = workflow.reference_merge_refusal(request.user)
        if refusal:
            raise PermissionDenied(refusal)
        change_url = reverse("admin:kb_reference_change", args=[reference.pk])
        candidates = duplicate_candidates(reference=reference)
        initial = request.GET.get("into") or (candidates[0].key if len(candidates) == 1 else "")
        form = MergeForm(request.POST or None, initial={"into": initial}, merging=reference)
        if request.method == "POST" and form.is_valid():
            keep = form.cleaned_data["keep"]
            try:
                merge_references(
                    keep=keep, merge=reference, by=request.user, note=form.cleaned_data["note"]
                )
            except KBError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"[{reference.key}] merged into [{keep.key}]. It stays as an alias for the "
                    "approved text that cites it.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:kb_reference_change", args=[keep.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Merge [{reference.key}] into another record",
            "reference": reference,
            "formatted": mark_safe(format_reference_html(reference)),  # noqa: S308
            "candidates": [
                (c, mark_safe(format_reference_html(c)))  # noqa: S308
                for c in candidates
            ],
            "consequences": merge_consequences(reference=reference),
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/kb/reference/merge.html", context)
