"""python manage.py enqueue_periodic

The one entry point for periodic background work; run it from cron every five minutes::

    */5 * * * *  cd /srv/kb && .venv/bin/python manage.py enqueue_periodic

It enqueues scheduled go-lives and the e-mail and webhook retry sweeps on every call, and
the review reminders and the evidence watch on the first call of each day. The workers
(``manage.py db_worker``) run what it enqueues. Calling it twice does no harm.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kb.periodic import enqueue_periodic


class Command(BaseCommand):
    help = "Enqueue periodic background work: go-lives and retries; daily work once a day."

    def handle(self, *args, **options) -> None:
        report = enqueue_periodic()
        for name in report.enqueued:
            self.stdout.write(f"enqueued {name}")
        self.stdout.write(f"{len(report.enqueued)} task(s) enqueued")
