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

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.contrib import admin
from django.core.signals import setting_changed
from django.dispatch import receiver
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

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        """django-csp's headers, built once per path rule rather than on every answer.

        Why: without a nonce or a view's own override the policy depends on settings and
        the path prefix alone, yet django-csp rebuilds it (and copies its parts with
        ``dataclasses.asdict``) twice per response, a cost every page paid, the cheapest
        included. Anything else (a nonce was used, a view set ``_csp_*``, DEBUG error
        pages) goes through django-csp unchanged.
        """
        if getattr(request, "_csp_nonce", None) is not None or _has_own_policy(response):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        path = request.path_info
        prefix = _policy_prefix(path)
        for header, report_only, exempt in (
            (HEADER, False, "_csp_exempt"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro"),
        ):
            policy = _built_policy(prefix=prefix, report_only=report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            config = getattr(settings, _setting_name(report_only), None) or {}
            if not path.startswith(tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ())):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


_OWN_POLICY_ATTRIBUTES = tuple(
    f"_csp_{kind}{suffix}" for kind in ("config", "update", "replace") for suffix in ("", "_ro")
)
#: Built policies by (path rule prefix or None, report-only); emptied when settings change.
_built: dict[tuple[str | None, bool], str] = {}


def _has_own_policy(response: HttpResponseBase) -> bool:
    return any(getattr(response, name, None) is not None for name in _OWN_POLICY_ATTRIBUTES)


def _setting_name(report_only: bool) -> str:
    return "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"


def _policy_prefix(path: str) -> str | None:
    """The first ``CONTENT_SECURITY_POLICY_BY_PATH`` prefix ``path`` starts with, if any."""
    for prefix in getattr(settings, "CONTENT_SECURITY_POLICY_BY_PATH", {}):
        if path.startswith(prefix):
            return prefix
    return None


def _built_policy(*, prefix: str | None, report_only: bool) -> str:
    """The header django-csp would build for a response without nonce or overrides."""
    key = (prefix, report_only)
    if (policy := _built.get(key)) is None:
        replace = None
        if prefix is not None and not report_only:
            replace = dict(settings.CONTENT_SECURITY_POLICY_BY_PATH[prefix])
        policy = _built[key] = build_policy(replace=replace, report_only=report_only)
    return policy


@receiver(setting_changed)
def _forget_built_policies(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _built.clear()


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
