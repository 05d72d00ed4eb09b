"""Two server processes, one Redis, one PostgreSQL: an approval made through one process is
served by the other at once (issue: stateless app servers behind a load balancer)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from kb import services, workflow
from kb.models import Revision
from tests.factories import make_live

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _redis_answers() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no Redis here"
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    password = urllib.parse.quote(s.get("PASSWORD") or "")
    auth = f"{s['USER']}:{password}@" if password else f"{s['USER']}@"
    return f"postgres://{auth}{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def two_servers():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared between processes")
    if not _redis_answers():
        if "TEST_REDIS_URL" in os.environ:  # CI provides Redis and says so
            pytest.fail(f"Redis does not answer at {REDIS_URL}")
        pytest.skip("needs Redis")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "DEBUG": "true",
        "PYTHONPATH": str(ROOT),
    }
    servers = []
    for _ in range(2):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}",
             "-w", "1", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        servers.append((process, f"http://127.0.0.1:{port}"))
    try:
        for process, base in servers:
            _wait_until_up(process, base)
        yield [base for _, base in servers]
    finally:
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_up(process, base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode())
        try:
            urllib.request.urlopen(base + "/robots.txt", timeout=2)  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not start")


def _get(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=10) as response:  # noqa: S310
        return response.read().decode()


class Desk:
    """A reviewer signed in to the editorial desk of one server, over real HTTP."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.jar = jar
        self.post("/admin/login/", {"username": username, "password": password,
                                    "next": "/admin/"})  # fmt: skip

    def csrf(self, path: str) -> str:
        self.opener.open(self.base + path, timeout=10).read()
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path: str, data: dict) -> str:
        token = self.csrf(path)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(  # noqa: S310
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        return self.opener.open(request, timeout=10).read().decode()


def test_an_approval_through_one_process_is_served_by_the_other(
    two_servers, author, author2, reviewer, reviewer2
):
    first, second = two_servers
    live = make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp")
    draft = workflow.start_new_draft(condition=live.condition, by=author2)
    services.update_revision(
        revision=draft, by=author2, expected_version=draft.lock_version, name="Muscle cramp"
    )
    workflow.submit(revision=draft, by=author2)
    reviewer2.set_password("a-long-test-password-2026")
    reviewer2.save()

    # Both processes have the live page in the shared cache.
    for base in (first, second):
        assert "Muscle cramp" not in _get(base, "/conditions/cramp/")
        assert "Muscle cramp" not in _get(base, "/conditions/")

    desk = Desk(first, "ravi", "a-long-test-password-2026")
    draft = Revision.objects.get(pk=draft.pk)
    desk.post(
        f"/admin/kb/revision/{draft.pk}/transition/approve/",
        {"reviewed_on": "2026-01-05", "next_review_due": "2029-01-05",
         "opened_version": draft.lock_version, "change_class": "clinical",
         "attestation": "on"},
    )  # fmt: skip
    assert Revision.objects.get(pk=draft.pk).status == "approved"

    page = _get(second, "/conditions/cramp/")
    assert re.search(r"<h1[^>]*>Muscle cramp</h1>", page)
    assert "Muscle cramp" in _get(second, "/conditions/")
