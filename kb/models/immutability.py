"""Guards for invariants I2 (approved revisions never change) and I4 (append-only log).

The guards live in the model layer (``save``/``delete`` and the querysets' bulk
``update``/``delete``), so they hold for admin, services, shell and management commands
alike. Loading a whole library from an export (``kb.portability``) is the one writer
allowed to insert rows that are already approved; it opts in with ``restoring()``.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db import models

from kb.exceptions import AppendOnly, ImmutableRevision
from kb.models.publication import PublicQuerySet

_restoring = contextvars.ContextVar("kb_restoring", default=False)


@contextlib.contextmanager
def restoring() -> Iterator[None]:
    """Allow inserting children of approved revisions while loading an export."""
    token = _restoring.set(True)
    try:
        yield
    finally:
        _restoring.reset(token)


def is_restoring() -> bool:
    return _restoring.get()


class RevisionChildQuerySet(PublicQuerySet):
    """Queryset for rows that belong to a revision (sections, citations).

    Bulk writes would skip ``Model.save``; refuse them when any row touched belongs to an
    approved revision.
    """

    revision_field = "revision"

    def _is_public_bulk(self) -> bool:
        return is_restoring()  # rows of drafts are never public; approved rows never change

    def _touches_approved(self) -> bool:
        return self.filter(**{f"{self.revision_field}__status": "approved"}).exists()

    def _targets_approved(self, kwargs) -> bool:
        from kb.models.revision import Revision

        target = kwargs.get(self.revision_field, kwargs.get(f"{self.revision_field}_id"))
        if target is None:
            return False
        target_id = getattr(target, "pk", target)
        return Revision.objects.filter(pk=target_id, status="approved").exists()

    def update(self, **kwargs):
        if self._touches_approved() or self._targets_approved(kwargs):
            raise ImmutableRevision("Sections of an approved revision cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self._touches_approved():
            raise ImmutableRevision("Sections of an approved revision cannot be deleted.")
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        from kb.models.revision import Revision

        ids = {getattr(obj, f"{self.revision_field}_id") for obj in objs}
        if not is_restoring() and Revision.objects.filter(pk__in=ids, status="approved").exists():
            raise ImmutableRevision("Nothing can be added to an approved revision.")
        return super().bulk_create(objs, *args, **kwargs)


def refuse_move_between_revisions(instance) -> None:
    """A child row never changes revision: that would add to or take from approved text."""
    if instance._state.adding:
        return
    stored = (
        type(instance)
        ._base_manager.filter(pk=instance.pk)
        .values_list("revision_id", "revision__status")
        .first()
    )
    if stored is None:
        return
    stored_revision, stored_status = stored
    if stored_revision != instance.revision_id:
        raise ImmutableRevision("A row cannot be moved to another revision.")
    if stored_status == "approved":
        raise ImmutableRevision("Rows of an approved revision cannot be changed.")


class AppendOnlyQuerySet(PublicQuerySet):
    """Queryset that refuses bulk changes: the rows are history."""

    def update(self, **kwargs):
        raise AppendOnly(f"{self.model._meta.verbose_name_plural.capitalize()} are append-only.")

    def delete(self):
        raise AppendOnly(f"{self.model._meta.verbose_name_plural.capitalize()} are append-only.")


class AppendOnlyModel(models.Model):
    """A row that may be inserted once and never changed or deleted."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(f"A {self._meta.verbose_name} cannot be changed once recorded.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(f"A {self._meta.verbose_name} cannot be deleted.")
