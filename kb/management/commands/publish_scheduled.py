"""Catch up scheduled publications whose go-live time has come.

Readers see a scheduled revision from its go-live time whether or not this has run
(``kb.selectors.published_revisions`` resolves it at query time). This command moves the
pointers, writes the "went live" event and so sends the authors their e-mail. Run it from
cron every minute or few; running it twice, or late, does no harm.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kb import workflow


class Command(BaseCommand):
    help = "Record scheduled revisions whose go-live time has come as live, and notify authors."

    def handle(self, *args, **options) -> None:
        done = workflow.publish_scheduled()
        for condition in done:
            self.stdout.write(f"{condition.slug}: revision went live")
        self.stdout.write(f"{len(done)} scheduled publication(s) recorded")
