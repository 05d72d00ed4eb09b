"""I3: approval needs the medical-reviewer permission, and nobody approves a revision
they created or edited — even a reviewer who also holds the author role, even a
superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from accounts.roles import AUTHOR, MEDICAL_REVIEWER
from kb import services, workflow
from kb.exceptions import FourEyesViolation
from kb.models import Revision, RevisionStatus
from tests.factories import fresh, make_draft, make_in_review

pytestmark = pytest.mark.django_db


def test_creator_cannot_approve_own_revision(author):
    author.groups.add(Group.objects.get(name=MEDICAL_REVIEWER))
    author = fresh(author)
    revision = make_in_review(author=author)
    with pytest.raises(FourEyesViolation):
        workflow.approve(revision=revision, by=author)
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.IN_REVIEW
    assert not workflow.can(author, "approve", revision)


def test_editor_cannot_approve_revision_they_edited(author, reviewer):
    reviewer.groups.add(Group.objects.get(name=AUTHOR))
    reviewer = fresh(reviewer)
    revision = make_draft(author=author)
    services.update_revision(
        revision=revision, by=reviewer, expected_version=revision.lock_version, summary="Edited."
    )
    workflow.submit(revision=revision, by=author)
    with pytest.raises(FourEyesViolation):
        workflow.approve(revision=revision, by=reviewer)


def test_superuser_who_edited_cannot_approve(author, superuser):
    revision = make_draft(author=author)
    services.update_revision(
        revision=revision, by=superuser, expected_version=revision.lock_version, name="Renamed"
    )
    workflow.submit(revision=revision, by=author)
    with pytest.raises(FourEyesViolation):
        workflow.approve(revision=revision, by=superuser)


def test_another_reviewer_can_approve(author, reviewer, reviewer2):
    revision = make_in_review(author=author)
    workflow.approve(revision=revision, by=reviewer2)
    assert revision.approved_by == reviewer2


def test_database_refuses_self_approval_even_bypassing_workflow(author):
    """The check constraint holds even for code that skips kb.workflow."""
    revision = make_in_review(author=author)
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.filter(pk=revision.pk).update(approved_by=author)
