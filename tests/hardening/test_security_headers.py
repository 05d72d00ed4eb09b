"""Security headers on the public site, the partner API, its docs and the desk.

Django's SecurityMiddleware reads its settings when the middleware chain is built, which
the test client does on its first request, so ``settings`` overrides made before that apply.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from accounts.models import Partner, PartnerAPIKey
from config.security import client_ip
from tests.factories import make_live
from tests.hardening.inertness import script_problems

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    parts = (p.split() for p in header.split(";") if p.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def production(settings):
    """The HTTPS settings DEBUG-off production uses (see test_deploy_checks)."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.fixture
def live(author, reviewer):
    return make_live(author=author, reviewer=reviewer, slug="neuromyotonia", name="Neuromyotonia")


def assert_common_headers(response) -> None:
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert_permissions_policy(response)


def assert_permissions_policy(response) -> None:
    """Powerful features the site never uses are switched off for it and anything it embeds."""
    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert features[feature] == "()"
    assert "interest-cohort" not in features  # a retired FLoC switch browsers now warn about


PUBLIC_PAGES = ["/", "/conditions/", "/conditions/neuromyotonia/", "/search/?q=n"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_every_header_and_the_strict_policy(production, live, path):
    response = Client().get(path, secure=True)
    assert response.status_code == 200
    assert_common_headers(response)
    assert policy(response) == STRICT
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_plain_http_is_redirected_to_https(production, live):
    response = Client().get("/conditions/neuromyotonia/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/conditions/neuromyotonia/"


def test_partner_api_has_every_header_and_the_strict_policy(production, live):
    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
    for path in ("/api/v1/conditions/", "/api/v1/conditions/neuromyotonia/"):
        response = api.get(path, secure=True)
        assert response.status_code == 200
        assert_common_headers(response)
        assert policy(response) == STRICT
    unauthorised = Client().get("/api/v1/conditions/", secure=True)
    assert unauthorised.status_code in (401, 403)
    assert policy(unauthorised) == STRICT


def test_api_docs_work_under_the_strict_policy(production):
    response = Client().get("/api/v1/docs/", secure=True)
    assert response.status_code == 200
    assert policy(response) == STRICT
    html = response.content.decode()
    # Scripts and styles are files from this site: nothing inline for the policy to block.
    assert not script_problems(html, own_scripts=True)
    assert "<style" not in html
    script_url = re.search(r'<script src="(/api/v1/docs/\?[^"]*)"', html).group(1)
    script = Client().get(script_url.replace("&amp;", "&"), secure=True)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_desk_allows_inline_styles_but_never_inline_script(production, superuser, live):
    anonymous = Client().get("/admin/login/", secure=True)
    client = Client()
    client.force_login(superuser)
    change = client.get(f"/admin/kb/revision/{live.pk}/change/", secure=True)
    for response in (anonymous, change):
        assert response.status_code == 200
        assert_common_headers(response)
        assert policy(response) == {**STRICT, "style-src": ["'self'", "'unsafe-inline'"]}


def test_a_view_can_still_set_its_own_policy_under_the_desk_prefix(rf):
    """The per-path rule gives way to a view's own django-csp replacement."""
    from django.http import HttpResponse

    from config.security import ContentSecurityPolicyMiddleware

    def view(request):
        response = HttpResponse("ok")
        response._csp_replace = {"style-src": ["'none'"]}
        return response

    middleware = ContentSecurityPolicyMiddleware(view)
    response = middleware(rf.get("/admin/anything/"))
    assert "style-src 'none'" in response["Content-Security-Policy"]
    plain = ContentSecurityPolicyMiddleware(lambda r: HttpResponse("ok"))(rf.get("/admin/x/"))
    assert "style-src 'self' 'unsafe-inline'" in plain["Content-Security-Policy"]


OWN_SCRIPT_FILE = r"<script src=\"\{% static '[\w/-]+\.js' %\}\" defer></script>"


def test_public_templates_have_no_inline_script_or_style():
    files = [TEMPLATES / "base.html", *sorted((TEMPLATES / "kb").glob("*.html")),
             TEMPLATES / "404.html"]  # fmt: skip
    assert len(files) > 5
    for path in files:
        source = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>(?:</script>)?", source, flags=re.IGNORECASE):
            # A JSON-LD data block, or one of the site's own static files with no body.
            own_file = re.fullmatch(OWN_SCRIPT_FILE, tag)
            assert 'type="application/ld+json"' in tag or own_file, (path.name, tag)
        assert not re.search(r"<style\b", source, flags=re.IGNORECASE), path.name
        assert not re.search(r"\sstyle\s*=", source, flags=re.IGNORECASE), path.name
        assert not re.search(r"\son[a-z]+\s*=", source, flags=re.IGNORECASE), path.name


def test_desk_templates_have_no_inline_script():
    for path in sorted((TEMPLATES / "admin").rglob("*.html")):
        source = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", source, flags=re.IGNORECASE):
            assert "src=" in tag, (path.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", source, flags=re.IGNORECASE), path.name


class TestClientAddressForLockouts:
    def request(self, forwarded: str | None = None):
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **extra)

    def test_forwarded_for_is_ignored_unless_proxies_are_trusted(self, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert client_ip(self.request("203.0.113.9")) == "10.0.0.1"

    def test_one_trusted_proxy_means_the_last_entry(self, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        assert client_ip(self.request("6.6.6.6, 203.0.113.9")) == "203.0.113.9"

    def test_two_trusted_proxies_skip_the_inner_one(self, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        assert client_ip(self.request("6.6.6.6, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"

    def test_a_short_chain_falls_back_to_the_peer(self, settings):
        settings.TRUSTED_PROXY_COUNT = 2
        assert client_ip(self.request("203.0.113.9")) == "10.0.0.1"
        assert client_ip(self.request()) == "10.0.0.1"


@pytest.mark.parametrize(
    "path",
    ["/", "/conditions/nothing/", "/api/v1/docs/", "/api/v1/conditions/", "/admin/login/"],
)
def test_every_answer_has_a_permissions_policy(live, path):
    assert_permissions_policy(Client().get(path))
