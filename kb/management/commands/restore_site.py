"""python manage.py restore_site FILE — replace the whole database with a backup."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.backup import BackupFailed, restore_database


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by backup_site. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A backup made by backup_site.")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Do not ask for confirmation.",
        )  # fmt: skip

    def handle(self, *args, file: str, database: str, interactive: bool, **options):
        if interactive:
            answer = input(
                f"Everything in the database will be replaced by {file}. "
                "Type 'yes' to continue, or 'no' to cancel: "
            )
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        try:
            restore_database(path=Path(file), using=database)
        except BackupFailed as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Restored the database from {file}."))
