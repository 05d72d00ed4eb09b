"""python manage.py import_references FILE [--format ris|bibtex|medline|csljson]"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kb.importers import PARSERS, UnreadableFile, decode_upload
from kb.reference_import import import_references


class Command(BaseCommand):
    help = (
        "Import references from a RIS, BibTeX, PubMed MEDLINE or CSL-JSON file into the "
        "library, matching existing records by DOI, PMID, then title, year, first author and "
        "journal; records sharing only title and year are imported as possible duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--format", choices=sorted(PARSERS), help="Detected from the content when not given."
        )

    def handle(self, *args, file: str, format: str | None = None, **options):
        path = Path(file)
        try:
            decoded = decode_upload(path.read_bytes())
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}.") from exc
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except UnreadableFile as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.") from exc

        def progress(done: int, total: int) -> None:
            if total >= 20 and (done % max(total // 10, 1) == 0 or done == total):
                self.stderr.write(f"  {done}/{total} records")

        try:
            # Record by record: a file of any size, without holding up the desk meanwhile
            # (see ``import_references``); run again after an interruption.
            report = import_references(
                text=decoded.text,
                filename=path.name,
                file_format=format,
                progress=progress,
                notes=decoded.notes,
                all_or_nothing=False,
            )
        except UnreadableFile as exc:
            raise CommandError(f"{file}: {exc} Nothing was imported.") from exc
        for note in report.notes:
            self.stdout.write(self.style.WARNING(f"{file}: {note}"))
        for line in report.lines:
            if line.outcome == "created":
                self.stdout.write(f"record {line.position}: created [{line.key}] {line.title}")
                for note in line.notes:
                    self.stdout.write(f"  note: {note}")
                if line.duplicate_of:
                    self.stdout.write(f"  {line.reason}")
            elif line.outcome == "matched":
                self.stdout.write(f"record {line.position}: matched [{line.key}] {line.reason}")
            else:
                self.stdout.write(f"record {line.position}: skipped — {line.reason}")
        self.stdout.write(self.style.SUCCESS(f"{report.format}: {report.summary()}."))
