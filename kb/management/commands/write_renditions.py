"""Render every approved revision that has no rendition from the current code, and keep
every live article's whole page and API detail rendered (``kb.pages``) where it is not kept for the
current deployment.

Approval renders a revision once, and a page renders any missing rendition on its first
read, so this is never required: run it after rows were written around ``kb.workflow``
(a bulk load, a restore) or after a deployment that changed the renderer, so that the
first reader of each article does not pay for the rendering. Renditions are derived data:
writing them changes nothing a reader sees.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kb import pages, renditions


class Command(BaseCommand):
    help = "Render approved revisions that have no current rendition."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--live", action="store_true", help="Only the revisions readers see now."
        )

    def handle(self, *args, **options) -> None:
        written = renditions.write_missing(live_only=options["live"])
        kept, failed = pages.keep_missing_answers()
        message = (
            f"Rendered {written} approved revision(s) and kept the page and API answer of "
            f"{kept} live article(s)"
        )
        if failed:
            message += f"; {failed} article(s) could not be rendered (see the log)"
        self.stdout.write(message + ".")
