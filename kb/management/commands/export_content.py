"""python manage.py export_content FILE — the whole library as versioned JSON."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.portability import dumps, export_library


class Command(BaseCommand):
    help = "Export every condition, revision, section, review, event and reference as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the JSON ('-' for standard output).")

    def handle(self, *args, file: str, **options):
        text = dumps(export_library())
        if file == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(file).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc.strerror}.") from exc
        self.stderr.write(f"Exported the library to {file}.")
