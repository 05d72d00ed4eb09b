"""Signal handlers that extend the immutability guard (I2) to many-to-many edits."""

from __future__ import annotations

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from kb.exceptions import ImmutableRevision
from kb.models.immutability import is_restoring
from kb.models.revision import Revision, RevisionStatus


@receiver(m2m_changed, sender=Revision.edited_by.through)
def refuse_editor_changes_on_approved(sender, instance, action, reverse, **kwargs) -> None:
    if is_restoring() or not action.startswith("pre_"):
        return
    if reverse:
        return
    if Revision.objects.filter(pk=instance.pk, status=RevisionStatus.APPROVED).exists():
        raise ImmutableRevision("The editors of an approved revision cannot be changed.")
