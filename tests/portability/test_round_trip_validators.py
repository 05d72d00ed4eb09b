"""A restore from an export keeps what readers' caches hold: the article's ETag and
Last-Modified are the same after export → import into an empty database."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.roles import AUTHOR
from kb.models import Condition, Reference, Review, Revision
from tests.factories import UserFactory, make_draft
from tests.portability.conftest import wipe

pytestmark = pytest.mark.django_db


def test_article_validators_survive_export_and_import(library, tmp_path, client):
    path = tmp_path / "lib.json"
    before = client.get("/conditions/cfs/")
    changed = dict(Reference.objects.values_list("key", "updated_at"))
    call_command("export_content", str(path))
    wipe()
    call_command("import_content", str(path))
    after = client.get("/conditions/cfs/")
    assert after.status_code == 200
    assert after["Last-Modified"] == before["Last-Modified"]
    assert after["ETag"] == before["ETag"]
    assert dict(Reference.objects.values_list("key", "updated_at")) == changed


def test_import_beside_other_revisions_numbers_the_rows_anew(library, tmp_path):
    """Row numbers are kept only in an empty library; beside other rows they could clash."""
    path = tmp_path / "lib.json"
    call_command("export_content", str(path))
    wipe()
    make_draft(author=UserFactory(username="other", role=AUTHOR), slug="already-here")
    make_draft(author=UserFactory(username="more", role=AUTHOR), slug="here-too")
    call_command("import_content", str(path))
    assert Revision.objects.count() == 2 + len(
        [r for c in json.loads(path.read_text())["conditions"] for r in c["revisions"]]
    )


def test_import_reports_progress(library, tmp_path):
    path = tmp_path / "lib.json"
    call_command("export_content", str(path))
    wipe()
    err = io.StringIO()
    call_command("import_content", str(path), stderr=err)
    assert "Imported 3 of 3 conditions." in err.getvalue()


def test_after_a_restore_new_revisions_and_reviews_get_new_numbers(library, tmp_path):
    """Rows inserted with their numbers must not leave PostgreSQL's sequences behind."""
    path = tmp_path / "lib.json"
    call_command("export_content", str(path))
    wipe()
    call_command("import_content", str(path))
    rita = get_user_model().objects.get(username="rita")
    draft = Revision.objects.create(
        condition=Condition.objects.get(slug="gone-now"), number=9, name="New",
        summary="New.", created_by=get_user_model().objects.get(username="alice"),
    )  # fmt: skip
    review = Review.objects.create(
        revision=draft, reviewer=rita, reviewed_on=dt.date(2026, 1, 1),
        next_review_due=dt.date(2027, 1, 1),
    )  # fmt: skip
    assert draft.pk > max(r["id"] for c in json.loads(path.read_text())["conditions"]
                          for r in c["revisions"])  # fmt: skip
    assert review.pk > 0
