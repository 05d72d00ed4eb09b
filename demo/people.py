"""The demo's people: fictional editors, one or two per role, sharing a known password.

Why a known password: anyone running the demo can sign in as each role at once. That is
also why ``load_demo`` refuses to run with ``DEBUG`` off unless forced.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.roles import AUTHOR, MEDICAL_REVIEWER, PUBLISHER, ROLE_PERMISSIONS, sync_roles

DEMO_PASSWORD = "demo-password-2026"


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    credentials: str
    role: str

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


PEOPLE: tuple[Person, ...] = (
    Person("author", "Priya Lowell", "BSc, health information writer", AUTHOR),
    Person("author2", "Tom Ashdown", "MA, medical writer", AUTHOR),
    Person("reviewer", "Dr Amira Haddad", "MD, FRCP, consultant neurologist", MEDICAL_REVIEWER),
    Person(
        "reviewer2",
        "Dr Jonah Fairweather",
        "MBBS, PhD, consultant clinical neurophysiologist",
        MEDICAL_REVIEWER,
    ),
    Person("publisher", "Rosa Delaney", "Managing editor", PUBLISHER),
)

#: The superuser, listed with the others when the sign-ins are printed.
ADMIN = Person("admin", "Site administrator", "", "Superuser")


def ensure_people() -> dict:
    """The demo users by username, created with their roles if missing (others untouched)."""
    if Group.objects.filter(name__in=ROLE_PERMISSIONS).count() < len(ROLE_PERMISSIONS):
        sync_roles(apps)  # the roles migration's groups were removed; put them back
    User = get_user_model()
    users = {}
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            username=person.username,
            defaults={
                "display_name": person.display_name,
                "credentials": person.credentials,
                "email": person.email,
                "is_staff": True,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=person.role))
        users[person.username] = User.objects.get(pk=user.pk)  # fresh permission cache
    admin, created = User.objects.get_or_create(
        username=ADMIN.username,
        defaults={"is_staff": True, "is_superuser": True, "email": ADMIN.email},
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    users[ADMIN.username] = admin
    return users
