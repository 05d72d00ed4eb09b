"""Demo content loads through the workflow, is idempotent, and is refused in production;
settings come from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kb.models import Condition, Reference, Revision, WorkflowEvent

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_load_demo_is_idempotent_and_complete(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    counts = (Condition.objects.count(), Revision.objects.count(), Reference.objects.count(),
              WorkflowEvent.objects.count())  # fmt: skip
    call_command("load_demo")
    assert counts == (Condition.objects.count(), Revision.objects.count(),
                      Reference.objects.count(), WorkflowEvent.objects.count())  # fmt: skip
    assert counts[0] == 5
    cfs = Condition.objects.get(slug="cramp-fasciculation-syndrome")
    newer = cfs.revisions.get(status="in_review")
    assert newer.based_on == cfs.published_revision
    assert newer.summary != cfs.published_revision.summary
    bfs = Condition.objects.get(slug="benign-fasciculation-syndrome")
    assert bfs.published_revision is None
    assert client.get("/conditions/benign-fasciculation-syndrome/").status_code == 404
    page = client.get("/conditions/cramp-fasciculation-syndrome/").content.decode()
    assert "Medically reviewed by" in page and '<li id="ref-1">' in page
    assert "Benign fasciculation syndrome" not in page.split("Related conditions")[-1]
    for slug in ("amyotrophic-lateral-sclerosis", "neuromyotonia", "fasciculations"):
        assert client.get(f"/conditions/{slug}/").status_code == 200


@pytest.mark.django_db
def test_load_demo_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")
    assert not Condition.objects.exists()


def _settings_check(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY",
                                                              "ALLOWED_HOSTS")}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings;"
         " print(settings.REVIEW_INTERVAL_DAYS, settings.DATABASES['default']['ENGINE'])"],
        cwd=ROOT, env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_secret_key_required_when_debug_off():
    result = _settings_check({"DEBUG": "false", "ALLOWED_HOSTS": "example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_allowed_hosts_required_when_debug_off():
    result = _settings_check({"DEBUG": "false", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_site_url_required_when_debug_off():
    """Without it every API answer and e-mail would carry a development address."""
    result = _settings_check(
        {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"}
    )
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr
    with_url = {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org",
                "SITE_URL": "https://example.org"}  # fmt: skip
    assert _settings_check(with_url).returncode == 0


def test_settings_from_environment():
    result = _settings_check({"REVIEW_INTERVAL_DAYS": "365",
                              "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["365", "django.db.backends.postgresql"]


def test_bad_setting_is_a_clear_error():
    result = _settings_check({"REVIEW_INTERVAL_DAYS": "three years"})
    assert result.returncode != 0
    assert "REVIEW_INTERVAL_DAYS must be a whole number" in result.stderr
