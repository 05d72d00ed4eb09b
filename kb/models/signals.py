"""Signal handlers for many-to-many edits: the immutability guard (I2) for editors, and no
condition related to itself."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from kb.exceptions import ImmutableRevision
from kb.models.condition import Condition
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


SELF_RELATED = "A condition cannot be related to itself."


@receiver(m2m_changed, sender=Condition.related.through)
def refuse_self_relation(sender, instance, action, pk_set, **kwargs) -> None:
    """A condition related to itself links its own page from its own page.

    The link table is the one Django makes for the many-to-many (so the desk can edit it
    with its usual widget); a check on it in the database backs this up (migration
    ``0016_html_related_not_self``), this gives code a clear error first.
    """
    if action == "pre_add" and pk_set and instance.pk in pk_set:
        raise ValidationError(SELF_RELATED, code="self_related")
