"""Security glue that settings alone cannot express.

- ``ContentSecurityPolicyMiddleware``: django-csp's middleware with a per-path adjustment, so
  the public site and the partner API keep the strict policy while the Django admin may use
  inline styles.
- ``PermissionsPolicyMiddleware``: the ``Permissions-Policy`` header on every answer, which
  Django has no setting for.
- ``client_ip``: the address that sign-in lockouts and reader-report limits count against,
  taken from ``X-Forwarded-For`` only when the deployment says how many proxies it trusts.
- ``lockout_response``: the page a locked-out editor sees, saying when to try again and whom
  to ask.
"""

from __future__ import annotations

import datetime as dt

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

LOCKOUT_TEMPLATE = "admin/locked_out.html"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """``CONTENT_SECURITY_POLICY`` everywhere, with ``CONTENT_SECURITY_POLICY_BY_PATH`` applied
    under its path prefixes (first match wins).

    Why a subclass rather than view decorators: the admin's views are Django's own, and one
    prefix covers all of them, including the pages the desk adds. A view that sets its own
    replacements (django-csp's ``@csp_replace``) still has the last word.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        for prefix, directives in getattr(settings, "CONTENT_SECURITY_POLICY_BY_PATH", {}).items():
            if request.path_info.startswith(prefix):
                parts.replace = {**directives, **(parts.replace or {})}
                break
        return parts


class PermissionsPolicyMiddleware:
    """``Permissions-Policy: <settings.PERMISSIONS_POLICY>`` on every answer.

    Why: a health site has no use for a camera, a microphone or the reader's location, and
    switching them off means that nothing the site might ever embed can ask for them. The
    list names only features browsers recognise (an unknown one is a console warning on
    every page), so the retired FLoC ``interest-cohort`` is not in it.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in getattr(settings, "PERMISSIONS_POLICY", {}).items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def client_ip(request: HttpRequest) -> str:
    """The client's address, for sign-in lockouts and reader-report limits.

    ``REMOTE_ADDR`` unless ``TRUSTED_PROXY_COUNT`` is set: then each of that many proxies has
    appended the address it saw to ``X-Forwarded-For``, so the client is the entry that many
    places from the right. Anything further left was sent by the client and proves nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [a for a in chain if a]
    return chain[-count] if len(chain) >= count else remote


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """HTTP 429 with ``Retry-After`` and a page in the desk's look.

    Each attempt during a lockout restarts the cool-off, so "now + cool-off" is exactly when
    the next attempt may succeed.
    """
    cooloff: dt.timedelta = settings.AXES_COOLOFF_TIME
    seconds = int(cooloff.total_seconds())
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in locked",
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": seconds // 60,
        "retry_at": timezone.localtime().replace(microsecond=0) + cooloff,
        "contact_email": settings.KB_DESK_CONTACT_EMAIL,
    }
    response: HttpResponse = render(
        request, LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Retry-After"] = str(seconds)
    return response
