"""Write the missing search documents of public and scheduled revisions, delete the others.

The workflow keeps documents for exactly the revisions that are published or scheduled
(``kb.search_index``), so this is needed only after rows were written around
``kb.workflow`` (a bulk load, a restore from a database dump) or with ``--all`` after a
change to how documents are made. Documents are derived data: rebuilding them
loses nothing, and search keeps working meanwhile for every revision that has one.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from kb.models import SearchDocument
from kb.models.publication import advance
from kb.search_index import sync_documents


class Command(BaseCommand):
    help = "Write missing search documents (all of them again with --all)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="Rebuild every document, not only missing ones."
        )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            advance()  # cached search results may differ afterwards
            if options["all"]:
                SearchDocument.objects.all().delete()
            written, deleted = sync_documents()
        self.stdout.write(f"{written} search document(s) written, {deleted} deleted")
