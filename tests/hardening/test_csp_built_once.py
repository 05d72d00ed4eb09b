"""The Content-Security-Policy header is built once per path rule, and stays what django-csp
would write (``config.security.ContentSecurityPolicyMiddleware.process_response``)."""

from __future__ import annotations

import csp.middleware
import pytest
from csp.constants import NONCE, SELF
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory

import config.security
from config.security import ContentSecurityPolicyMiddleware

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")
PATHS = ["/", "/conditions/x/", "/api/v1/conditions/", "/admin/", "/admin/kb/revision/1/"]


def parsed(response) -> dict[str, dict[str, list[str]] | None]:
    """Each CSP header as {directive: [sources]} (django-csp's directive order is a set's)."""
    found = {}
    for header in HEADERS:
        value = response.headers.get(header)
        parts = (p.split() for p in (value or "").split(";") if p.strip())
        found[header] = None if value is None else {name: rest for name, *rest in parts}
    return found


def both_ways(path: str, view=lambda request: HttpResponse("ok")):
    """(this middleware's headers, django-csp's own process_response's) for one request."""
    middleware = ContentSecurityPolicyMiddleware(view)
    ours = middleware(RequestFactory().get(path))
    request = RequestFactory().get(path)
    middleware.process_request(request)
    theirs = CSPMiddleware.process_response(middleware, request, view(request))
    return parsed(ours), parsed(theirs)


@pytest.mark.parametrize("path", PATHS)
def test_headers_are_what_django_csp_builds(path):
    ours, theirs = both_ways(path)
    assert ours["Content-Security-Policy"] is not None
    assert ours == theirs


@pytest.mark.parametrize("path", PATHS)
def test_report_only_policy_and_excluded_prefixes_as_django_csp(settings, path):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": ["'none'"], "report-uri": "/csp-report/"},
        "EXCLUDE_URL_PREFIXES": ["/api/"],
    }
    ours, theirs = both_ways(path)
    assert ours == theirs
    assert (ours["Content-Security-Policy-Report-Only"] is None) == path.startswith("/api/")


def test_a_changed_setting_changes_the_header(settings):
    before, _ = both_ways("/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    after, theirs = both_ways("/")
    assert after == theirs
    assert after["Content-Security-Policy"] == {"default-src": ["'none'"]}
    assert before["Content-Security-Policy"] != after["Content-Security-Policy"]


def test_a_nonce_is_in_the_header_only_of_an_answer_that_used_it(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, NONCE]}}

    def view(request):
        return HttpResponse(str(request.csp_nonce))

    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    nonce = response.content.decode()
    assert parsed(response)[HEADERS[0]]["script-src"] == [SELF, f"'nonce-{nonce}'"]
    ours, theirs = both_ways("/")  # no nonce used: the placeholder is dropped
    assert ours == theirs
    assert ours[HEADERS[0]]["script-src"] == [SELF]


def test_an_exempt_answer_gets_no_header():
    def view(request):
        response = HttpResponse("ok")
        response._csp_exempt = True
        return response

    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    assert "Content-Security-Policy" not in response


@pytest.mark.django_db
def test_the_policy_is_built_once_not_per_answer(monkeypatch, settings):
    # The same policy, set again: whatever an earlier test built is forgotten.
    settings.CONTENT_SECURITY_POLICY = dict(settings.CONTENT_SECURITY_POLICY)
    calls = []
    for module in (csp.middleware, config.security):
        if (original := getattr(module, "build_policy", None)) is not None:

            def counting(*args, _original=original, **kwargs):
                calls.append(kwargs.get("report_only", False))
                return _original(*args, **kwargs)

            monkeypatch.setattr(module, "build_policy", counting)
    client = Client()
    for _ in range(5):
        assert "Content-Security-Policy" in client.get("/_no_such_page/")
    assert 0 < len(calls) <= 2  # the policy and the report-only one, once
