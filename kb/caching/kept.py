"""Answers kept rendered in the database with their revision (``kb.models.RenderedPage``).

Why: the shared cache holds what readers asked for lately, so the page of a rarely read
article (and every page a partner's crawler walks) is rendered on each read: the template,
the JSON-LD, the reference slots. Yet once a revision is live its page changes only when
something its ETag names changes (a review, a retraction flag, a related condition, its
codes). So the answer is rendered when the revision goes live and kept beside it; a read
no cache holds then costs a query for the bytes instead of a render.

The database does not decide anything here either (I10). A kept answer is used only when
the key it was kept under equals the key of the validators just read for this request:
the ETag (what the answer shows) with the answer's name (its address and template) and
the deployment (``deployment()``: templates, code, settings, static files). Anything else
— an older review, a rename, a new deployment — misses, and the answer is rendered as
before. Validators and body are read in one snapshot when kept (``keep``), so the bytes
are exactly what the ETag names.

In development (``DEBUG`` on, or ``SITE_URL`` unset so that pages follow the request's
host) nothing is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import django
import rest_framework
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signals import setting_changed
from django.db import connections, router, transaction
from django.dispatch import receiver
from django.urls import get_script_prefix

from kb import site_url
from kb.compiled import CompiledQuery
from kb.models import RenderedPage

if TYPE_CHECKING:
    from kb.caching.answers import Validators

logger = logging.getLogger(__name__)

#: Settings a public page or API answer writes out besides the project's own (every
#: ``KB_*`` setting is named too, so a new one shown in an answer is covered).
SETTINGS = (
    "STATIC_URL",
    "FORCE_SCRIPT_NAME",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "USE_TZ",
    "USE_THOUSAND_SEPARATOR",
)


#: ``KB_*`` settings of work no public answer shows (tasks, webhooks, the evidence watch,
#: the desk, cache expiry): a worker may set them otherwise than the web processes.
BACKSTAGE = (
    "KB_TASKS_",
    "KB_WEBHOOKS_",
    "KB_EVIDENCE_",
    "KB_READABILITY_",
    "KB_DESK_",
    "KB_CACHE_SECONDS",
)


def _code_files(root: Path) -> Iterator[Path]:
    """Every module and template that can shape a public answer: the ``kb`` and ``accounts``
    packages (a reviewer's byline is written by ``accounts``; migrations aside), ``config``
    and the template folders. Broad on purpose: a deployment that changes any of them
    renders again rather than trusting a list kept by hand."""
    for package in ("kb", "accounts", "config"):
        yield from sorted(p for p in (root / package).rglob("*.py") if "migrations" not in p.parts)
    for engine in settings.TEMPLATES:
        for folder in engine.get("DIRS", []):
            yield from sorted(p for p in Path(folder).rglob("*") if p.is_file())


def _code() -> str:
    """Hashed when this module is imported, with the code this process runs (a worker
    started before a deployment's files changed on disk keeps its own hash)."""
    root = Path(__file__).resolve().parent.parent.parent
    digest = hashlib.sha256()
    for path in _code_files(root):
        name = path.relative_to(root) if path.is_relative_to(root) else path
        digest.update(f"{name}\0".encode() + path.read_bytes())
    # Django writes the pages, DRF the API's JSON.
    digest.update(f"{django.__version__}/{rest_framework.__version__}".encode())
    return digest.hexdigest()


CODE = _code()


def deployment() -> str:
    """What a kept answer depends on besides its own data: the code and templates, the
    settings it writes out and the static files' addresses (their hashed names).

    Computed once per process (settings do not change under a running site); a test
    that overrides a setting makes it computed again (``setting_changed``)."""
    if (value := _deployment.get("value")) is None:
        value = _deployment["value"] = _compute_deployment()
    return value


_deployment: dict[str, str] = {}


@receiver(setting_changed)
def _forget_deployment(**kwargs) -> None:
    _deployment.clear()


def _compute_deployment() -> str:
    digest = hashlib.sha256(CODE.encode())
    own = (n for n in dir(settings) if n.startswith("KB_") and not n.startswith(BACKSTAGE))
    names = sorted({*SETTINGS, *own})
    for name in names:
        digest.update(f"\0{name}={getattr(settings, name, None)!r}".encode())
    digest.update(f"\0{site_url.base()}\0{_static_files()}".encode())
    return digest.hexdigest()


def _static_files() -> str:
    """The static files' manifest (their hashed names), when the storage keeps one."""
    return str(getattr(staticfiles_storage, "manifest_hash", ""))


def enabled() -> bool:
    """Nothing is kept or read without ``SITE_URL`` (links follow the request's host) or
    with ``DEBUG`` on (templates edited under ``runserver`` change no code hash)."""
    return not settings.DEBUG and not site_url.from_request()


def key_for(*, name: str, etag: str) -> str:
    """The key an answer named ``name`` with ``etag`` is kept under in this deployment, at
    this address prefix (links are written under the request's ``SCRIPT_NAME``)."""
    text = f"{deployment()}\0{get_script_prefix()}\0{name}\0{etag}"
    return hashlib.sha256(text.encode()).hexdigest()


def _kept_query(*, revision: int, template: str, key: str):
    return RenderedPage.objects.filter(revision=revision, template=template, key=key).values_list(
        "content"
    )


#: Read on every answer no cache holds, so compiled once (``kb.compiled``).
_kept = CompiledQuery(_kept_query, revision=-(2**31) + 11, template="\x00template", key="\x00key")


def read(*, template: str, name: str, validators: Validators, listed: bool) -> bytes | None:
    """The kept bytes of ``name`` if they are what ``validators`` name now, else None.

    ``listed``: the validators were read in this request, so ``Validators.kept`` lists what
    is kept now and a key not among them costs no query. Validators from the cache may
    predate what was kept since (keeping moves no publication state): the row is looked up.
    """
    if not enabled():
        return None
    key = key_for(name=name, etag=validators.etag)
    if listed and validators.kept is not None and (template, key) not in validators.kept:
        return None
    rows = _kept.rows(revision=validators.revision_id, template=template, key=key)
    return bytes(rows[0][0]) if rows else None


@contextlib.contextmanager
def _snapshot(using: str) -> Iterator[bool]:
    """One transaction that sees one committed state, so validators and body describe the
    same content: REPEATABLE READ on PostgreSQL, set as the transaction's first statement
    (SQLite's transactions always see one state). Yields False inside an outer transaction
    on PostgreSQL, which has its isolation already: the caller must check instead."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield outermost or connection.vendor != "postgresql"


def keep(
    *,
    template: str,
    name: str,
    read_validators: Callable[[], Validators | None],
    render: Callable[[], tuple[int, Any]],
) -> bool:
    """Render the answer named ``name`` and keep it with its revision (replacing what was
    kept for that revision and template); False when nothing is live under ``name`` or the
    answer cannot be kept. Best effort: a failure is logged, never raised (the answer is
    then rendered on its first read)."""
    from kb.caching.answers import NotLive  # answers reads what this module keeps

    if not enabled():
        return False
    using = router.db_for_write(RenderedPage)
    try:
        with _snapshot(using) as one_state:
            validators = read_validators()
            if validators is None:
                return False
            revision_id, content = render()
            if not one_state and read_validators() != validators:
                return False  # changed while rendering: what was read may mix two states
        if revision_id != validators.revision_id:
            return False
        row = RenderedPage(
            revision_id=revision_id,
            template=template,
            key=key_for(name=name, etag=validators.etag),
            content=bytes(content),
        )
        with transaction.atomic(using=using):
            RenderedPage.objects.using(using).bulk_create(
                [row],
                update_conflicts=True,
                unique_fields=["revision", "template"],
                update_fields=["key", "content", "rendered_at"],
            )
    except NotLive:
        return False
    except Exception:
        logger.exception("Keeping %s rendered failed; it is rendered on its first read.", name)
        return False
    return True
