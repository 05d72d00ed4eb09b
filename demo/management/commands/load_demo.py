"""python manage.py load_demo — demo people, references and conditions, from ``demo/content``.

Refused when DEBUG is off unless ``--force``, so demo accounts with known passwords never
appear in production by accident. Idempotent: what exists is left alone.

The workflow e-mails the demo's people as it goes (submitted, approved). Those messages
go to Django's in-memory backend for the length of the load only: nobody reads them, and
a screen of them would bury the sign-ins. E-mail sent while using the site afterwards goes
to the configured backend (the console, in development) as usual.
"""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from demo import loader
from demo.articles import ArticleError
from demo.people import ADMIN, DEMO_PASSWORD, PEOPLE
from kb.importers import UnreadableFile
from kb.models import Condition

QUIET_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


class Command(BaseCommand):
    help = "Load demo people, references and conditions (development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though DEBUG is off (never in production).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo accounts with known passwords while DEBUG is off. "
                "Use --force if this really is a throwaway environment."
            )
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL_BACKEND):
            kept_back = len(getattr(mail, "outbox", []))
            try:
                report = loader.load()  # commits, and so sends, inside this block
            except (ArticleError, UnreadableFile, loader.DemoContentError) as exc:
                raise CommandError(f"The demo content could not be loaded: {exc}") from exc
            kept_back = len(getattr(mail, "outbox", [])) - kept_back
        self.stdout.write(
            f"Demo content: {report.conditions_created} new conditions, "
            f"{report.references.created} new references "
            f"({Condition.objects.count()} conditions in all); "
            f"{kept_back} workflow e-mails to the demo's people held back."
        )
        self.stdout.write("Demo sign-ins (development only), password for all: " + DEMO_PASSWORD)
        for person in (*PEOPLE, ADMIN):
            self.stdout.write(f"  {person.username:<10} {person.role:<17} {person.display_name}")
