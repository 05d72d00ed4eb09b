"""PostgreSQL plans a public request's queries once per connection, not on every request."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from kb.caching import state
from tests.test_demo_and_settings import ROOT

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_publication_state_query_is_prepared_after_a_few_runs():
    for _ in range(6):
        state.read()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("kb_publicationstate" in text for text in prepared), prepared


def _options(env: dict) -> str:
    code = ("import django; django.setup(); from django.conf import settings;"
            " print(sorted(settings.DATABASES['default'].get('OPTIONS', {}).items()))")  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE":
             "config.settings", **env},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_server_side_binding_is_the_postgresql_default_and_can_be_turned_off():
    url = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}
    assert "('server_side_binding', True)" in _options(url)
    assert "('prepare_threshold', 5)" in _options(url)
    assert "server_side_binding" not in _options({**url, "DATABASE_SERVER_SIDE_BINDING": "false"})
    assert "server_side_binding" not in _options({"DATABASE_URL": "sqlite:///x.sqlite3"})
