"""I6: two people editing the same draft — the second save is refused, the first kept."""

from __future__ import annotations

import pytest

from kb import services
from kb.exceptions import StaleEdit
from kb.models import Revision
from tests.factories import make_draft

pytestmark = pytest.mark.django_db


def test_second_stale_model_save_refused(author):
    draft = make_draft(author=author)
    first = Revision.objects.get(pk=draft.pk)
    second = Revision.objects.get(pk=draft.pk)
    first.summary = "First editor's summary."
    first.save()
    second.summary = "Second editor's summary."
    with pytest.raises(StaleEdit):
        second.save()
    assert Revision.objects.get(pk=draft.pk).summary == "First editor's summary."


def test_service_refuses_stale_version_and_keeps_sections(author, author2):
    draft = make_draft(author=author)
    opened = draft.lock_version
    services.update_revision(
        revision=Revision.objects.get(pk=draft.pk),
        by=author,
        expected_version=opened,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Kept text."}],
    )
    with pytest.raises(StaleEdit):
        services.update_revision(
            revision=Revision.objects.get(pk=draft.pk),
            by=author2,
            expected_version=opened,
            sections=[{"kind": "overview", "heading": "Overview", "body": "Lost text."}],
        )
    assert list(draft.sections.values_list("body", flat=True)) == ["Kept text."]


def test_each_save_bumps_the_version(author):
    draft = make_draft(author=author)
    version = draft.lock_version
    draft.name = "Renamed"
    draft.save()
    assert Revision.objects.get(pk=draft.pk).lock_version == version + 1
