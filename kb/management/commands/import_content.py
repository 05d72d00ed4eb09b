"""python manage.py import_content FILE — load an export; all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.portability import ImportRefused, import_library, loads


class Command(BaseCommand):
    help = "Import a library exported with export_content. Refuses bad files without writing."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} is not UTF-8 text, so it cannot be an export.") from exc
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc

        def progress(done: int, total: int) -> None:
            if options["verbosity"] >= 1:
                self.stderr.write(f"Imported {done} of {total} conditions.")

        try:
            counts = import_library(loads(text), progress=progress)
        except ImportRefused as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Imported {summary}."))
