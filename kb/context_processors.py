"""Values every public template needs (publisher name, disclaimer)."""

from django.conf import settings

from kb import site_url


def site(request) -> dict:
    return {
        "publisher_name": settings.KB_PUBLISHER_NAME,
        "disclaimer": settings.KB_DISCLAIMER,
        "site_url": site_url.base(),
    }
