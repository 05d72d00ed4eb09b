"""``manage.py create_partner_key PARTNER_NAME``: a new API key for a partner site.

Creates the partner when it does not exist yet. The key is stored hashed, so this is the
only time it can be read: it is printed alone on the last line, for scripts to capture
(``KEY=$(manage.py create_partner_key "North Clinic" | tail -n 1)``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Partner, PartnerAPIKey

KEY_NAME_MAX_LENGTH = 50


class Command(BaseCommand):
    help = "Create a partner (if needed) and a new API key for it; prints the key last."

    def add_arguments(self, parser):
        parser.add_argument("partner_name", help="The partner's name, e.g. 'North Clinic'.")
        parser.add_argument("--email", default="", help="Contact e-mail for a new partner.")
        parser.add_argument(
            "--key-name", default="", help="What the key is for, e.g. 'production site'."
        )
        parser.add_argument(
            "--rate", default="", help="Throttle rate for a new partner, e.g. 600/minute."
        )

    @transaction.atomic
    def handle(self, *args, partner_name: str, email: str, key_name: str, rate: str, **opts):
        name = " ".join(partner_name.split())
        if not name:
            raise CommandError("Give the partner's name.")
        partner = Partner.objects.filter(name=name).first()
        if partner is None:
            partner = Partner(
                name=name, contact_email=email, **({"throttle_rate": rate} if rate else {})
            )
            try:
                partner.full_clean()
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            partner.save()
            self.stdout.write(f"Created partner “{partner.name}”.")
        elif not partner.active:
            self.stderr.write(
                f"Partner “{partner.name}” is switched off: its keys are refused until it "
                "is switched on again in the editorial desk."
            )
        label = key_name or f"created {timezone.localdate():%Y-%m-%d}"
        api_key, key = PartnerAPIKey.objects.create_key(
            partner=partner, name=label[:KEY_NAME_MAX_LENGTH]
        )
        self.stdout.write(
            f"New key {api_key.prefix}… for “{partner.name}”. It is shown only now; store it "
            "safely. Send it as the header: Authorization: Api-Key <key>"
        )
        self.stdout.write(key)
