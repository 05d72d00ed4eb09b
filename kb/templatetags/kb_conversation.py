"""The review conversation on desk pages: ``{% revision_conversation revision %}`` renders
the thread at the top of the revision page, ``{% unresolved_comments revision %}`` the
list shown when sending back (and wherever a decision needs it)."""

from __future__ import annotations

from django import template

from kb import comments
from kb.admin.comments import NewCommentForm, ReplyForm, ResolveForm
from kb.selectors import conversation, unresolved_threads

register = template.Library()


@register.inclusion_tag("admin/kb/revision/_conversation.html", takes_context=True)
def revision_conversation(context, revision):
    user = context["request"].user
    items = conversation(revision=revision)
    may_comment = not comments.comment_refusal(user=user, revision=revision)
    for item in items:
        if item.thread is None:
            continue
        comment = item.thread.comment
        comment.revision = revision  # the rules read its status: no query per thread
        comment.may_reply = not comments.comment_refusal(
            user=user, revision=revision, parent=comment
        )
        comment.may_resolve = not comments.resolve_refusal(user=user, comment=comment)
        comment.reply_form = ReplyForm(prefix=f"reply-{comment.pk}")
        comment.resolve_form = ResolveForm(prefix=f"resolve-{comment.pk}")
    return {
        "revision": revision,
        "items": items,
        "open_count": sum(1 for i in items if i.thread and not i.thread.is_resolved),
        "may_comment": may_comment,
        "refusal": "" if may_comment else comments.comment_refusal(user=user, revision=revision),
        "form": NewCommentForm(revision=revision) if may_comment else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("admin/kb/revision/_unresolved_comments.html")
def unresolved_comments(revision):
    return {"revision": revision, "threads": unresolved_threads(revision=revision)}


@register.simple_tag
def section_threads(revision, section_id):
    """The open threads about one section (for showing beside it)."""
    return [t for t in unresolved_threads(revision=revision) if t.comment.section_id == section_id]
