"""The review conversation in the editorial desk: add, reply to and resolve comments.

Plain POST forms on the revision page (no JavaScript needed); each view checks the rule in
``kb.comments`` through the service it calls, and comes back to the conversation on the
revision page with what happened, or why not, as a message. A GET (a reloaded or
bookmarked form address) writes nothing and leads back to the conversation.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from kb import comments
from kb.exceptions import KBError
from kb.models import Revision, Section, SectionComment
from kb.selectors import unresolved_threads


class NewCommentForm(forms.Form):
    section = forms.ModelChoiceField(
        queryset=Section.objects.none(),
        required=False,
        empty_label="The whole revision",
        label="About",
    )
    quote = forms.CharField(
        required=False,
        max_length=comments.QUOTE_MAX_LENGTH,
        label="Quoted passage (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Copy the words you mean from the section, so the author finds them.",
    )
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, revision: Revision, **kwargs):
        super().__init__(*args, prefix="new-comment", **kwargs)
        self.fields["section"].queryset = revision.sections.order_by("position", "id")
        self.fields["section"].label_from_instance = lambda s: s.heading


class ReplyForm(forms.Form):
    body = forms.CharField(label="Reply", widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    note = forms.CharField(
        required=False, label="Note (optional)", widget=forms.TextInput(attrs={"size": 40})
    )


def _revision(model_admin, request, object_id: int) -> Revision:
    revision = get_object_or_404(Revision.objects.select_related("condition"), pk=object_id)
    if not model_admin.has_view_permission(request, revision):
        raise PermissionDenied
    return revision


def _thread(revision: Revision, comment_id: int) -> SectionComment:
    return get_object_or_404(
        SectionComment.objects.select_related("revision"), pk=comment_id, revision=revision
    )


def _back(revision: Revision, anchor: str = "conversation") -> HttpResponseRedirect:
    return HttpResponseRedirect(
        reverse("admin:kb_revision_change", args=[revision.pk]) + f"#{anchor}"
    )


def _problems(form: forms.Form) -> str:
    return " ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
        for name, errors in form.errors.items()
    )


def comment_urls(model_admin) -> list:
    """The conversation's URLs, for ``RevisionAdmin.get_urls``."""
    site = model_admin.admin_site

    def add(request, object_id: int):
        revision = _revision(model_admin, request, object_id)
        if request.method != "POST":
            return _back(revision)
        form = NewCommentForm(request.POST, revision=revision)
        if not form.is_valid():
            messages.error(request, f"Your comment was not saved. {_problems(form)}")
            return _back(revision, "new-comment")
        try:
            comment = comments.add_comment(
                revision=revision,
                by=request.user,
                body=form.cleaned_data["body"],
                section=form.cleaned_data["section"],
                quote=form.cleaned_data["quote"],
            )
        except KBError as exc:
            messages.error(request, f"Your comment was not saved. {exc}")
            return _back(revision, "new-comment")
        messages.success(request, "Comment added.")
        return _back(revision, f"comment-{comment.pk}")

    def reply(request, object_id: int, comment_id: int):
        revision = _revision(model_admin, request, object_id)
        if request.method != "POST":
            return _back(revision)
        thread = _thread(revision, comment_id)
        form = ReplyForm(request.POST, prefix=f"reply-{thread.pk}")
        if not form.is_valid():
            messages.error(request, "Your reply was not saved: write the reply.")
            return _back(revision, f"comment-{thread.pk}")
        try:
            comments.reply(comment=thread, by=request.user, body=form.cleaned_data["body"])
        except KBError as exc:
            messages.error(request, f"Your reply was not saved. {exc}")
        else:
            messages.success(request, "Reply added.")
        return _back(revision, f"comment-{thread.pk}")

    def resolve(request, object_id: int, comment_id: int):
        revision = _revision(model_admin, request, object_id)
        if request.method != "POST":
            return _back(revision)
        thread = _thread(revision, comment_id)
        form = ResolveForm(request.POST, prefix=f"resolve-{thread.pk}")
        form.is_valid()
        try:
            comments.resolve(
                comment=thread, by=request.user, note=form.cleaned_data.get("note", "")
            )
        except KBError as exc:
            messages.error(request, f"The comment was not resolved. {exc}")
        else:
            messages.success(request, "Comment resolved.")
        return _back(revision, f"comment-{thread.pk}")

    return [
        path(
            "<int:object_id>/comments/add/",
            site.admin_view(add),
            name="kb_revision_comment_add",
        ),
        path(
            "<int:object_id>/comments/<int:comment_id>/reply/",
            site.admin_view(reply),
            name="kb_revision_comment_reply",
        ),
        path(
            "<int:object_id>/comments/<int:comment_id>/resolve/",
            site.admin_view(resolve),
            name="kb_revision_comment_resolve",
        ),
    ]


def section_comment_links(section: Section | None):
    """The open threads about ``section``, each linking to its place in the conversation:
    shown beside the section in the revision form, so the author sees what to change."""
    if section is None or section.pk is None:
        return "—"
    threads = [
        t
        for t in unresolved_threads(revision=section.revision)
        if t.comment.section_id == section.pk
    ]
    if not threads:
        return "None"
    return format_html(
        '<ul class="kb-section-comments">{}</ul>',
        format_html_join(
            "",
            '<li><a href="#comment-{}">{}: {}</a></li>',
            (
                (t.comment.pk, t.comment.author.byline_name, Truncator(t.comment.body).words(25))
                for t in threads
            ),
        ),
    )
