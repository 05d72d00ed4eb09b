"""Settings for the medical knowledge base.

Every deploy-specific value comes from the environment with a safe development default
(see README, "Settings"). With ``DEBUG`` off, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``SITE_URL`` must be given explicitly: a production server never runs on a development secret.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", "" if not DEBUG else _DEV_SECRET_KEY)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

# Absolute base for links that leave the site: API payloads, sitemap, feed, e-mails. A
# production server must say where it is: a default would put a development address into
# every partner's copy and every e-mail. In development it may be left unset: links then
# follow the address of the request (kb/site_url.py). ``make run`` sets it from its port.
SITE_URL = env_str("SITE_URL", "").rstrip("/")
if not SITE_URL and not DEBUG:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off: the site's public address, "
        "e.g. https://health.example.org."
    )

# How long browsers and a CDN may keep public pages (seconds).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300, minimum=0)

# Reader feedback: reports accepted per IP address per hour.
FEEDBACK_RATE_PER_HOUR = env_int("FEEDBACK_RATE_PER_HOUR", 5, minimum=1)

# Reference files the desk imports in one request: at most this many records and bytes. A
# desk import is one transaction that must end well inside the web worker's timeout; a
# bigger file is refused with a pointer to ``manage.py import_references``, which takes any
# size and shows its progress.
REFERENCE_IMPORT_MAX_RECORDS = env_int("REFERENCE_IMPORT_MAX_RECORDS", 2000, minimum=1)
REFERENCE_IMPORT_MAX_BYTES = env_int("REFERENCE_IMPORT_MAX_BYTES", 1024 * 1024, minimum=1)

# I8: default interval between a review and the next one due (three years).
REVIEW_INTERVAL_DAYS = env_int("REVIEW_INTERVAL_DAYS", 1095, minimum=1)

# Readability targets the desk shows each section against while writing (kb/readability.py):
# SMOG grade at most, Flesch reading ease at least, and the words after which a sentence
# is flagged as long. The "use a simpler word" list is kb/plain_words.py unless
# KB_SIMPLER_WORDS (a dict) is set here.
KB_READABILITY_MAX_SMOG = env_int("KB_READABILITY_MAX_SMOG", 10, minimum=1)
KB_READABILITY_MIN_FLESCH = env_int("KB_READABILITY_MIN_FLESCH", 60, minimum=0)
KB_READABILITY_LONG_SENTENCE_WORDS = env_int("KB_READABILITY_LONG_SENTENCE_WORDS", 25, minimum=5)

INSTALLED_APPS = [
    "config.apps.DeskAdminConfig",  # django.contrib.admin, with the desk as admin.site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "accounts",
    "kb",
]

# The demo (demo/: sample articles and ``load_demo``) is for development and throwaway
# sites. Production needs none of it: a deployment without that folder runs the same.
if importlib.util.find_spec("demo") is not None:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Without SITE_URL (development), absolute links follow the request's host.
    "kb.site_url.RequestSiteURLMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    # Marks public reads (for the replica router; does nothing without a replica).
    "config.db_router.PublicReadsMiddleware",
    # One publication state per request (kb/caching/state.py), read on first use.
    "kb.caching.state.FreshnessMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Sessions and CSRF stay Django's own classes: the deployment checks (security.W003,
    # W010-W012) look for their exact names. User and messages: pages only, partner API
    # requests pass by (config/browser_middleware.py).
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.browser_middleware.AuthenticationMiddleware",
    "config.browser_middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.security.ContentSecurityPolicyMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kb.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
# PostgreSQL: bind parameters on the server and let psycopg prepare a statement once it has
# run a few times on a connection, so a public request's queries (the publication state,
# an article's validators) are planned once per connection instead of on every request
# (measured: a warm 304 about a third cheaper, a never-seen article about twice as fast;
# bench/README.md). Needs persistent connections (DATABASE_CONN_MAX_AGE) to pay off; turn
# it off behind a pooler in transaction mode, where prepared statements do not survive.
_SERVER_SIDE_BINDING = env_bool("DATABASE_SERVER_SIDE_BINDING", True)


def _prepared_statements(database: dict) -> None:
    if database["ENGINE"].endswith("postgresql") and _SERVER_SIDE_BINDING:
        database.setdefault("OPTIONS", {}).update(
            server_side_binding=True,
            prepare_threshold=env_int("DATABASE_PREPARE_THRESHOLD", 5, minimum=0),
        )


_prepared_statements(DATABASES["default"])
# The partner list's covering index (kb.Revision) INCLUDEs columns on PostgreSQL; SQLite
# keeps only its key columns, which is all the zero-setup default needs.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# A read replica for public reads (config/db_router.py); writes and the desk use "default".
_replica_url = env_str("DATABASE_REPLICA_URL")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    _prepared_statements(DATABASES["replica"])
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
# Public reads skip a PostgreSQL replica whose replay lags more than this (seconds); a
# replica behind the primary's latest public change is never used (config/db_router.py).
DATABASE_REPLICA_MAX_LAG = env_int("DATABASE_REPLICA_MAX_LAG", 5, minimum=0)

# The shared cache (kb/caching): Redis through django-redis when REDIS_URL is set, else this
# process's memory. It only makes answers faster: what is live is decided by the database
# (kb/models/publication.py), so with Redis stopped, paused or restarting the site answers
# from the database. Redis errors are ignored and every operation gives up after
# CACHE_SOCKET_TIMEOUT seconds.
_cache_url = env_str("REDIS_URL") or env_str("CACHE_URL")
_cache_timeout = env_int("CACHE_SOCKET_TIMEOUT_MS", 250, minimum=1) / 1000
if _cache_url.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": _cache_url,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": _cache_timeout,
                "SOCKET_TIMEOUT": _cache_timeout,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "kb.caching"
elif _cache_url and _cache_url not in ("locmem://", "locmem"):
    raise ImproperlyConfigured("CACHE_URL/REDIS_URL must be a redis:// URL or locmem://.")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Every cached public answer expires after KB_CACHE_SECONDS; raise KB_CACHE_VERSION when what
# is cached changes shape (a deploy then starts with fresh keys).
KB_CACHE_SECONDS = env_int("KB_CACHE_SECONDS", 86400, minimum=1)
KB_CACHE_VERSION = env_int("KB_CACHE_VERSION", 3, minimum=1)

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "admin:login"

# django-axes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # staff accounts can publish medical content
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Editorial identity shown to readers and partners.
KB_PUBLISHER_NAME = env_str("KB_PUBLISHER_NAME", "Clearview Health Library")
KB_DISCLAIMER = env_str(
    "KB_DISCLAIMER",
    "This page gives general information, not medical advice. It cannot diagnose you or "
    "replace a consultation with a doctor or other health professional who knows your "
    "history. If you are worried about a symptom, contact your doctor. In an emergency, "
    "call your local emergency number.",
)

# Licence partners republish under; sent as ``attribution.licence`` by the partner API.
KB_CONTENT_LICENCE = env_str(
    "KB_CONTENT_LICENCE",
    "Republished under the partner agreement with the publisher. Keep the text unchanged, "
    "show the publisher's name and a link to the canonical page, and remove an article when "
    "the changes feed reports it withdrawn.",
)

# Partner API (/api/v1/): JSON only, keyed, throttled per key, one error shape.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["kb.api.authentication.PartnerKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["kb.api.permissions.HasActivePartnerKey"],
    "DEFAULT_THROTTLE_CLASSES": ["kb.api.throttling.PartnerKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "kb.api.pagination.PartnerPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": None,  # OPTIONS answers 405: the schema documents the API
    "EXCEPTION_HANDLER": "kb.api.errors.api_exception_handler",
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Partner API",
    "DESCRIPTION": (
        "Approved condition articles for partner sites, with a changes feed to keep copies "
        "in sync. Send the key with every request as `X-API-Key: <key>` "
        "(or `Authorization: Api-Key <key>`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # Conditional request headers, response headers by status and HEAD, for every
        # endpoint (kb/api/schema.py).
        "kb.api.schema.postprocess_http_semantics",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# E-mail: workflow notifications and review reminders (see README, "E-mail"). Development
# prints messages to the console; production sends through SMTP. EMAIL_TIMEOUT bounds how
# long one send may wait on a slow server (messages are sent after commit, never inside a
# transition, and failures are retried by send_review_reminders).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{KB_PUBLISHER_NAME} <no-reply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Security ---------------------------------------------------------------------------
# Production-safe whenever DEBUG is off: HTTPS only (HSTS, redirect, secure cookies), a strict
# Content-Security-Policy, and sign-in lockouts. Each HTTPS default can be turned off from
# the environment for plain HTTP on a loopback address (``make serve`` does). See README,
# "Security".
from datetime import timedelta  # noqa: E402

from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Behind a TLS-terminating proxy, name the header it sets, e.g. HTTP_X_FORWARDED_PROTO. Off by
# default: trusting the header without such a proxy would let any client claim HTTPS.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER").strip().upper().replace("-", "_")
if _proxy_ssl_header:
    if not _proxy_ssl_header.startswith("HTTP_"):
        _proxy_ssl_header = f"HTTP_{_proxy_ssl_header}"
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Powerful browser features the site never uses, off for it and anything it embeds
# (config.security.PermissionsPolicyMiddleware). Feature -> allowed origins; () is none.
PERMISSIONS_POLICY: dict[str, tuple[str, ...]] = dict.fromkeys(
    (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ),
    (),
)
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Content-Security-Policy (django-csp): no inline script, no inline style, no eval, nothing
# from other origins, on the public site, the partner API and its docs. JSON-LD blocks are
# data, not script, so the policy leaves them alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Directives replaced under a path prefix (config.security.ContentSecurityPolicyMiddleware).
# The Django admin and the desk's templates use style="" attributes; inline script stays
# forbidden there too.
CONTENT_SECURITY_POLICY_BY_PATH = {
    "/admin/": {"style-src": [SELF, UNSAFE_INLINE]},
}

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is refused for AXES_COOLOFF_MINUTES (each further attempt
# restarts the wait); other users and other addresses are unaffected. `manage.py axes_reset`
# unlocks everyone at once.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
# The client address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT says how many proxies in front
# of the app append to X-Forwarded-For; without one, that header is the client's to forge.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
# Who a locked-out editor should ask to unlock the account (shown on the lockout page).
KB_DESK_CONTACT_EMAIL = env_str("KB_DESK_CONTACT_EMAIL")

# --- Rate limits --------------------------------------------------------------------------
# Where reader reports (FEEDBACK_RATE_PER_HOUR) and partner keys (each partner's rate) are
# counted (kb/ratelimit.py). Every process must count together: in Redis when the default
# cache is Redis, otherwise in the database (a local-memory cache is per process, so two
# gunicorn workers would each grant the whole allowance).
RATE_LIMIT_STORE = "cache" if "redis" in CACHES["default"]["BACKEND"].lower() else "database"

# --- Background tasks (kb/tasks.py) -------------------------------------------------------
# Django's Tasks API (the django-tasks backport) with its database backend: tasks are rows in
# the site's own database, run by `manage.py db_worker` (PostgreSQL claims them with SELECT
# ... FOR UPDATE SKIP LOCKED, so several workers never run one task twice). "immediate" runs
# each task in the process that enqueues it, after the transaction commits: the default with
# DEBUG on, so `make run` needs no worker. Production (DEBUG off) defaults to "database".
KB_TASKS_BACKEND = env_str("KB_TASKS_BACKEND", "immediate" if DEBUG else "database")
if KB_TASKS_BACKEND not in ("immediate", "database"):
    raise ImproperlyConfigured('KB_TASKS_BACKEND must be "immediate" or "database".')
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if KB_TASKS_BACKEND == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- Partner webhooks (kb/webhooks/) --------------------------------------------------------
# Deliveries go only to https URLs whose every address is public (SSRF): http is allowed
# with DEBUG on, private/loopback/link-local addresses only with KB_WEBHOOKS_ALLOW_PRIVATE
# (tests, a receiver inside your own network). Each attempt waits at most
# KB_WEBHOOKS_TIMEOUT_SECONDS; an endpoint failing for KB_WEBHOOKS_DISABLE_AFTER_DAYS days
# without one success is switched off and its partner's contact e-mailed.
KB_WEBHOOKS_ALLOW_HTTP = env_bool("KB_WEBHOOKS_ALLOW_HTTP", DEBUG)
KB_WEBHOOKS_ALLOW_PRIVATE = env_bool("KB_WEBHOOKS_ALLOW_PRIVATE", False)
KB_WEBHOOKS_TIMEOUT_SECONDS = env_int("KB_WEBHOOKS_TIMEOUT_SECONDS", 5, minimum=1)
KB_WEBHOOKS_DISABLE_AFTER_DAYS = env_int("KB_WEBHOOKS_DISABLE_AFTER_DAYS", 3, minimum=1)

# --- Evidence watch (kb/evidence/) ------------------------------------------------------------
# Nightly (enqueue_periodic) re-check of every cited DOI against Crossref and PMID against
# PubMed; findings wait for a medical reviewer. KB_EVIDENCE_WATCH switches it off (off by
# default with DEBUG on: development machines need not call the services). The contact
# address goes into the User-Agent and the services' "mailto"/"email" parameters, as their
# etiquette asks; the intervals keep within their rate limits (seconds between requests).
KB_EVIDENCE_WATCH = env_bool("KB_EVIDENCE_WATCH", not DEBUG)
KB_EVIDENCE_CONTACT_EMAIL = env_str(
    "KB_EVIDENCE_CONTACT_EMAIL", KB_DESK_CONTACT_EMAIL or "webmaster@localhost"
)
KB_EVIDENCE_CROSSREF_INTERVAL = float(env_str("KB_EVIDENCE_CROSSREF_INTERVAL", "0.2"))
KB_EVIDENCE_PUBMED_INTERVAL = float(env_str("KB_EVIDENCE_PUBMED_INTERVAL", "0.34"))
