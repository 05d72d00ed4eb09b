"""DATABASE_REPLICA_URL: public reads go to the replica, writes and the desk to the primary.

Run with two real database aliases (two SQLite files) in a subprocess, since the set of
databases is fixed when Django starts. The replica is a copy of the primary taken before a
new publication, so which alias answered is visible in the page.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.db_router import ReplicaRouter, is_public_read

HERE = Path(__file__).resolve().parent


def test_public_reads_use_the_replica_and_the_desk_the_primary(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'primary.sqlite3'}",
        "DATABASE_REPLICA_URL": f"sqlite:///{tmp_path / 'replica.sqlite3'}",
        "CACHE_URL": "locmem://",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(HERE / "replica_scenario.py")],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    facts = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    assert facts["aliases"] == "default,replica"
    assert facts["caught_up_replica_used"] == "True"
    assert facts["lagging_replica_skipped"] == "True"
    assert facts["a_to_z_from_primary"] == "True"
    assert facts["withdrawn_status"] == "410"
    assert facts["withdrawn_api_of_replica_hidden"] == "True"
    assert facts["desk_status"] == "200"
    assert facts["desk_from_primary"] == "True"
    assert facts["signed_in_reader_from_primary"] == "True"
    assert facts["feedback_status"] in ("302", "303")
    assert facts["feedback_on_primary"] == "1"
    assert facts["feedback_on_replica"] == "0"


class FakeRequest:
    def __init__(self, method="GET", path="/conditions/x/", cookies=None):
        self.method, self.path, self.COOKIES = method, path, cookies or {}


@pytest.mark.parametrize(
    ("request_", "public"),
    [
        (FakeRequest(), True),
        (FakeRequest(method="HEAD", path="/api/v1/conditions/"), True),
        (FakeRequest(method="POST", path="/conditions/x/report/"), False),
        (FakeRequest(path="/admin/kb/condition/"), False),
        (FakeRequest(cookies={"sessionid": "abc"}), False),
    ],
)
def test_which_requests_count_as_public_reads(request_, public):
    assert is_public_read(request_) is public


def test_writes_and_migrations_never_go_to_the_replica():
    router = ReplicaRouter()
    assert router.db_for_write(None) == "default"
    assert router.allow_migrate("replica", "kb") is False
    assert router.allow_migrate("default", "kb") is True
