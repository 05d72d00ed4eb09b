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

With ``SITE_URL`` unset (development), pages follow the request's host: nothing is kept.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import DatabaseError, connections, router, transaction

from kb import site_url
from kb.compiled import CompiledQuery
from kb.models import RenderedPage

if TYPE_CHECKING:
    from kb.caching.answers import Validators

logger = logging.getLogger(__name__)

#: The settings a public page or API answer writes out (besides ``SITE_URL``).
SETTINGS = (
    "KB_PUBLISHER_NAME",
    "KB_DISCLAIMER",
    "STATIC_URL",
    "FORCE_SCRIPT_NAME",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "USE_TZ",
    "USE_THOUSAND_SEPARATOR",
    "KB_CACHE_VERSION",
)


def _code_files() -> Iterator[Path]:
    """Every module and template that can shape a public answer: the whole ``kb`` package
    (migrations aside), ``config`` and the template folders. Broad on purpose: a deployment
    that changes any of them renders again rather than trusting a list kept by hand."""
    root = Path(__file__).resolve().parent.parent
    yield from sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts)
    yield from sorted((root.parent / "config").rglob("*.py"))
    for engine in settings.TEMPLATES:
        for folder in engine.get("DIRS", []):
            yield from sorted(p for p in Path(folder).rglob("*") if p.is_file())
    yield from sorted(p for p in (root / "templates").rglob("*") if p.is_file())


@functools.cache
def _code() -> str:
    digest = hashlib.sha256()
    for path in _code_files():
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def deployment() -> str:
    """What a kept answer depends on besides its own data: the code and templates, the
    settings it writes out and the static files' addresses (their hashed names)."""
    digest = hashlib.sha256(_code().encode())
    for name in SETTINGS:
        digest.update(f"\0{name}={getattr(settings, name, None)!r}".encode())
    digest.update(f"\0{site_url.base()}\0{_static_files()}".encode())
    return digest.hexdigest()


def _static_files() -> str:
    """The static files' manifest (their hashed names), when the storage keeps one."""
    return str(getattr(staticfiles_storage, "manifest_hash", ""))


def enabled() -> bool:
    return not site_url.from_request()


def key_for(*, name: str, etag: str) -> str:
    """The key an answer named ``name`` with ``etag`` is kept under in this deployment."""
    return hashlib.sha256(f"{deployment()}\0{name}\0{etag}".encode()).hexdigest()


def _kept_query(*, revision: int, template: str, key: str):
    return RenderedPage.objects.filter(revision=revision, template=template, key=key).values_list(
        "content"
    )


#: Read on every answer no cache holds, so compiled once (``kb.compiled``).
_kept = CompiledQuery(_kept_query, revision=-(2**31) + 11, template="\x00template", key="\x00key")


def read(*, template: str, name: str, validators: Validators) -> bytes | None:
    """The kept bytes of ``name`` if they are what ``validators`` name now, else None.

    Validators that say which keys are kept (``Validators.kept``) save the query when the
    one wanted is not among them."""
    if not enabled():
        return None
    key = key_for(name=name, etag=validators.etag)
    if validators.kept is not None and (template, key) not in validators.kept:
        return None
    rows = _kept.rows(revision=validators.revision_id, template=template, key=key)
    return bytes(rows[0][0]) if rows else None


@contextlib.contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One transaction that sees one committed state (REPEATABLE READ on PostgreSQL; SQLite's
    transactions always do), so validators and body describe the same content."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def keep(
    *,
    template: str,
    name: str,
    read_validators: Callable[[], Validators | None],
    render: Callable[[], tuple[int, Any]],
) -> bool:
    """Render the answer named ``name`` and keep it with its revision (replacing what was
    kept for that revision and template); False when nothing is live under ``name`` or the
    answer cannot be kept. Best effort: a failure is logged, never raised."""
    if not enabled():
        return False
    using = router.db_for_write(RenderedPage)
    try:
        with _snapshot(using):
            validators = read_validators()
            if validators is None:
                return False
            revision_id, content = render()
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
    except DatabaseError:
        logger.exception("Keeping %s rendered failed.", name)
        return False
    return True
