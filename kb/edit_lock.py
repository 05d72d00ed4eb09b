"""The draft's optimistic lock (I6), as editors meet it: who saved last, and when.

A save or an autosave that started from an older ``lock_version`` is refused. Saying only
"someone else saved" leaves two authors guessing; naming the person and the time of the
save they would overwrite tells them whom to talk to and which text is newer. The form
(without JavaScript), the autosave endpoint and the model's own guard share this message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import dateformat, timezone

from kb.models import Revision


@dataclass(frozen=True)
class LastSave:
    """The stored state of a revision's lock."""

    version: int
    by_id: int | None
    by_name: str
    at: dt.datetime


def last_save(*, revision_id: int) -> LastSave | None:
    """The lock version, saver and time as stored now (``None`` if the row is gone)."""
    row = (
        Revision.objects.filter(pk=revision_id)
        .values_list("lock_version", "updated_by_id", "updated_at")
        .first()
    )
    if row is None:
        return None
    version, by_id, at = row
    name = ""
    if by_id is not None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(pk=by_id).first()
        name = user.byline_name if user is not None else ""
    return LastSave(version=version, by_id=by_id, by_name=name, at=at)


def when(at: dt.datetime) -> str:
    """``14:05:32 on 30 November 2026`` in the desk's time zone."""
    return dateformat.format(timezone.localtime(at), r"H:i:s \o\n j F Y")


def stale_message(*, last: LastSave | None, user) -> str:
    """Why a save from an older version was refused, naming who saved and when."""
    if last is None:
        return "This revision no longer exists. Nothing was saved."
    if last.by_id is not None and user is not None and last.by_id == user.pk:
        who = "You saved this revision in another window or tab"
    elif last.by_name:
        who = f"{last.by_name} saved this revision"
    else:
        who = "Someone else saved this revision"
    return (
        f"{who} at {when(last.at)}, after you opened it. Your changes were not saved and "
        "theirs are kept. Copy any text you want to keep, open the revision again to see the "
        "current text, then redo your changes."
    )
