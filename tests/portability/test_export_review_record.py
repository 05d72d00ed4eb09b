"""The review record of an approval (attestation, retraction acknowledgement, confirmed
change class) and the revision's change class survive export and import."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kb import workflow
from kb.models import Review, Revision
from kb.models.review import ATTESTATION
from tests.factories import ReferenceFactory, make_draft
from tests.portability.conftest import wipe

pytestmark = pytest.mark.django_db


def test_review_record_round_trips(author, reviewer, tmp_path):
    ReferenceFactory(key="gone2020", retracted=True)
    draft = make_draft(
        author=author,
        slug="cramp",
        sections=[{"kind": "overview", "heading": "Overview", "body": "Claimed [@gone2020]."}],
    )
    draft.change_class = "editorial"
    draft.save()
    workflow.submit(revision=draft, by=author)
    workflow.approve(
        revision=draft,
        by=reviewer,
        attestation=ATTESTATION,
        change_class="correction",
        retraction_acknowledgement="Cited as the refuted claim.",
    )
    path = tmp_path / "lib.json"
    call_command("export_content", str(path))
    wipe()
    call_command("import_content", str(path))

    review = Review.objects.get()
    assert review.attestation == ATTESTATION
    assert review.retraction_acknowledgement == "[@gone2020]: Cited as the refuted claim."
    assert review.change_class == "correction"
    assert Revision.objects.get().change_class == "correction"
