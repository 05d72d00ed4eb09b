"""Each role × each transition: allowed for the role that holds the permission, refused
(with NotPermitted and nothing changed) for every other."""

from __future__ import annotations

import pytest

from kb import workflow
from kb.exceptions import NotPermitted
from kb.models import Revision, RevisionStatus, WorkflowEvent
from tests.factories import make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db

ROLES = ["author", "reviewer", "publisher", "nobody"]

# transition -> the roles allowed to make it
ALLOWED = {
    "submit": {"author"},
    "approve": {"reviewer"},
    "request_changes": {"reviewer"},
    "start_new_draft": {"author"},
    "withdraw": {"publisher"},
    "restore": {"publisher"},
}


def _setup(name, author2, reviewer2, publisher):
    """A target in the right state for ``name``, made by people outside the tested roles."""
    if name == "submit":
        return make_draft(author=author2)
    if name in ("approve", "request_changes"):
        return make_in_review(author=author2)
    live = make_live(author=author2, reviewer=reviewer2)
    if name == "restore":
        workflow.withdraw(condition=live.condition, by=publisher, reason="Checking a dose.")
    return live


def _do(name, target, user):
    if name == "submit":
        return workflow.submit(revision=target, by=user)
    if name == "approve":
        return workflow.approve(revision=target, by=user)
    if name == "request_changes":
        return workflow.request_changes(revision=target, by=user, comment="Please fix.")
    if name == "start_new_draft":
        return workflow.start_new_draft(condition=target.condition, by=user)
    if name == "withdraw":
        return workflow.withdraw(condition=target.condition, by=user, reason="Outdated.")
    if name == "restore":
        return workflow.restore(condition=target.condition, by=user)
    raise AssertionError(name)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ALLOWED))
def test_role_transition_matrix(request, name, role, author2, reviewer2):
    publisher_for_setup = request.getfixturevalue("publisher")
    target = _setup(name, author2, reviewer2, publisher_for_setup)
    user = request.getfixturevalue(role)
    events_before = WorkflowEvent.objects.count()
    revisions_before = list(Revision.objects.values_list("pk", "status", "lock_version"))

    if role in ALLOWED[name]:
        _do(name, target, user)
        assert WorkflowEvent.objects.count() == events_before + 1
        assert WorkflowEvent.objects.order_by("-id").first().actor == user
    else:
        with pytest.raises(NotPermitted):
            _do(name, target, user)
        assert WorkflowEvent.objects.count() == events_before
        assert list(Revision.objects.values_list("pk", "status", "lock_version")) == (
            revisions_before
        )


def test_superuser_may_approve_others_work(author, superuser):
    revision = make_in_review(author=author)
    workflow.approve(revision=revision, by=superuser)
    assert revision.status == RevisionStatus.APPROVED


def test_inactive_reviewer_cannot_approve(author, reviewer):
    revision = make_in_review(author=author)
    reviewer.is_active = False
    reviewer.save()
    with pytest.raises(NotPermitted):
        workflow.approve(revision=revision, by=reviewer)
