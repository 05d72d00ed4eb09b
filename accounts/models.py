"""People who work on the library.

A custom user model from the first migration, because the reviewer byline shown to readers
("Medically reviewed by Dr A Haddad, MD, consultant neurologist") needs a display name and
professional credentials that Django's default user does not carry.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey


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


class Partner(models.Model):
    """A site that republishes our articles through the partner API.

    What a partner shows its readers is our responsibility, so every partner is named, has a
    contact, can be switched off at once (``active``) and is throttled per key.
    """

    name = models.CharField(max_length=150, unique=True)
    contact_email = models.EmailField(blank=True)
    active = models.BooleanField(
        default=True, help_text="Switch off to refuse every key of this partner at once."
    )
    throttle_rate = models.CharField(
        max_length=20,
        default="120/minute",
        validators=[
            RegexValidator(
                r"^[1-9][0-9]*/(second|minute|hour|day)$",
                "Write a number of requests per second, minute, hour or day, e.g. 120/minute.",
            )
        ],
        help_text="Requests allowed per key, e.g. 120/minute.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerAPIKey(AbstractAPIKey):
    """A partner's key: stored hashed, shown once at creation, revocable."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "partner API key"
        verbose_name_plural = "partner API keys"
