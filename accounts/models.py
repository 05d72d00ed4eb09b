"""People who work on the library.

A custom user model from the first migration, because the reviewer byline shown to readers
("Medically reviewed by Dr A Haddad, MD, consultant neurologist") needs a display name and
professional credentials that Django's default user does not carry.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    display_name = models.CharField(
        max_length=150,
        blank=True,
        help_text="Name shown to readers in bylines, e.g. “Dr Amira Haddad”.",
    )
    credentials = models.CharField(
        max_length=200,
        blank=True,
        help_text="Professional credentials for the reviewer byline, e.g. “MD, consultant "
        "neurologist”.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    @property
    def byline_name(self) -> str:
        """The name readers see: display name, else full name, else username."""
        return self.display_name or self.get_full_name() or self.username

    def __str__(self) -> str:
        return self.byline_name
