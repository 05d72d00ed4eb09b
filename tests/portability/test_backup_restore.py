"""Whole-site backups lose nothing a publisher would miss: besides the library, reader
feedback, partners and their hashed keys, passwords and role memberships.

Runs on the database the suite runs on: SQLite always (the backup API), PostgreSQL when
DATABASE_URL names one (pg_dump / pg_restore).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import Partner, PartnerAPIKey
from kb.models import Condition, Feedback, Reference, Revision
from tests.factories import make_draft

# Committed rows: pg_restore runs in another session, which must not wait on ours.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site(library, reviewer):
    """The library plus what the content export leaves out."""
    live = Condition.objects.get(slug="cfs").published_revision
    Feedback.objects.create(
        condition=live.condition, revision=live, assigned_to=reviewer, message="Typo in title."
    )
    partner = Partner.objects.create(name="Clinic network", contact_email="it@example.org")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    reviewer.set_password("a long and secret passphrase")
    reviewer.save()
    return key


def _state():
    User = get_user_model()
    return {
        "conditions": sorted(Condition.objects.values_list("slug", flat=True)),
        "revisions": sorted(Revision.objects.values_list("pk", "status", "updated_at")),
        "references": sorted(Reference.objects.values_list("key", "updated_at")),
        "feedback": list(Feedback.objects.values_list("message", "assigned_to__username")),
        "users": sorted(User.objects.values_list("username", "password")),
        "roles": sorted(User.groups.through.objects.values_list("user__username", "group__name")),
        "keys": list(PartnerAPIKey.objects.values_list("partner__name", "prefix", "hashed_key")),
    }


def test_backup_then_restore_gives_the_site_back(site, tmp_path, author):
    path = tmp_path / "site.backup"
    before = _state()
    call_command("backup_site", str(path))
    make_draft(author=author, slug="written-after-the-backup")
    Feedback.objects.all().delete()
    PartnerAPIKey.objects.all().delete()
    call_command("restore_site", str(path), interactive=False)
    connection.close()  # read through a new session, as the site would
    assert _state() == before
    assert PartnerAPIKey.objects.is_valid(site)
    assert (
        get_user_model().objects.get(username="rita").check_password("a long and secret passphrase")
    )


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, db):
    path = tmp_path / "library.json"
    path.write_text('{"format": "kb-library"}')
    with pytest.raises(CommandError, match="is not an? .* backup"):
        call_command("restore_site", str(path), interactive=False)


def test_restore_asks_first(tmp_path, db, monkeypatch):
    path = tmp_path / "site.backup"
    call_command("backup_site", str(path))
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore_site", str(path))


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target,command", [("backup", "backup_site"), ("restore", "restore_site")])
def test_make_targets_run_the_commands(target, command):
    root = Path(__file__).resolve().parents[2]
    plan = subprocess.run(  # noqa: S603 - a dry run of the project's own Makefile
        ["make", "-n", "-C", str(root), target, "FILE=site.db"],  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f"manage.py {command} site.db" in plan
