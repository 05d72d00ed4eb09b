"""python manage.py backup_site FILE — the whole database, every table, as it is now."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.backup import BackupFailed, backup_database


class Command(BaseCommand):
    help = (
        "Back up the whole database (pg_dump for PostgreSQL, the backup API for SQLite). "
        "Restore with restore_site."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the backup.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, file: str, database: str, **options):
        try:
            backup_database(path=Path(file), using=database)
        except (BackupFailed, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Backed up the database to {file}.")
