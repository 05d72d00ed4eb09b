"""Two databases behind one cache (a restore into a new database, staging and production
sharing a Redis) never see each other's entries: every key carries the database's
identity, and every entry expires."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _serve(tmp_path: Path, redis_url: str, name: str, other: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / f'{name}.sqlite3'}",
        "REDIS_URL": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(HERE / "shared_cache_scenario.py"), name, other],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


def test_two_databases_sharing_one_redis_never_serve_each_others_text(redis_server, tmp_path):
    first = _serve(tmp_path, redis_server.url, "Alpha", "Beta")
    second = _serve(tmp_path, redis_server.url, "Beta", "Alpha")  # same ids, other text
    assert first == {"own": "True", "other": "False"}
    assert second == {"own": "True", "other": "False"}
    redis = redis_server.client()
    keys = redis.keys("*")
    assert keys and all(redis.ttl(key) > 0 for key in keys)
