"""python manage.py load_demo — demo users and five conditions, through the real workflow.

Idempotent: users and conditions that exist are left alone. Refused when DEBUG is off
unless ``--force``, so demo accounts with known passwords never appear in production by
accident.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from kb import demo_content, services, workflow
from kb.models import Condition, Reference
from kb.refdata import parse_author_name

DEMO_PASSWORD = "demo-password-2026"

#: How long ago each demo article was reviewed, so review dates vary (one is overdue).
REVIEWED_DAYS_AGO = {
    "cramp-fasciculation-syndrome": 420,
    "amyotrophic-lateral-sclerosis": 60,
    "neuromyotonia": 1040,
    "fasciculations": 1130,
}


class Command(BaseCommand):
    help = "Load demo users and demo conditions (development only)."

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
        with transaction.atomic():
            users = self._users()
            made_refs = self._references()
            made = self._conditions(users)
        self.stdout.write(
            f"Demo content: {made} new conditions, {made_refs} new references "
            f"({Condition.objects.count()} conditions in all)."
        )
        self.stdout.write("Demo sign-ins (development only), password for all: " + DEMO_PASSWORD)
        for u in demo_content.DEMO_USERS:
            self.stdout.write(f"  {u['username']:<10} {u['role']:<17} {u['display_name']}")
        self.stdout.write(f"  {'admin':<10} {'Superuser':<17} Site administrator")

    def _users(self) -> dict:
        from django.apps import apps

        from accounts.roles import ROLE_PERMISSIONS, sync_roles

        if Group.objects.filter(name__in=ROLE_PERMISSIONS).count() < len(ROLE_PERMISSIONS):
            sync_roles(apps)  # the roles migration's groups were removed; put them back
        User = get_user_model()
        users = {}
        for spec in demo_content.DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=spec["username"],
                defaults={
                    "display_name": spec["display_name"],
                    "credentials": spec["credentials"],
                    "email": spec["email"],
                    "is_staff": True,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(Group.objects.get(name=spec["role"]))
            users[spec["username"]] = User.objects.get(pk=user.pk)  # fresh permission cache
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"is_staff": True, "is_superuser": True, "email": "admin@example.org"},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        return users

    def _references(self) -> int:
        made = 0
        for spec in demo_content.REFERENCES:
            if Reference.objects.filter(key=spec["key"]).exists():
                continue
            authors = [
                {"literal": name} if name.strip().lower() in ("et al", "et al.") else
                parse_author_name(name)
                for name in spec.get("authors", [])
            ]  # fmt: skip
            Reference.objects.create(
                key=spec["key"],
                kind=spec.get("kind", "journal"),
                authors=authors,
                title=spec["title"],
                container_title=spec.get("journal", ""),
                publisher=spec.get("publisher", ""),
                year=spec.get("year"),
                volume=spec.get("volume", ""),
                issue=spec.get("issue", ""),
                pages=spec.get("pages", ""),
                doi=spec.get("doi") or None,
                pmid=spec.get("pmid") or None,
                url=spec.get("url", ""),
                accessed_on=dt.date.fromisoformat(spec["accessed"])
                if spec.get("accessed")
                else None,
            )
            made += 1
        return made

    def _conditions(self, users: dict) -> int:
        author, author2 = users["author"], users["author2"]
        reviewer = users["reviewer"]
        made = 0
        for spec in demo_content.CONDITIONS:
            if Condition.objects.filter(slug=spec["slug"]).exists():
                continue
            made += 1
            first = spec["published"] or spec["in_review"] or spec["draft"]
            revision = services.create_condition(
                slug=spec["slug"],
                name=first["name"],
                summary=first["summary"],
                also_known_as=first["also_known_as"],
                sections=first["sections"],
                change_note=first.get("change_note", ""),
                by=author,
            )
            if spec["published"]:
                workflow.submit(revision=revision, by=author)
                reviewed_on = timezone.localdate() - dt.timedelta(
                    days=REVIEWED_DAYS_AGO.get(spec["slug"], 30)
                )
                workflow.approve(revision=revision, by=reviewer, reviewed_on=reviewed_on)
            if spec["published"] and spec["in_review"]:
                nxt = spec["in_review"]
                draft = workflow.start_new_draft(condition=revision.condition, by=author2)
                services.update_revision(
                    revision=draft,
                    by=author2,
                    expected_version=draft.lock_version,
                    name=nxt["name"],
                    summary=nxt["summary"],
                    also_known_as=nxt["also_known_as"],
                    change_note=nxt.get("change_note", ""),
                    sections=nxt["sections"],
                )
                workflow.submit(revision=draft, by=author2)
        for spec in demo_content.CONDITIONS:
            condition = Condition.objects.get(slug=spec["slug"])
            if not condition.related.exists():
                condition.related.add(*Condition.objects.filter(slug__in=spec.get("related", [])))
        return made
