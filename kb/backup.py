"""Whole-site backups: every table as it is, with the database's own tools.

Why not the content export (``kb.portability``): that file is for moving the library
between installations, and holds only the library and the people it names. A backup must
also keep what a publisher would miss after a disaster: reader feedback, partners and
their hashed keys, passwords, role memberships, sessions, the notification outbox. The
database's own tools copy all of it, consistently, and restore it exactly:

- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, compressed) and
  ``pg_restore --clean --if-exists --single-transaction`` (all or nothing).
- SQLite: the online backup API (``sqlite3.Connection.backup``), which copies a
  consistent image page by page while the site keeps running, both ways.

A restore gives the database back as it was, identity and publication sequence included;
numbers of the sequence never fall below the clock (``kb.models.publication``), so cached
answers can never be mistaken for ones of the restored content.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupFailed(Exception):
    """The backup or restore did not happen; the message says why."""


def backup_database(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> None:
    """Write a consistent copy of the whole database to ``path``."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            with target:
                connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        _run("pg_dump", ["--format=custom", f"--file={path}"], using)
    else:
        raise BackupFailed(f"Backups of {connection.vendor} databases are not supported.")


def restore_database(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> None:
    """Replace the whole database with the backup at ``path``. All or nothing."""
    connection = connections[using]
    try:
        header = path.open("rb").read(len(SQLITE_HEADER))
    except OSError as exc:
        raise BackupFailed(f"Cannot read {path}: {exc.strerror}.") from exc
    if connection.in_atomic_block:
        raise BackupFailed("A restore cannot run inside a transaction.")
    if connection.vendor == "sqlite":
        if header != SQLITE_HEADER:
            raise BackupFailed(f"{path} is not an SQLite backup (made by backup_site).")
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    elif connection.vendor == "postgresql":
        if not header.startswith(PG_DUMP_HEADER):
            raise BackupFailed(f"{path} is not a PostgreSQL backup (made by backup_site).")
        connection.close()  # our own session must hold no lock on what is dropped
        _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                            "--exit-on-error", str(path)], using)  # fmt: skip
    else:
        raise BackupFailed(f"Backups of {connection.vendor} databases are not supported.")


def _run(program: str, arguments: list[str], using: str) -> None:
    """Run a PostgreSQL client program against the database ``using`` names."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupFailed(f"{program} is not installed (PostgreSQL's client programs).")
    connection = connections[using]
    settings = connection.settings_dict
    # The same environment psql gets from Django (password, service, SSL files).
    _, env = connection.client.settings_to_cmd_args_env(settings, [])
    target = [f"--dbname={settings['NAME']}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            target.append(f"{option}={settings[key]}")
    done = subprocess.run(  # noqa: S603 - a fixed program, arguments from settings
        [executable, *target, *arguments],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupFailed(f"{program} failed: {done.stderr.strip()}")
