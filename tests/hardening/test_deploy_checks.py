"""Production settings: `check --deploy` is clean, DEBUG off refuses to start without its
secrets, and every HTTPS safeguard is on by default while each can be relaxed explicitly.

These run the settings module in a fresh process, because the values are computed once from
the environment when the settings load.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# Everything these tests set; removed from the inherited environment first.
_OWN = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS", "AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES", "TRUSTED_PROXY_COUNT",
    # Set by the browser tests in this process; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}  # fmt: skip


def production_env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in _OWN}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "kb.example.org",
        "SITE_URL": "https://kb.example.org",
        **extra,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


_PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
names = ["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
         "SESSION_COOKIE_HTTPONLY", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY",
         "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS", "CSRF_TRUSTED_ORIGINS",
         "AXES_FAILURE_LIMIT", "TRUSTED_PROXY_COUNT"]
out = {n: getattr(s, n) for n in names}
out["SECURE_PROXY_SSL_HEADER"] = getattr(s, "SECURE_PROXY_SSL_HEADER", None)
out["AXES_COOLOFF_SECONDS"] = s.AXES_COOLOFF_TIME.total_seconds()
out["STATICFILES"] = s.STORAGES["staticfiles"]["BACKEND"]
print(json.dumps(out))
"""


def settings_under(env: dict[str, str]) -> dict:
    result = run(["-c", _PRINT_SETTINGS], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_nothing_with_debug_off():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_would_catch_a_missing_safeguard():
    """The check above is meaningful: switching one safeguard off makes it fail."""
    env = production_env(SESSION_COOKIE_SECURE="false")
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [("SECRET_KEY", "SECRET_KEY must be set"), ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set")],
)
def test_debug_off_refuses_to_start_without(missing, message):
    env = production_env()
    del env[missing]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_defaults_when_debug_is_off():
    values = settings_under(production_env())
    assert values == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "strict-origin-when-cross-origin",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "CSRF_TRUSTED_ORIGINS": [],
        "AXES_FAILURE_LIMIT": 5,
        "TRUSTED_PROXY_COUNT": 0,
        "SECURE_PROXY_SSL_HEADER": None,
        "AXES_COOLOFF_SECONDS": 900.0,
        "STATICFILES": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


def test_development_defaults_need_no_https():
    env = production_env(DEBUG="true")
    values = settings_under(env)
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert not values["SECURE_SSL_REDIRECT"]
    assert not values["SESSION_COOKIE_SECURE"] and not values["CSRF_COOKIE_SECURE"]


def test_environment_overrides_for_a_proxy_and_plain_http():
    env = production_env(
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        CSRF_TRUSTED_ORIGINS="https://kb.example.org,https://www.kb.example.org",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="no",
        CSRF_COOKIE_SECURE="off",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="60",
        TRUSTED_PROXY_COUNT="1",
    )
    values = settings_under(env)
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == [
        "https://kb.example.org",
        "https://www.kb.example.org",
    ]
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert not values["SECURE_SSL_REDIRECT"]
    assert not values["SESSION_COOKIE_SECURE"] and not values["CSRF_COOKIE_SECURE"]
    assert (values["AXES_FAILURE_LIMIT"], values["AXES_COOLOFF_SECONDS"]) == (3, 3600.0)
    assert values["TRUSTED_PROXY_COUNT"] == 1


def test_production_response_carries_hsts_and_redirects_to_https():
    """A real request through the middleware stack with DEBUG off (no database, and no
    collected static files: robots.txt is plain text)."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='kb.example.org')\n"
        "plain = c.get('/robots.txt')\n"
        "print(plain.status_code, plain['Location'])\n"
        "secure = c.get('/robots.txt', secure=True)\n"
        "print(secure.status_code, secure['Strict-Transport-Security'])\n"
        "print(secure['Content-Security-Policy'])\n"
    )
    result = run(["-c", script], production_env())
    assert result.returncode == 0, result.stderr
    redirect, secure, csp = result.stdout.strip().splitlines()[-3:]
    assert redirect == "301 https://kb.example.org/robots.txt"
    assert secure == "200 max-age=31536000; includeSubDomains; preload"
    assert "'unsafe-inline'" not in csp and "script-src 'self'" in csp


def test_all_four_password_validators_and_a_twelve_character_minimum():
    names = [v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert names == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Kx9!mq2#Lp4")
    validate_password("Kx9!mq2#Lp4&")
