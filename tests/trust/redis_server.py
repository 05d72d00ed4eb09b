"""A real redis-server on a spare port, started and stopped by the test that uses it.

Faults are made for real: the process is stopped, paused (``CLIENT PAUSE``) or restarted
from an older dump file, as an outage or a failover would leave it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port),
             "--dir", str(self.directory), "--dbfilename", "dump.rdb",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                if self.client().ping():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def snapshot(self) -> Path:
        """Write the data set to disk now and keep a copy (an older backup, later)."""
        self.client().save()
        kept = self.directory / "older.rdb"
        shutil.copyfile(self.directory / "dump.rdb", kept)
        return kept

    def restart_from(self, dump: Path) -> None:
        """Stop, put ``dump`` back as the data file, start: the cache rolls back."""
        self.stop()
        shutil.copyfile(dump, self.directory / "dump.rdb")
        self.start()

    def pause(self, milliseconds: int) -> None:
        self.client().execute_command("CLIENT", "PAUSE", milliseconds, "ALL")


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


@pytest.fixture
def redis_server(tmp_path, settings):
    """A private redis-server as the site's cache (django-redis, as in production)."""
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail("redis-server is required in CI")
        pytest.skip("redis-server is not installed")
    from django.core.cache import cache

    from kb.caching import store

    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
            },
        }
    }
    store.clear_local()
    yield server
    server.stop()
    cache.close()
    store.clear_local()
