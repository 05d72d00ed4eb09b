"""Export and import of the whole library as documented, versioned JSON.

The file holds every condition with every revision (any status), its sections, citations
(with the snapshot of each reference as approved, I9), reviews, review comments (each
anchored by its section's place in the revision) and workflow events, the
reference library with its retraction log, and the people involved referred to by username.
Exporting, importing into an empty database and exporting again gives a byte-identical
file: output order is fixed and every stored value is written. The export is written as a
stream, a chunk of conditions at a time, so its memory does not grow with the library.

Import is all or nothing: the file is checked first, then written in one transaction, and
any problem is reported with the place in the file it was found (``conditions[2].revisions
[0].status: …``) and nothing is written. Each value is checked against the model field it
goes into (``clean_field``), so the models stay the one declaration of what is valid and a
file is refused alike on SQLite and PostgreSQL. Import restores history, so it inserts
approved revisions directly; it is the one writer allowed to
(``kb.models.immutability.restoring``).

Whole-site backups (feedback, partners, passwords, roles too) are ``kb.backup``'s.

Format (``"format": "kb-library", "version": 1``): see README, "Export and import".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DataError, IntegrityError, connection, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Prefetch, Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from kb.citations import SNAPSHOT_FIELDS, number_keys, reference_snapshot
from kb.models import (
    ChangeClass,
    Citation,
    Condition,
    ConditionCode,
    ConditionSlug,
    PublicChange,
    Reference,
    ReferenceEvent,
    Review,
    Revision,
    RevisionStatus,
    Section,
    SectionComment,
    WorkflowEvent,
)
from kb.models.immutability import restoring
from kb.models.reference import KEY_RE
from kb.refdata import normalise_doi, normalise_pmid
from kb.search_index import sync_documents

FORMAT = "kb-library"
VERSION = 1


class ImportRefused(Exception):
    """The file cannot be imported; nothing was written. The message says why and where."""


# --- export ----------------------------------------------------------------------------


def _dt(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


REFERENCE_FIELDS = [
    "key", "kind", "authors", "editors", "title", "container_title", "publisher", "place",
    "edition", "year", "month", "day", "volume", "issue", "pages", "doi", "pmid", "pmcid",
    "url", "in_press", "retracted", "retraction_note", "degree", "season",
]  # fmt: skip


def export_library() -> dict[str, Any]:
    """The whole library as a plain dict (for small libraries and tests; see ``stream_library``)."""
    return json.loads("".join(stream_library()))


def dumps(data: dict[str, Any]) -> str:
    """The text of a file holding ``data``: what ``stream_library`` writes, piece by piece."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


#: Conditions read, turned into text and let go at a time: a few megabytes of text each.
CHUNK_SIZE = 100


def stream_library(
    *, chunk_size: int = CHUNK_SIZE, progress: Callable[[int, int], None] | None = None
) -> Iterator[str]:
    """The export file as consecutive pieces of text, the same bytes as ``dumps`` gives.

    Conditions are read ``chunk_size`` at a time with everything they hold prefetched per
    chunk (a fixed number of queries per chunk), turned into text and let go, so memory
    stays bounded by a chunk whatever the size of the library. ``progress(done, total)``
    is called after each chunk of conditions.
    """
    yield f'{{\n  "format": {json.dumps(FORMAT)},\n  "version": {VERSION},\n'
    yield from _members("users", (_user(u) for u in _people().iterator(chunk_size=1000)))
    events = ReferenceEvent.objects.select_related("actor").order_by("created_at", "id")
    references = (
        Reference.objects.order_by("key")
        .select_related("merged_into")
        .prefetch_related(Prefetch("events", events))
        .iterator(chunk_size=1000)
    )
    yield from _members("references", (_reference(r) for r in references))
    total = Condition.objects.count()

    def conditions() -> Iterator[dict[str, Any]]:
        for done, condition in enumerate(_conditions().iterator(chunk_size=chunk_size), 1):
            yield _condition(condition)
            if progress is not None and (done % chunk_size == 0 or done == total):
                progress(done, total)

    yield from _members("conditions", conditions(), last=True)
    yield "}\n"


def _members(key: str, items: Iterable[Any], *, last: bool = False) -> Iterator[str]:
    """One list of the top-level object, an item at a time, indented as ``dumps`` would."""
    yield f'  "{key}": ['
    empty = True
    for item in items:
        text = json.dumps(item, indent=2, ensure_ascii=False)
        # JSON text never holds a raw line break inside a value, so this indents lines only.
        yield ("\n    " if empty else ",\n    ") + text.replace("\n", "\n    ")
        empty = False
    yield ("]" if empty else "\n  ]") + ("\n" if last else ",\n")


def _people() -> QuerySet:
    """Everyone the library names (by username): authors, editors, approvers, reviewers,
    actors in either log. Read before the conditions, as the file lists them first."""
    User = get_user_model()
    named = (
        Q(pk__in=Revision.objects.values("created_by"))
        | Q(pk__in=Revision.objects.filter(approved_by__isnull=False).values("approved_by"))
        | Q(pk__in=Revision.edited_by.through.objects.values("user"))
        | Q(pk__in=Review.objects.values("reviewer"))
        | Q(pk__in=WorkflowEvent.objects.values("actor"))
        | Q(pk__in=ReferenceEvent.objects.filter(actor__isnull=False).values("actor"))
    )
    return User.objects.filter(named).order_by("username")


def _user(u) -> dict[str, Any]:
    return {
        "username": u.username,
        "display_name": u.display_name,
        "credentials": u.credentials,
        "email": u.email,
    }


def _reference(ref: Reference) -> dict[str, Any]:
    return {
        **{f: getattr(ref, f) for f in REFERENCE_FIELDS},
        "accessed_on": _d(ref.accessed_on),
        "retraction_changed_at": _dt(ref.retraction_changed_at),
        "merged_into": ref.merged_into.key if ref.merged_into_id else None,
        "created_at": _dt(ref.created_at),
        "updated_at": _dt(ref.updated_at),
        "events": [
            {
                "actor": e.actor.username if e.actor else None,
                "action": e.action,
                "note": e.note,
                "created_at": _dt(e.created_at),
            }
            for e in ref.events.all()
        ],
    }


def _conditions() -> QuerySet:
    """Conditions A–Z with everything the file holds of them, prefetched a chunk at a time."""
    revisions = (
        Revision.objects.order_by("number")
        .select_related("created_by", "approved_by")
        .prefetch_related(
            "edited_by",
            "sections",
            Prefetch("reviews", Review.objects.select_related("reviewer")),
            Prefetch("comments", SectionComment.objects.select_related("author")),
            Prefetch("citations", Citation.objects.select_related("reference").only(
                "revision_id", "number", "snapshot", "reference__key")),
        )
    )  # fmt: skip
    return (
        Condition.objects.order_by("slug")
        .select_related("merged_into")
        .prefetch_related(
            Prefetch("revisions", revisions),
            Prefetch("related", Condition.objects.only("slug")),
            "old_slugs",
            Prefetch("codes", ConditionCode.objects.order_by("system", "code")),
            Prefetch("public_changes", PublicChange.objects.order_by("sequence", "id")),
            Prefetch(
                "events", WorkflowEvent.objects.select_related("actor").order_by("created_at", "id")
            ),
        )
    )


def _condition(condition: Condition) -> dict[str, Any]:
    revisions = list(condition.revisions.all())
    number = {rev.pk: rev.number for rev in revisions}
    return {
        "slug": condition.slug,
        "created_at": _dt(condition.created_at),
        "published_revision": number.get(condition.published_revision_id),
        "scheduled_revision": number.get(condition.scheduled_revision_id),
        "withdrawn_at": _dt(condition.withdrawn_at),
        "withdrawn_reason": condition.withdrawn_reason,
        "withdrawn_public_reason": condition.withdrawn_public_reason,
        "merged_into": condition.merged_into.slug if condition.merged_into else None,
        "codes": [
            {"system": code.system, "code": code.code, "display": code.display}
            for code in condition.codes.all()
        ],
        "public_changes": [
            {
                "revision": number[change.revision_id],
                "action": change.action,
                "at": _dt(change.at),
                "sequence": change.sequence,
                "slug": change.slug,
                "previous_slug": change.previous_slug,
                "former_slugs": change.former_slugs,
            }
            for change in condition.public_changes.all()
        ],
        "old_slugs": sorted(s.slug for s in condition.old_slugs.all()),
        "related": sorted(c.slug for c in condition.related.all()),
        "revisions": [_revision(rev, number) for rev in revisions],
        "events": [
            {
                "revision": number.get(e.revision_id),
                "actor": e.actor.username,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "comment": e.comment,
                "created_at": _dt(e.created_at),
            }
            for e in condition.events.all()
        ],
    }


def _revision(rev: Revision, number: dict[int, int]) -> dict[str, Any]:
    return {
        "id": rev.pk,
        "number": rev.number,
        "status": rev.status,
        "name": rev.name,
        "also_known_as": list(rev.also_known_as),
        "summary": rev.summary,
        "change_note": rev.change_note,
        "change_class": rev.change_class,
        "based_on": number.get(rev.based_on_id),
        "created_by": rev.created_by.username,
        "edited_by": sorted(u.username for u in rev.edited_by.all()),
        "created_at": _dt(rev.created_at),
        "updated_at": _dt(rev.updated_at),
        "lock_version": rev.lock_version,
        "submitted_at": _dt(rev.submitted_at),
        "approved_by": rev.approved_by.username if rev.approved_by else None,
        "approved_at": _dt(rev.approved_at),
        "published_at": _dt(rev.published_at),
        "sections": [
            {"position": s.position, "kind": s.kind, "heading": s.heading, "body": s.body}
            for s in sorted(rev.sections.all(), key=lambda s: (s.position, s.pk))
        ],
        "citations": [
            {"number": c.number, "key": c.reference.key, "snapshot": _sorted(c.snapshot)}
            for c in sorted(rev.citations.all(), key=lambda c: c.number)
        ],
        "reviews": [
            {
                "id": r.pk,
                "reviewer": r.reviewer.username,
                "kind": r.kind,
                "reviewed_on": _d(r.reviewed_on),
                "next_review_due": _d(r.next_review_due),
                "note": r.note,
                "created_at": _dt(r.created_at),
                "attestation": r.attestation,
                "retraction_acknowledgement": r.retraction_acknowledgement,
                "change_class": r.change_class,
            }
            for r in sorted(rev.reviews.all(), key=lambda r: (r.created_at, r.pk))
        ],
        "comments": _comments(rev),
    }


def _comments(rev: Revision) -> list[dict[str, Any]]:
    """The revision's conversation, oldest first. A comment names its section by place in
    the revision's ``sections`` and its thread by place in this list (files carry no row
    numbers of their own)."""
    sections = sorted(rev.sections.all(), key=lambda s: (s.position, s.pk))
    place = {s.pk: i for i, s in enumerate(sections)}
    comments = sorted(rev.comments.all(), key=lambda c: (c.created_at, c.pk))
    order = {c.pk: i for i, c in enumerate(comments)}
    return [
        {
            "section": place.get(c.section_id),
            "section_heading": c.section_heading,
            "quote": c.quote,
            "body": c.body,
            "author": c.author.username,
            "created_at": _dt(c.created_at),
            "thread": order.get(c.parent_id),
            "resolves": c.is_resolution,
        }
        for c in comments
    ]


def _sorted(snapshot: dict | None) -> dict | None:
    """A snapshot with its keys in a fixed order (PostgreSQL's jsonb keeps its own)."""
    return None if snapshot is None else {k: snapshot[k] for k in sorted(snapshot)}


# --- import: checking ------------------------------------------------------------------

#: Whole-number ranges as the model fields declare them on every database. SQLite would
#: store any 64-bit number and PostgreSQL would refuse it mid-import, so the file is held
#: to the declared range whatever this database is.
_INT_RANGES = BaseDatabaseOperations.integer_field_ranges
_TEXT_FIELDS = {"CharField", "TextField", "SlugField", "URLField", "EmailField"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    return {str: "text", int: "a number", float: "a number", list: "a list", dict: "an object"}[
        type(value)
    ]


def clean_field(field: models.Field, value: Any) -> Any:
    """``value`` from the file as ``field`` holds it, or ValidationError saying why not.

    The JSON type is checked first (a model field would turn 5 into "5" or "5" into 5 and
    accept it), then everything the model declares: null, blank, choices, the field's
    validators (length, slug, URL, e-mail) and its whole-number range.
    """
    if value is None:
        if field.null:
            return None
        raise ValidationError("must not be null")
    kind = field.get_internal_type()
    if kind in _INT_RANGES:
        if type(value) is not int:
            raise ValidationError(f"expected a whole number, found {_json_type(value)}")
        low, high = _INT_RANGES[kind]
        if not low <= value <= high:
            raise ValidationError(f"{value} is not between {low} and {high}")
    elif kind == "BooleanField":
        if not isinstance(value, bool):
            raise ValidationError(f"expected true or false, found {_json_type(value)}")
    elif kind in ("DateField", "DateTimeField"):
        value = _parse_moment(value, with_time=kind == "DateTimeField")
    elif kind in _TEXT_FIELDS:
        if not isinstance(value, str):
            raise ValidationError(f"expected text, found {_json_type(value)}")
        if not field.blank and not value.strip():
            raise ValidationError("must not be empty")
    if field.choices and value not in {key for key, _ in field.flatchoices}:
        names = ", ".join(sorted(str(key) for key, _ in field.flatchoices))
        raise ValidationError(f"{value!r} is not one of {names}")
    field.run_validators(value)
    return value


def _parse_moment(value: Any, *, with_time: bool) -> dt.date | dt.datetime:
    parse = parse_datetime if with_time else parse_date
    try:
        parsed = parse(value) if isinstance(value, str) else None
    except ValueError:  # well formed but impossible, such as 2026-13-45
        parsed = None
    if parsed is None or (with_time and parsed.tzinfo is None):
        what = "date-time with a zone" if with_time else "date"
        raise ValidationError(f"{value!r} is not an ISO 8601 {what}")
    return parsed


def _names(value: Any, pool) -> bool:
    """Whether ``value`` names an entry of ``pool``: a name or number, never a list or a bool."""
    return isinstance(value, str | int) and not isinstance(value, bool) and value in pool


def _is_form_slug(slug: str) -> bool:
    """The desk's rule for an article's address (``kb.services.validate_new_slug``)."""
    return bool(slug) and slug == slugify(slug)


class _Checker:
    """Collects every problem of a file with its place, rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def obj(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"expected an object, found {_json_type(value)}")
            return {}
        return value

    def items(self, parent: dict, key: str, where: str, *, required: bool = True) -> list:
        """The list at ``parent[key]``; one that is not required may be absent, not null."""
        if key not in parent and not required:
            return []
        value = parent.get(key)
        if not isinstance(value, list):
            place = f"{where}.{key}" if where else key
            self.fail(place, f"expected a list, found {_json_type(value)}")
            return []
        return value

    def value(self, value: Any, place: str, field: models.Field) -> Any:
        """``value`` as ``field`` holds it, or None with the problem noted at ``place``."""
        try:
            return clean_field(field, value)
        except ValidationError as exc:
            self.fail(place, " ".join(exc.messages))
            return None

    def field(self, parent: dict, key: str, where: str, model, *, name: str = "",
              required: bool = True) -> Any:  # fmt: skip
        """``parent[key]`` checked against ``model``'s field (``name``, else ``key``)."""
        if key not in parent:
            if required:
                self.fail(f"{where}.{key}", "is missing")
            return None
        return self.value(parent[key], f"{where}.{key}", model._meta.get_field(name or key))

    def slugs(self, parent: dict, key: str, where: str, model, name: str) -> list[str]:
        """A list of slugs, each checked as ``model.name`` is."""
        field = model._meta.get_field(name)
        found = []
        for k, value in enumerate(self.items(parent, key, where, required=False)):
            if (slug := self.value(value, f"{where}.{key}[{k}]", field)) is not None:
                found.append(slug)
        return found

    def names(self, parent: dict, key: str, where: str) -> None:
        """Other names: text, at most 200 characters each, as the desk's form allows."""
        for k, value in enumerate(self.items(parent, key, where)):
            if not isinstance(value, str):
                self.fail(f"{where}.{key}[{k}]", f"expected text, found {_json_type(value)}")
            elif len(value) > 200:
                self.fail(f"{where}.{key}[{k}]", "each name must be at most 200 characters")

    def record(self, r: dict, where: str, names) -> None:
        """The bibliographic values ``names`` of a reference, or of a snapshot of one, that
        are there: checked as ``Reference`` holds them, with its month and day constraints
        (a snapshot is what readers see of the record, so it is held to the same rules)."""
        for name in names:
            if name in ("authors", "editors"):
                self.people(r, name, where)
            else:
                self.field(r, name, where, Reference, required=False)
        for name, top in (("month", 12), ("day", 31)):
            if type(r.get(name)) is int and not 1 <= r[name] <= top:
                self.fail(f"{where}.{name}", f"{r[name]} is not between 1 and {top}")

    def people(self, parent: dict, key: str, where: str) -> None:
        """Authors or editors: objects of text (family, given, or literal for a body)."""
        for k, value in enumerate(self.items(parent, key, where, required=False)):
            person = self.obj(value, f"{where}.{key}[{k}]")
            for part, text in person.items():
                if not isinstance(text, str):
                    self.fail(f"{where}.{key}[{k}].{part}", "expected text")


class _Ids:
    """The row numbers a file gives revisions and reviews: positive and each used once."""

    def __init__(self, checker: _Checker) -> None:
        self.checker = checker
        self.seen: dict[tuple[str, int], str] = {}

    def claim(self, value: int | None, kind: str, where: str) -> None:
        if value is None:
            return
        if value < 1:
            self.checker.fail(where, "expected a positive whole number")
        elif (kind, value) in self.seen:
            self.checker.fail(where, f"{value} appears twice (also at {self.seen[kind, value]})")
        else:
            self.seen[kind, value] = where


def _check(data: Any) -> list[str]:
    c = _Checker()
    if not isinstance(data, dict):
        return ["The file must hold one JSON object."]
    if data.get("format") != FORMAT:
        return [f"format: expected {FORMAT!r}, found {data.get('format')!r}"]
    if data.get("version") != VERSION:
        return [f"version: this program reads version {VERSION}, found {data.get('version')!r}"]
    User = get_user_model()

    users = set()
    for i, raw in enumerate(c.items(data, "users", "")):
        where = f"users[{i}]"
        u = c.obj(raw, where)
        name = c.field(u, "username", where, User)
        for key in ("display_name", "credentials", "email"):
            c.field(u, key, where, User, required=False)
        if name in users:
            c.fail(f"{where}.username", f"{name!r} appears twice")
        users.add(name)

    def user(parent, key, where, *, required=True):
        value = parent.get(key)
        if value is None and not required:
            return
        if not _names(value, users):
            c.fail(f"{where}.{key}", f"{value!r} is not in the users list")

    keys = set()
    identifiers: dict[tuple[str, str], int] = {}
    for i, raw in enumerate(c.items(data, "references", "")):
        where = f"references[{i}]"
        r = c.obj(raw, where)
        key = c.field(r, "key", where, Reference)
        if key is not None and not KEY_RE.match(key):
            c.fail(f"{where}.key", "use letters, digits and _ : . - only, e.g. jansen1991")
        if key in keys:
            c.fail(f"{where}.key", f"{key!r} appears twice")
        keys.add(key)
        c.field(r, "title", where, Reference)
        c.field(r, "kind", where, Reference)
        c.record(r, where, [n for n in REFERENCE_FIELDS if n not in ("key", "title", "kind")])
        for name in ("accessed_on", "retraction_changed_at", "created_at", "updated_at"):
            c.field(r, name, where, Reference, required=False)
        for name, normalise in (("doi", normalise_doi), ("pmid", normalise_pmid)):
            value = r.get(name)
            if not isinstance(value, str) or not value:
                continue
            normal = normalise(value)
            if not normal:
                c.fail(f"{where}.{name}", f"{value!r} is not a {name.upper()}")
            elif (name, normal) in identifiers:
                first = identifiers[(name, normal)]
                c.fail(f"{where}.{name}", f"{value!r} is also the {name.upper()} of "
                                          f"references[{first}]")  # fmt: skip
            else:
                identifiers[(name, normal)] = i
        for k, raw_e in enumerate(c.items(r, "events", where, required=False)):
            ew = f"{where}.events[{k}]"
            e = c.obj(raw_e, ew)
            user(e, "actor", ew, required=False)
            c.field(e, "action", ew, ReferenceEvent)
            c.field(e, "note", ew, ReferenceEvent, required=False)
            c.field(e, "created_at", ew, ReferenceEvent)

    # An alias names the record it was merged into (``kb.reference_merge``): one in the file.
    for i, raw in enumerate(c.items(data, "references", "")):
        target = raw.get("merged_into") if isinstance(raw, dict) else None
        named = isinstance(target, str) and target in keys and target != raw.get("key")
        if target is not None and not named:
            c.fail(f"references[{i}].merged_into", f"{target!r} is not another reference's key")

    slugs: dict[str, str] = {}  # every slug, current or former, and where it is

    def claim(slug: str, where: str) -> None:
        if slug in slugs:
            c.fail(where, f"{slug!r} appears twice (also at {slugs[slug]})")
        else:
            slugs[slug] = where

    ids = _Ids(c)
    conditions = c.items(data, "conditions", "")
    for i, raw in enumerate(conditions):
        where = f"conditions[{i}]"
        cond = c.obj(raw, where)
        slug = c.field(cond, "slug", where, Condition)
        if slug is not None:
            if not _is_form_slug(slug):
                c.fail(f"{where}.slug", "use lower-case letters, digits and hyphens only, "
                                        "e.g. cramp-fasciculation-syndrome")  # fmt: skip
            claim(slug, f"{where}.slug")
        c.field(cond, "created_at", where, Condition)
        withdrawn = c.field(cond, "withdrawn_at", where, Condition, required=False)
        reason = c.field(cond, "withdrawn_reason", where, Condition, required=False)
        if withdrawn and not (reason or "").strip():
            c.fail(f"{where}.withdrawn_reason", "a withdrawn condition needs a reason")
        c.field(cond, "withdrawn_public_reason", where, Condition, required=False)
        for k, old in enumerate(c.slugs(cond, "old_slugs", where, ConditionSlug, "slug")):
            claim(old, f"{where}.old_slugs[{k}]")
        numbers: dict[int, str] = {}
        open_count = 0
        revisions = c.items(cond, "revisions", where)
        for j, raw_rev in enumerate(revisions):
            rw = f"{where}.revisions[{j}]"
            rev = c.obj(raw_rev, rw)
            number = c.field(rev, "number", rw, Revision)
            if number is None:
                continue
            if number < 1 or number in numbers:
                c.fail(f"{rw}.number", f"{number!r} is not a new positive whole number")
                continue
            status = c.field(rev, "status", rw, Revision)
            ids.claim(c.field(rev, "id", rw, Revision, required=False), "revision", f"{rw}.id")
            numbers[number] = status
            open_count += status != RevisionStatus.APPROVED
            for name in ("name", "summary"):
                c.field(rev, name, rw, Revision)
            c.field(rev, "change_note", rw, Revision, required=False)
            c.field(rev, "change_class", rw, Revision, required=False)
            c.names(rev, "also_known_as", rw)
            user(rev, "created_by", rw)
            for k, name in enumerate(c.items(rev, "edited_by", rw, required=False)):
                if not _names(name, users):
                    c.fail(f"{rw}.edited_by[{k}]", f"{name!r} is not in the users list")
            user(rev, "approved_by", rw, required=status == RevisionStatus.APPROVED)
            if rev.get("approved_by") is not None and rev["approved_by"] == rev.get("created_by"):
                c.fail(f"{rw}.approved_by", "the creator cannot be the approver")
            if status == RevisionStatus.APPROVED:
                c.field(rev, "approved_at", rw, Revision)
                c.field(rev, "published_at", rw, Revision)
            for name in ("approved_at", "published_at", "submitted_at"):
                if status != RevisionStatus.APPROVED or name == "submitted_at":
                    c.field(rev, name, rw, Revision, required=False)
            for name in ("created_at", "updated_at"):
                c.field(rev, name, rw, Revision)
            lock_version = c.field(rev, "lock_version", rw, Revision)
            if lock_version is not None and lock_version < 1:
                c.fail(f"{rw}.lock_version", "expected a positive whole number")
            for k, raw_s in enumerate(c.items(rev, "sections", rw)):
                sw = f"{rw}.sections[{k}]"
                s = c.obj(raw_s, sw)
                for name in ("position", "kind", "heading", "body"):
                    c.field(s, name, sw, Section)
                for extra in set(s) - {"position", "kind", "heading", "body"}:
                    c.fail(f"{sw}.{extra}", "is not a field of a section")
            cited = set()
            for k, raw_c in enumerate(c.items(rev, "citations", rw, required=False)):
                cw = f"{rw}.citations[{k}]"
                cit = c.obj(raw_c, cw)
                if not _names(cit.get("key"), keys):
                    c.fail(f"{cw}.key", f"{cit.get('key')!r} is not in the references list")
                elif cit["key"] in cited:
                    c.fail(f"{cw}.key", f"{cit['key']!r} is cited twice")
                else:
                    cited.add(cit["key"])
                if c.field(cit, "number", cw, Citation) not in (None, k + 1):
                    c.fail(f"{cw}.number", f"expected {k + 1}, numbered in order")
                snapshot = cit.get("snapshot")
                if snapshot is not None and not isinstance(snapshot, dict):
                    c.fail(f"{cw}.snapshot", "expected an object or null")
                elif snapshot is not None:  # what readers see of the record: as strict
                    c.record(snapshot, f"{cw}.snapshot", SNAPSHOT_FIELDS)
            for k, raw_r in enumerate(c.items(rev, "reviews", rw)):
                vw = f"{rw}.reviews[{k}]"
                r = c.obj(raw_r, vw)
                user(r, "reviewer", vw)
                c.field(r, "kind", vw, Review)
                ids.claim(c.field(r, "id", vw, Review, required=False), "review", f"{vw}.id")
                on = c.field(r, "reviewed_on", vw, Review)
                due = c.field(r, "next_review_due", vw, Review)
                if on and due and due <= on:
                    c.fail(f"{vw}.next_review_due", "must fall after reviewed_on")
                c.field(r, "note", vw, Review, required=False)
                c.field(r, "created_at", vw, Review)
                for name in ("attestation", "retraction_acknowledgement", "change_class"):
                    c.field(r, name, vw, Review, required=False)
            _check_comments(c, rev, rw, user)
        if open_count > 1:
            c.fail(f"{where}.revisions", "more than one revision is still open (not approved)")
        for j, rev in enumerate(revisions):
            based_on = rev.get("based_on") if isinstance(rev, dict) else None
            if based_on is not None and not _names(based_on, numbers):
                c.fail(f"{where}.revisions[{j}].based_on", "names no revision of this condition")
        for pointer in ("published_revision", "scheduled_revision"):
            number = cond.get(pointer)
            if number is not None and not (
                _names(number, numbers) and numbers[number] == RevisionStatus.APPROVED
            ):
                c.fail(f"{where}.{pointer}", "must name an approved revision")
        codes = set()
        for j, raw_code in enumerate(c.items(cond, "codes", where, required=False)):
            cw = f"{where}.codes[{j}]"
            code = c.obj(raw_code, cw)
            system = c.field(code, "system", cw, ConditionCode)
            value = c.field(code, "code", cw, ConditionCode)
            c.field(code, "display", cw, ConditionCode, required=False)
            if (system, (value or "").strip()) in codes:
                c.fail(f"{cw}.code", f"{system} {value} appears twice")
            codes.add((system, (value or "").strip()))
        for j, raw_change in enumerate(c.items(cond, "public_changes", where, required=False)):
            pw = f"{where}.public_changes[{j}]"
            change = c.obj(raw_change, pw)
            c.field(change, "action", pw, PublicChange)
            c.field(change, "at", pw, PublicChange)
            c.field(change, "sequence", pw, PublicChange, required=False)
            for name in ("slug", "previous_slug"):
                if change.get(name) not in (None, ""):
                    c.field(change, name, pw, PublicChange)
            c.slugs(change, "former_slugs", pw, PublicChange, "slug")
            if not _names(change.get("revision"), numbers):
                c.fail(f"{pw}.revision", "names no revision of this condition")
        for j, raw_e in enumerate(c.items(cond, "events", where)):
            ew = f"{where}.events[{j}]"
            e = c.obj(raw_e, ew)
            user(e, "actor", ew)
            c.field(e, "action", ew, WorkflowEvent)
            for name in ("from_status", "to_status", "comment"):
                c.field(e, name, ew, WorkflowEvent, required=False)
            c.field(e, "created_at", ew, WorkflowEvent)
            if e.get("revision") is not None and not _names(e["revision"], numbers):
                c.fail(f"{ew}.revision", "names no revision of this condition")
    current = {s for s, where in slugs.items() if where.endswith(".slug")}
    for i, cond in enumerate(conditions):
        if not isinstance(cond, dict):
            continue
        for k, name in enumerate(c.items(cond, "related", f"conditions[{i}]", required=False)):
            if not _names(name, current):
                c.fail(f"conditions[{i}].related[{k}]", f"{name!r} is not a condition in the file")
        successor = cond.get("merged_into")
        if successor is not None and (
            not _names(successor, current) or not cond.get("withdrawn_at")
        ):
            c.fail(
                f"conditions[{i}].merged_into",
                f"{successor!r} must be another condition in the file, on a withdrawn one",
            )
        elif successor is not None and successor == cond.get("slug"):
            c.fail(f"conditions[{i}].merged_into", "a condition cannot be merged into itself")
    return c.problems


def _check_comments(c: _Checker, rev: dict, rw: str, user) -> None:
    """A revision's ``comments``: each in a thread that came before it, about one of the
    revision's sections (or none), with text unless it resolves; a thread resolved once."""
    sections = rev.get("sections") if isinstance(rev.get("sections"), list) else []
    threads: dict[int, bool] = {}  # place of each thread → resolved yet
    for k, raw in enumerate(c.items(rev, "comments", rw, required=False)):
        where = f"{rw}.comments[{k}]"
        comment = c.obj(raw, where)
        user(comment, "author", where)
        for name in ("section_heading", "quote", "body"):
            c.field(comment, name, where, SectionComment, required=False)
        c.field(comment, "created_at", where, SectionComment)
        section = comment.get("section")
        if section is not None and not (
            isinstance(section, int) and not isinstance(section, bool)
            and 0 <= section < len(sections)
        ):  # fmt: skip
            c.fail(f"{where}.section", "names no section of this revision")
        resolves = comment.get("resolves", False)
        if not isinstance(resolves, bool):
            c.fail(f"{where}.resolves", "expected true or false")
        thread = comment.get("thread")
        if thread is None:
            if resolves:
                c.fail(f"{where}.thread", "a resolution must name the thread it resolves")
            threads[k] = False
        elif not (isinstance(thread, int) and thread in threads):
            c.fail(f"{where}.thread", "names no earlier thread of this revision")
        elif threads[thread]:
            c.fail(f"{where}.thread", "that thread is already resolved")
        elif resolves:
            threads[thread] = True
        if not resolves and not str(comment.get("body") or "").strip():
            c.fail(f"{where}.body", "a comment needs text")


# --- import: writing -------------------------------------------------------------------


def loads(text: str) -> dict[str, Any]:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"The file is not valid JSON: {exc}.") from exc


@transaction.atomic
def import_library(
    data: Any, *, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Load an export into this database. All or nothing; returns counts of what was made.

    ``progress(done, total)`` is called every ``CHUNK_SIZE`` conditions written.
    """
    problems = _check(data) or _clashes(data)
    if problems:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise ImportRefused("The file was refused:\n  " + "\n  ".join(shown) + more)
    try:
        with restoring():
            return _write(data, progress=progress)
    except (IntegrityError, DataError) as exc:  # a rule the checks above do not know yet
        raise ImportRefused(f"The file contradicts the database rules: {exc}") from exc


def _clashes(data: dict[str, Any]) -> list[str]:
    """What the file would collide with in this database, by place in the file.

    Conditions are never merged; a reference whose key is already here is kept as it is
    (so only a new key can bring a DOI or PMID another record has).
    """
    slugs = {}
    for i, cond in enumerate(data["conditions"]):
        slugs[cond["slug"]] = f"conditions[{i}].slug"
        for k, old in enumerate(cond.get("old_slugs") or []):
            slugs[old] = f"conditions[{i}].old_slugs[{k}]"
    taken = set(Condition.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    taken |= set(ConditionSlug.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    problems = [f"{slugs[s]}: {s!r} already exists here" for s in sorted(taken, key=slugs.get)]
    existing = set(Reference.objects.values_list("key", flat=True))
    new = [(i, ref) for i, ref in enumerate(data["references"]) if ref["key"] not in existing]
    for name, normalise in (("doi", normalise_doi), ("pmid", normalise_pmid)):
        wanted = {normalise(ref.get(name) or ""): i for i, ref in new if ref.get(name)}
        held = Reference.objects.filter(**{f"{name}__in": wanted}).values_list(name, "key")
        problems += [
            f"references[{wanted[value]}].{name}: {value!r} is already the {name.upper()} "
            f"of [{key}] here"
            for value, key in held
        ]
    return problems


def _ids_are_free(data: dict[str, Any]) -> bool:
    """Whether every revision and review of the file can keep its row number here: the
    file gives them all and this database has none yet (a restore)."""
    given = all(
        "id" in rev and all("id" in r for r in rev["reviews"])
        for cond in data["conditions"]
        for rev in cond["revisions"]
    )
    return given and not Revision.objects.exists() and not Review.objects.exists()


def _write(data: dict[str, Any], *, progress) -> dict[str, int]:
    User = get_user_model()
    users = {}
    for u in data["users"]:
        user = User.objects.filter(username=u["username"]).first()
        if user is None:
            user = User(
                username=u["username"],
                display_name=u.get("display_name") or "",
                credentials=u.get("credentials") or "",
                email=u.get("email") or "",
            )
            user.set_unusable_password()
            user.save()
        users[u["username"]] = user

    refs = {}
    created = set()
    for r in data["references"]:
        existing = Reference.objects.filter(key=r["key"]).first()
        if existing is None:
            fields = {f: r.get(f) for f in REFERENCE_FIELDS if f in r}
            for blankable in ("doi", "pmid"):
                fields[blankable] = fields.get(blankable) or None
            changed = r.get("retraction_changed_at")
            existing = Reference.objects.create(
                **{k: v for k, v in fields.items() if v is not None or k in ("doi", "pmid")},
                accessed_on=parse_date(r["accessed_on"]) if r.get("accessed_on") else None,
                retraction_changed_at=parse_datetime(changed) if changed else None,
            )
            # Saving stamps the record as changed now; the file knows when it really was.
            times = {k: parse_datetime(r[k]) for k in ("created_at", "updated_at") if r.get(k)}
            if times:
                Reference.objects.filter(pk=existing.pk).update(**times)
            ReferenceEvent.objects.bulk_create(
                [
                    ReferenceEvent(reference=existing, actor=users.get(e.get("actor")),
                                   action=e["action"], note=e.get("note") or "",
                                   created_at=parse_datetime(e["created_at"]))
                    for e in r.get("events") or []
                ]
            )  # fmt: skip
            created.add(existing.pk)
        refs[existing.key] = existing
    for r in data["references"]:  # once every record exists: aliases of records made here
        alias = refs[r["key"]]
        if r.get("merged_into") and alias.pk in created:
            alias.merged_into = refs[r["merged_into"]]
            alias.save(update_fields=["merged_into"])

    # Revisions and reviews keep their row numbers when this database has none of them
    # (a restore into an empty one): the ETags readers' caches hold name them.
    keep_ids = _ids_are_free(data)
    when = parse_datetime
    total = len(data["conditions"])
    counts = {"conditions": 0, "revisions": 0, "sections": 0, "reviews": 0, "events": 0}
    conditions: dict[str, Condition] = {}
    for cond in data["conditions"]:
        condition = Condition.objects.create(
            slug=cond["slug"],
            created_at=when(cond["created_at"]),
            withdrawn_at=when(cond["withdrawn_at"]) if cond.get("withdrawn_at") else None,
            withdrawn_reason=cond.get("withdrawn_reason") or "",
            withdrawn_public_reason=cond.get("withdrawn_public_reason") or "",
        )
        conditions[condition.slug] = condition
        counts["conditions"] += 1
        for old in cond.get("old_slugs") or []:
            ConditionSlug.objects.create(slug=old, condition=condition)
        by_number: dict[int, Revision] = {}
        for rev in sorted(cond["revisions"], key=lambda r: r["number"]):
            revision = Revision.objects.create(
                id=rev.get("id") if keep_ids else None,
                condition=condition,
                number=rev["number"],
                status=rev["status"],
                name=rev["name"],
                also_known_as=rev["also_known_as"],
                summary=rev["summary"],
                change_note=rev.get("change_note") or "",
                change_class=rev.get("change_class") or ChangeClass.CLINICAL,
                based_on=by_number.get(rev.get("based_on")),
                created_by=users[rev["created_by"]],
                created_at=when(rev["created_at"]),
                updated_at=when(rev["updated_at"]),
                lock_version=rev["lock_version"],
                submitted_at=when(rev["submitted_at"]) if rev.get("submitted_at") else None,
                approved_by=users.get(rev.get("approved_by")),
                approved_at=when(rev["approved_at"]) if rev.get("approved_at") else None,
                published_at=when(rev["published_at"]) if rev.get("published_at") else None,
            )
            by_number[revision.number] = revision
            approved = revision.status == RevisionStatus.APPROVED
            counts["revisions"] += 1
            revision.edited_by.add(*[users[name] for name in rev.get("edited_by") or []])
            sections = Section.objects.bulk_create(
                [Section(revision=revision, **s) for s in rev["sections"]]
            )
            counts["sections"] += len(sections)
            if "citations" in rev:  # as recorded, snapshots included (I9)
                cited = [(refs[c["key"]], c.get("snapshot")) for c in rev["citations"]]
            else:  # an older file: derived from the text, snapshot of the library as it is
                numbers = number_keys(s["body"] for s in rev["sections"])
                cited = [
                    (refs[k], reference_snapshot(refs[k]) if approved else None)
                    for k in sorted(numbers, key=numbers.get)
                    if k in refs
                ]
            Citation.objects.bulk_create(
                [Citation(revision=revision, reference=ref, number=n, snapshot=snapshot)
                 for n, (ref, snapshot) in enumerate(cited, start=1)]
            )  # fmt: skip
            for r in rev["reviews"]:
                Review.objects.create(
                    id=r.get("id") if keep_ids else None,
                    revision=revision,
                    reviewer=users[r["reviewer"]],
                    kind=r["kind"],
                    reviewed_on=parse_date(r["reviewed_on"]),
                    next_review_due=parse_date(r["next_review_due"]),
                    note=r.get("note") or "",
                    created_at=when(r["created_at"]),
                    attestation=r.get("attestation") or "",
                    retraction_acknowledgement=r.get("retraction_acknowledgement") or "",
                    change_class=r.get("change_class") or "",
                )
                counts["reviews"] += 1
            written: list[SectionComment] = []
            for cm in rev.get("comments") or []:
                thread = written[cm["thread"]] if cm.get("thread") is not None else None
                place = cm.get("section")
                written.append(
                    SectionComment.objects.create(
                        revision=revision,
                        section=sections[place] if place is not None else None,
                        section_heading=cm.get("section_heading") or "",
                        quote=cm.get("quote") or "",
                        body=cm.get("body") or "",
                        author=users[cm["author"]],
                        parent=thread,
                        is_resolution=bool(cm.get("resolves")),
                        created_at=when(cm["created_at"]),
                    )
                )
        for pointer in ("published_revision", "scheduled_revision"):
            if cond.get(pointer) is not None:
                setattr(condition, pointer, by_number[cond[pointer]])
                condition.save(update_fields=[pointer])
        ConditionCode.objects.bulk_create(
            [
                ConditionCode(condition=condition, system=code["system"], code=code["code"],
                              display=code.get("display") or "")
                for code in cond.get("codes") or []
            ]
        )  # fmt: skip
        PublicChange.objects.bulk_create(
            [
                PublicChange(condition=condition, revision=by_number[change["revision"]],
                             action=change["action"], at=when(change["at"]),
                             # Files from before the cursor: the time orders them.
                             sequence=change.get("sequence",
                                                 int(when(change["at"]).timestamp() * 1e6)),
                             slug=change.get("slug") or cond["slug"],
                             previous_slug=change.get("previous_slug") or "",
                             former_slugs=change.get("former_slugs") or [])
                for change in cond.get("public_changes") or []
            ]
        )  # fmt: skip
        for e in cond["events"]:
            WorkflowEvent.objects.create(
                condition=condition,
                revision=by_number.get(e.get("revision")),
                actor=users[e["actor"]],
                action=e["action"],
                from_status=e.get("from_status") or "",
                to_status=e.get("to_status") or "",
                comment=e.get("comment") or "",
                created_at=when(e["created_at"]),
            )
            counts["events"] += 1
        if progress is not None and (
            counts["conditions"] % CHUNK_SIZE == 0 or counts["conditions"] == total
        ):
            progress(counts["conditions"], total)
    if keep_ids:  # PostgreSQL's sequences must move past the numbers given
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Revision, Review]):
                cursor.execute(sql)
    for cond in data["conditions"]:
        conditions[cond["slug"]].related.add(*[conditions[s] for s in cond.get("related") or []])
        if cond.get("merged_into"):
            merged = conditions[cond["slug"]]
            merged.merged_into = conditions[cond["merged_into"]]
            merged.save(update_fields=["merged_into"])
    # Search documents are derived data, not exported: built here for what was restored
    # and is public or scheduled.
    sync_documents(conditions=Condition.objects.filter(pk__in=[c.pk for c in conditions.values()]))
    return counts
