"""python manage.py export_content FILE — the whole library as versioned JSON."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError

from kb.portability import stream_library


class Command(BaseCommand):
    help = "Export every condition, revision, section, review, event and reference as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the JSON ('-' for standard output).")

    def handle(self, *args, file: str, **options):
        def progress(done: int, total: int) -> None:
            if options["verbosity"] >= 1:
                self.stderr.write(f"Exported {done} of {total} conditions.")

        # Written a piece at a time, so a library of any size needs little memory.
        pieces = stream_library(progress=progress)
        if file == "-":
            for piece in pieces:
                self.stdout.write(piece, ending="")
            return
        partial = f"{file}.partial"  # a failed export never leaves a file that looks whole
        try:
            with open(partial, "w", encoding="utf-8") as out:
                out.writelines(pieces)
            os.replace(partial, file)
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc.strerror}.") from exc
        self.stderr.write(f"Exported the library to {file}.")
