"""What decides freshness: the database's identity and its publication sequence.

Why: a cache may make answers faster but may never decide what is live (I10). Every write
that can change what readers or partners see advances ``PublicationState.sequence`` in
the same transaction, so the number a reader reads and the rows it then reads come from
one committed state. Each write takes a new number (the row is already locked after the
first, so the others cost one small UPDATE each); readers only ever see the last one a
transaction committed. Cached public answers are named by this number (and by the
database's identity), read from the database once per request: a cache that was lost,
rolled back, or shared with another database can only miss, never serve an answer that
the database no longer gives.

The advance takes a row lock that is held until commit, so transactions that change public
content are serialised on it: each gets a higher number than every transaction that
committed before it, and the number order is the commit order. The partner changes feed
uses this as its cursor (``PublicChange.sequence``), so a partner's cursor never passes a
change that commits later. Numbers also never fall below the clock (microseconds), so a
database restored from an older backup never reuses a number for different content.

Partner keys have their own sequence in the same row (``access_sequence``): a revoked key
or a switched-off partner is refused at once in every process, and a key's "last used"
stamp moves neither number.

Writes announce themselves: model signals for single rows (see ``connect``), and
``PublicQuerySet`` for bulk ``update``/``bulk_create``/``bulk_update``. Inside a transaction
the sequence advances before the write (so this row is always the first a transaction
locks, which keeps lock order the same everywhere); in autocommit, right after it.
``public_content_changed`` is sent once the change has committed, for whoever keeps copies
(the caching layer) or tells others (partners).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal
from django.utils import timezone

#: Sent after commit of a transaction that changed public content; ``sequence`` is its
#: number, ``database_id`` the database's identity.
public_content_changed = Signal()

STATE_ID = 1


class PublicationState(models.Model):
    """One row per database (id 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=STATE_ID, editable=False)
    database_id = models.UUIDField(default=uuid.uuid4, editable=False)
    sequence = models.BigIntegerField(default=0, editable=False)
    access_sequence = models.BigIntegerField(default=0, editable=False)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "publication state"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=STATE_ID), name="kb_publication_one_row"),
        ]

    def __str__(self) -> str:
        return f"publication {self.sequence} of database {self.database_id}"


def _clock() -> int:
    return time.time_ns() // 1000


#: How far back a clock may seem to step (app servers disagreeing) and still be corrected.
CLOCK_SKEW = dt.timedelta(minutes=1)


def _time_after(previous: dt.datetime) -> dt.datetime:
    """Now, but never before ``previous`` when the clock seems to lag it by a little (another
    server's clock behind this one's). A clock set back further than ``CLOCK_SKEW`` was
    reset, and is followed. Two changes may share a time (``since`` repeats them); the
    sequence always tells them apart."""
    now = timezone.now()
    if now < previous - CLOCK_SKEW:
        return now
    return max(now, previous)


@dataclass(frozen=True)
class Publication:
    """The number and time a transaction's public changes are published under.

    Both are taken under the state's row lock, so both follow commit order: ``sequence``
    strictly, ``at`` never earlier than the ``at`` of any change committed before (clocks of
    several app servers may disagree a little; the stored time never goes back).
    """

    sequence: int
    at: dt.datetime


class _Advanced:
    """The on-commit callback of one advance: announces the change once it is committed."""

    def __init__(self, field: str, publication: Publication, database_id: uuid.UUID) -> None:
        self.field = field
        self.publication = publication
        self.sequence = publication.sequence
        self.database_id = database_id

    def __call__(self) -> None:
        if self.field == "sequence":
            public_content_changed.send(
                sender=PublicationState, sequence=self.sequence, database_id=self.database_id
            )


def _advance(field: str, using: str | None) -> Publication:
    if not _in_transaction(using):  # autocommit: the advance is a transaction of its own
        with transaction.atomic(using=using):
            return _advance(field, using)
    manager = PublicationState.objects.db_manager(using)
    state = manager.select_for_update().filter(pk=STATE_ID).first()
    if state is None:
        manager.get_or_create(pk=STATE_ID)
        state = manager.select_for_update().get(pk=STATE_ID)
    publication = Publication(
        sequence=max(getattr(state, field) + 1, _clock()),
        at=_time_after(state.changed_at),
    )
    manager.filter(pk=STATE_ID).update(
        **{field: publication.sequence, "changed_at": publication.at}
    )
    transaction.on_commit(_Advanced(field, publication, state.database_id), using=using)
    return publication


def advance(*, using: str | None = None) -> Publication:
    """Public content changes in this transaction: its publication (taken once)."""
    return _advance("sequence", using)


def advance_access(*, using: str | None = None) -> Publication:
    """Partner keys or partners change in this transaction."""
    return _advance("access_sequence", using)


def _in_transaction(using: str | None = None) -> bool:
    return transaction.get_connection(using).in_atomic_block


class PublicQuerySet(models.QuerySet):
    """The queryset of every public model: bulk writes advance the sequence too."""

    def _is_public_bulk(self) -> bool:
        return True

    def _around(self, write):
        if not self._is_public_bulk():
            return write()
        if _in_transaction(self.db):
            advance(using=self.db)
            return write()
        result = write()
        advance(using=self.db)
        return result

    def update(self, **kwargs):
        return self._around(lambda: super(PublicQuerySet, self).update(**kwargs))

    def bulk_create(self, objs, *args, **kwargs):
        return self._around(lambda: super(PublicQuerySet, self).bulk_create(objs, *args, **kwargs))

    def bulk_update(self, objs, *args, **kwargs):
        return self._around(lambda: super(PublicQuerySet, self).bulk_update(objs, *args, **kwargs))

    def delete(self):
        return self._around(lambda: super(PublicQuerySet, self).delete())


# --- single-row writes --------------------------------------------------------------------


def _is_public_write(sender, instance, kwargs: dict[str, Any]) -> bool:
    if kwargs.get("raw"):  # fixtures load rows as they are
        return False
    label = sender._meta.label_lower
    if label in ("kb.section", "kb.citation"):
        # Rows of drafts are never public, and those of approved text never change: only
        # loading an export writes approved rows.
        from kb.models.immutability import is_restoring

        return is_restoring()
    if label == "kb.revision":
        # Drafts and revisions in review are never public; an approved row is written
        # only by the approval itself (which advances first) or by a restore.
        return instance.status == "approved"
    if label == "accounts.user":
        # The byline shows names and credentials; signing in (last_login) shows nothing.
        fields = kwargs.get("update_fields")
        return not (fields and set(fields) <= {"last_login"})
    return True


def _before(sender, instance, **kwargs) -> None:
    if _in_transaction() and _is_public_write(sender, instance, kwargs):
        advance()


def _after(sender, instance, **kwargs) -> None:
    if not _in_transaction() and _is_public_write(sender, instance, kwargs):
        advance()


def _m2m(sender, instance, action, **kwargs) -> None:
    before = action.startswith("pre_")
    if before == _in_transaction():
        advance()


def _access_before(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw") and _in_transaction():
        advance_access()


def _access_after(sender, instance, **kwargs) -> None:
    if not kwargs.get("raw") and not _in_transaction():
        advance_access()


#: Models whose rows reach readers or partners (directly or as part of an answer).
PUBLIC_MODELS = (
    "kb.condition",
    "kb.conditionslug",
    "kb.conditioncode",
    "kb.revision",
    "kb.section",
    "kb.citation",
    "kb.reference",
    "kb.review",
    "kb.publicchange",
    "kb.searchdocument",
    "accounts.user",
)
ACCESS_MODELS = ("accounts.partner", "accounts.partnerapikey")


def connect() -> None:
    """Watch the public and access models (called from ``KbConfig.ready``)."""
    from django.apps import apps

    for label in PUBLIC_MODELS:
        model = apps.get_model(label)
        uid = _watch(model, before=_before, after=_after)
        for field in model._meta.local_many_to_many:
            if field.name == "related":  # the only many-to-many readers see
                m2m_changed.connect(
                    _m2m, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}"
                )
    for label in ACCESS_MODELS:
        _watch(apps.get_model(label), before=_access_before, after=_access_after)


def _watch(model, *, before, after) -> str:
    """Connect ``before`` to the model's pre-write signals and ``after`` to its post-write
    ones; returns the prefix of their dispatch ids."""
    uid = f"kb.publication:{model._meta.label_lower}"
    pre_save.connect(before, sender=model, dispatch_uid=f"{uid}:pre_save")
    post_save.connect(after, sender=model, dispatch_uid=f"{uid}:post_save")
    pre_delete.connect(before, sender=model, dispatch_uid=f"{uid}:pre_delete")
    post_delete.connect(after, sender=model, dispatch_uid=f"{uid}:post_delete")
    return uid
