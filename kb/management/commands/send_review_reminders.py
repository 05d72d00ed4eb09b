"""python manage.py send_review_reminders [--days N] [--dry-run]

Run daily from cron. First retries e-mail that could not be sent earlier (workflow
notifications and reminders), then sends each responsible clinician one message listing
their overdue and soon-due articles. Safe to run more than once a day: a person already
reminded today is not reminded again. The last line is always "N reminders sent".
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kb import reminders
from kb.notifications import pending


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class Command(BaseCommand):
    help = "E-mail each responsible reviewer the articles whose review is overdue or due soon."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=reminders.DEFAULT_DAYS,
            help="Include reviews falling due within this many days (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show who would be reminded of what; send and write nothing.",
        )

    def handle(self, *args, days: int, dry_run: bool, **options):
        if days < 0:
            raise CommandError("--days must be zero or more.")
        if dry_run:
            self._dry_run(days)
            return
        run = reminders.send_reminders(days=days)
        if run.retried.attempted:
            self.stdout.write(
                f"Retried {_plural(run.retried.attempted, 'unsent notification')}: "
                f"{run.retried.sent} sent, {run.retried.failed} failed."
            )
        else:
            self.stdout.write("No unsent notifications to retry.")
        self._describe(run.plan)
        if run.failed:
            self.stderr.write(
                f"{_plural(run.failed, 'reminder')} could not be sent; "
                "the next run retries (see the log)."
            )
        self.stdout.write(f"{_plural(run.sent, 'reminder')} sent")

    def _dry_run(self, days: int) -> None:
        self.stdout.write("Dry run: nothing is sent or written.")
        backlog = pending().count()
        self.stdout.write(f"Would retry {_plural(backlog, 'unsent notification')}.")
        plan = reminders.plan_reminders(days=days)
        self._describe(plan, would=True)
        self.stdout.write(f"Dry run: {_plural(len(plan.to_send), 'reminder')} would be sent.")
        self.stdout.write("0 reminders sent")

    def _describe(self, plan: reminders.ReminderPlan, *, would: bool = False) -> None:
        for reminder in plan.reminders:
            who = f"{reminder.recipient} <{reminder.recipient.email}>"
            if reminder.already_sent and not would:
                self.stdout.write(f"{who}: already reminded today.")
                continue
            status = " (already reminded today)" if reminder.already_sent else ""
            self.stdout.write(
                f"{who}{status}: {len(reminder.overdue)} overdue, "
                f"{len(reminder.due_soon)} due within {plan.days} days"
            )
            for article in reminder.articles:
                label = "overdue" if article.overdue else "due"
                self.stdout.write(
                    f"  {label:8}{article.next_review_due.isoformat()}  {article.name}"
                )
        for article in plan.unassigned:
            self.stderr.write(
                f"No one to remind about {article.name} (due "
                f"{article.next_review_due.isoformat()}): neither its last reviewer nor its "
                "approver is active with an e-mail address."
            )
