"""A medical reviewer's decision on a finding: confirm or dismiss, with a note.

Confirming a retraction or withdrawal makes it public at once through the one existing
path (``workflow.set_retraction``: the notice on every live page citing the reference, the
partner feed and the ``reference.retracted`` webhook). Corrections and expressions of
concern are not retractions: a reviewer reads them and dismisses them with a note (and
starts a new draft if the article must change).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kb import workflow
from kb.evidence.models import EvidenceFinding, FindingStatus
from kb.exceptions import ContentProblems, NotPermitted, TransitionNotAllowed


def decision_refusal(*, user, finding: EvidenceFinding, confirm: bool) -> str:
    """Why ``user`` may not decide ``finding`` this way ('' when they may)."""
    refusal = workflow.retraction_refusal(user)
    if refusal:
        return "Only a medical reviewer can confirm or dismiss a finding."
    if finding.status != FindingStatus.OPEN:
        return "This finding has already been decided."
    if confirm and not finding.retracts:
        return (
            f"A {finding.get_kind_display().lower()} is not a retraction: read it, then "
            "dismiss the finding with a note (and start a new draft if the article must change)."
        )
    return ""


def _decide(*, finding: EvidenceFinding, by, note: str, confirm: bool) -> EvidenceFinding:
    note = (note or "").strip()
    if not note:
        raise ContentProblems("Give a note: say what you checked and why you decided so.")
    locked = EvidenceFinding.objects.select_for_update().get(pk=finding.pk)
    refusal = decision_refusal(user=by, finding=locked, confirm=confirm)
    if refusal:
        denied = NotPermitted if workflow.retraction_refusal(by) else TransitionNotAllowed
        raise denied(refusal)
    if confirm and not locked.reference.retracted:
        workflow.set_retraction(
            reference=locked.reference, by=by, retracted=True, note=f"{locked.summary}. {note}"
        )
    locked.status = FindingStatus.CONFIRMED if confirm else FindingStatus.DISMISSED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save()
    finding.refresh_from_db()
    return locked


@transaction.atomic
def confirm_finding(*, finding: EvidenceFinding, by, note: str) -> EvidenceFinding:
    """Confirm a reported retraction or withdrawal: the reference is flagged at once."""
    return _decide(finding=finding, by=by, note=note, confirm=True)


@transaction.atomic
def dismiss_finding(*, finding: EvidenceFinding, by, note: str) -> EvidenceFinding:
    """Dismiss a finding (a false match, or a correction read and judged), with a note."""
    return _decide(finding=finding, by=by, note=note, confirm=False)
