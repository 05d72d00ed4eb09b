"""Export and import of the whole library as documented, versioned JSON.

The file holds every condition with every revision (any status), its sections, citations
(with the snapshot of each reference as approved, I9), reviews and workflow events, the
reference library with its retraction log, and the people involved referred to by username.
Exporting, importing into an empty database and exporting again gives a byte-identical
file: output order is fixed and every stored value is written.

Import is all or nothing: the file is checked first, then written in one transaction, and
any problem is reported with the place in the file it was found (``conditions[2].revisions
[0].status: …``) and nothing is written. Import restores history, so it inserts approved
revisions directly; it is the one writer allowed to (``kb.models.immutability.restoring``).

Format (``"format": "kb-library", "version": 1``): see README, "Export and import".
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_date, parse_datetime

from kb.citations import number_keys, reference_snapshot
from kb.models import (
    ChangeAction,
    Citation,
    CodeSystem,
    Condition,
    ConditionCode,
    ConditionSlug,
    PublicChange,
    Reference,
    ReferenceAction,
    ReferenceEvent,
    Review,
    Revision,
    RevisionStatus,
    Section,
    SectionKind,
    WorkflowEvent,
)
from kb.models.events import WorkflowAction
from kb.models.immutability import restoring
from kb.models.reference import ReferenceKind
from kb.models.review import ReviewKind
from kb.search_index import index_revisions

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
    """The whole library as a plain, JSON-ready dict in a fixed order."""
    usernames: set[str] = set()

    def who(user) -> str | None:
        if user is None:
            return None
        usernames.add(user.username)
        return user.username

    conditions = []
    for condition in (
        Condition.objects.order_by("slug")
        .select_related("merged_into")
        .prefetch_related("related", "old_slugs")
    ):
        revisions = []
        qs = (
            condition.revisions.order_by("number")
            .select_related("created_by", "approved_by", "based_on")
            .prefetch_related("edited_by", "sections", "reviews__reviewer", "citations__reference")
        )
        for rev in qs:
            revisions.append(
                {
                    "number": rev.number,
                    "status": rev.status,
                    "name": rev.name,
                    "also_known_as": list(rev.also_known_as),
                    "summary": rev.summary,
                    "change_note": rev.change_note,
                    "based_on": rev.based_on.number if rev.based_on else None,
                    "created_by": who(rev.created_by),
                    "edited_by": sorted(who(u) for u in rev.edited_by.all()),
                    "created_at": _dt(rev.created_at),
                    "updated_at": _dt(rev.updated_at),
                    "lock_version": rev.lock_version,
                    "submitted_at": _dt(rev.submitted_at),
                    "approved_by": who(rev.approved_by),
                    "approved_at": _dt(rev.approved_at),
                    "published_at": _dt(rev.published_at),
                    "sections": [
                        {
                            "position": s.position,
                            "kind": s.kind,
                            "heading": s.heading,
                            "body": s.body,
                        }
                        for s in sorted(rev.sections.all(), key=lambda s: (s.position, s.pk))
                    ],
                    "citations": [
                        {
                            "number": c.number,
                            "key": c.reference.key,
                            "snapshot": _sorted(c.snapshot),
                        }
                        for c in sorted(rev.citations.all(), key=lambda c: c.number)
                    ],
                    "reviews": [
                        {
                            "reviewer": who(r.reviewer),
                            "kind": r.kind,
                            "reviewed_on": _d(r.reviewed_on),
                            "next_review_due": _d(r.next_review_due),
                            "note": r.note,
                            "created_at": _dt(r.created_at),
                        }
                        for r in sorted(rev.reviews.all(), key=lambda r: (r.created_at, r.pk))
                    ],
                }
            )
        events = [
            {
                "revision": e.revision.number if e.revision else None,
                "actor": who(e.actor),
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "comment": e.comment,
                "created_at": _dt(e.created_at),
            }
            for e in condition.events.select_related("revision", "actor").order_by(
                "created_at", "id"
            )
        ]
        conditions.append(
            {
                "slug": condition.slug,
                "created_at": _dt(condition.created_at),
                "published_revision": (
                    condition.published_revision.number if condition.published_revision else None
                ),
                "scheduled_revision": (
                    condition.scheduled_revision.number if condition.scheduled_revision else None
                ),
                "withdrawn_at": _dt(condition.withdrawn_at),
                "withdrawn_reason": condition.withdrawn_reason,
                "withdrawn_public_reason": condition.withdrawn_public_reason,
                "merged_into": condition.merged_into.slug if condition.merged_into else None,
                "codes": [
                    {"system": code.system, "code": code.code, "display": code.display}
                    for code in condition.codes.order_by("system", "code")
                ],
                "public_changes": [
                    {
                        "revision": change.revision.number,
                        "action": change.action,
                        "at": _dt(change.at),
                        "sequence": change.sequence,
                        "slug": change.slug,
                        "previous_slug": change.previous_slug,
                        "former_slugs": change.former_slugs,
                    }
                    for change in condition.public_changes.select_related("revision").order_by(
                        "sequence", "id"
                    )
                ],  # fmt: skip
                "old_slugs": sorted(s.slug for s in condition.old_slugs.all()),
                "related": sorted(c.slug for c in condition.related.all()),
                "revisions": revisions,
                "events": events,
            }
        )

    references = [
        {
            **{f: getattr(ref, f) for f in REFERENCE_FIELDS},
            "accessed_on": _d(ref.accessed_on),
            "retraction_changed_at": _dt(ref.retraction_changed_at),
            "events": [
                {
                    "actor": who(e.actor),
                    "action": e.action,
                    "note": e.note,
                    "created_at": _dt(e.created_at),
                }
                for e in sorted(ref.events.all(), key=lambda e: (e.created_at, e.pk))
            ],
        }
        for ref in Reference.objects.order_by("key").prefetch_related("events__actor")
    ]
    User = get_user_model()
    users = [
        {
            "username": u.username,
            "display_name": u.display_name,
            "credentials": u.credentials,
            "email": u.email,
        }
        for u in User.objects.filter(username__in=usernames).order_by("username")
    ]
    return {
        "format": FORMAT,
        "version": VERSION,
        "users": users,
        "references": references,
        "conditions": conditions,
    }


def _sorted(snapshot: dict | None) -> dict | None:
    """A snapshot with its keys in a fixed order (PostgreSQL's jsonb keeps its own)."""
    return None if snapshot is None else {k: snapshot[k] for k in sorted(snapshot)}


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- import: checking ------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def obj(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "expected an object")
            return {}
        return value

    def items(self, parent: dict, key: str, where: str, *, required: bool = True) -> list:
        value = parent.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.fail(f"{where}.{key}" if where else key, "expected a list")
            return []
        return value

    def text(self, parent: dict, key: str, where: str, *, required=True, blank=True) -> str:
        value = parent.get(key)
        if value is None and not required:
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", "expected text")
            return ""
        if not blank and not value.strip():
            self.fail(f"{where}.{key}", "must not be empty")
        return value

    def choice(self, parent: dict, key: str, where: str, choices) -> str:
        value = parent.get(key)
        if value not in choices:
            self.fail(f"{where}.{key}", f"{value!r} is not one of {', '.join(sorted(choices))}")
        return value

    def when(self, parent: dict, key: str, where: str, *, required=False):
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required")
            return None
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None or parsed.tzinfo is None:
            self.fail(f"{where}.{key}", f"{value!r} is not an ISO 8601 date-time with a zone")
        return parsed

    def day(self, parent: dict, key: str, where: str, *, required=False):
        value = parent.get(key)
        if value is None:
            if required:
                self.fail(f"{where}.{key}", "is required")
            return None
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            self.fail(f"{where}.{key}", f"{value!r} is not an ISO 8601 date")
        return parsed


def _check(data: Any) -> list[str]:
    c = _Checker()
    if not isinstance(data, dict):
        return ["The file must hold one JSON object."]
    if data.get("format") != FORMAT:
        return [f"format: expected {FORMAT!r}, found {data.get('format')!r}"]
    if data.get("version") != VERSION:
        return [f"version: this program reads version {VERSION}, found {data.get('version')!r}"]

    users = set()
    for i, raw in enumerate(c.items(data, "users", "")):
        u = c.obj(raw, f"users[{i}]")
        name = c.text(u, "username", f"users[{i}]", blank=False)
        if name in users:
            c.fail(f"users[{i}].username", f"{name!r} appears twice")
        users.add(name)

    def user(parent, key, where, *, required=True):
        value = parent.get(key)
        if value is None and not required:
            return
        if value not in users:
            c.fail(f"{where}.{key}", f"{value!r} is not in the users list")

    keys = set()
    for i, raw in enumerate(c.items(data, "references", "")):
        where = f"references[{i}]"
        r = c.obj(raw, where)
        key = c.text(r, "key", where, blank=False)
        if key in keys:
            c.fail(f"{where}.key", f"{key!r} appears twice")
        keys.add(key)
        c.text(r, "title", where, blank=False)
        c.choice(r, "kind", where, set(ReferenceKind.values))
        c.day(r, "accessed_on", where)
        c.when(r, "retraction_changed_at", where)
        for k, raw_e in enumerate(c.items(r, "events", where, required=False)):
            ew = f"{where}.events[{k}]"
            e = c.obj(raw_e, ew)
            user(e, "actor", ew, required=False)
            c.choice(e, "action", ew, set(ReferenceAction.values))
            c.text(e, "note", ew)
            c.when(e, "created_at", ew, required=True)

    slugs = set()
    for i, raw in enumerate(c.items(data, "conditions", "")):
        where = f"conditions[{i}]"
        cond = c.obj(raw, where)
        slug = c.text(cond, "slug", where, blank=False)
        if slug in slugs:
            c.fail(f"{where}.slug", f"{slug!r} appears twice")
        slugs.add(slug)
        c.when(cond, "created_at", where, required=True)
        withdrawn = c.when(cond, "withdrawn_at", where)
        if withdrawn and not (cond.get("withdrawn_reason") or "").strip():
            c.fail(f"{where}.withdrawn_reason", "a withdrawn condition needs a reason")
        numbers: dict[int, str] = {}
        open_count = 0
        for j, raw_rev in enumerate(c.items(cond, "revisions", where)):
            rw = f"{where}.revisions[{j}]"
            rev = c.obj(raw_rev, rw)
            number = rev.get("number")
            if not isinstance(number, int) or number < 1 or number in numbers:
                c.fail(f"{rw}.number", f"{number!r} is not a new positive whole number")
                continue
            status = c.choice(rev, "status", rw, set(RevisionStatus.values))
            numbers[number] = status
            open_count += status != RevisionStatus.APPROVED
            c.text(rev, "name", rw, blank=False)
            c.text(rev, "summary", rw, blank=False)
            if not isinstance(rev.get("also_known_as"), list):
                c.fail(f"{rw}.also_known_as", "expected a list of names")
            user(rev, "created_by", rw)
            for k, name in enumerate(rev.get("edited_by") or []):
                if name not in users:
                    c.fail(f"{rw}.edited_by[{k}]", f"{name!r} is not in the users list")
            if status == RevisionStatus.APPROVED:
                user(rev, "approved_by", rw)
                c.when(rev, "approved_at", rw, required=True)
                c.when(rev, "published_at", rw, required=True)
                if rev.get("approved_by") == rev.get("created_by"):
                    c.fail(f"{rw}.approved_by", "the creator cannot be the approver")
            for field in ("created_at", "updated_at"):
                c.when(rev, field, rw, required=True)
            if not isinstance(rev.get("lock_version"), int) or rev["lock_version"] < 1:
                c.fail(f"{rw}.lock_version", "expected a positive whole number")
            for k, raw_s in enumerate(c.items(rev, "sections", rw)):
                sw = f"{rw}.sections[{k}]"
                s = c.obj(raw_s, sw)
                c.choice(s, "kind", sw, set(SectionKind.values))
                c.text(s, "heading", sw, blank=False)
                c.text(s, "body", sw)
                if not isinstance(s.get("position"), int) or s["position"] < 0:
                    c.fail(f"{sw}.position", "expected a whole number")
            for k, raw_c in enumerate(c.items(rev, "citations", rw, required=False)):
                cw = f"{rw}.citations[{k}]"
                cit = c.obj(raw_c, cw)
                if cit.get("key") not in keys:
                    c.fail(f"{cw}.key", f"{cit.get('key')!r} is not in the references list")
                if cit.get("number") != k + 1:
                    c.fail(f"{cw}.number", f"expected {k + 1}, numbered in order")
                snapshot = cit.get("snapshot")
                if snapshot is not None and not isinstance(snapshot, dict):
                    c.fail(f"{cw}.snapshot", "expected an object or null")
            for k, raw_r in enumerate(c.items(rev, "reviews", rw)):
                vw = f"{rw}.reviews[{k}]"
                r = c.obj(raw_r, vw)
                user(r, "reviewer", vw)
                c.choice(r, "kind", vw, set(ReviewKind.values))
                on = c.day(r, "reviewed_on", vw, required=True)
                due = c.day(r, "next_review_due", vw, required=True)
                if on and due and due <= on:
                    c.fail(f"{vw}.next_review_due", "must fall after reviewed_on")
                c.when(r, "created_at", vw, required=True)
        if open_count > 1:
            c.fail(f"{where}.revisions", "more than one revision is still open (not approved)")
        for j, rev in enumerate(cond.get("revisions") or []):
            based_on = rev.get("based_on") if isinstance(rev, dict) else None
            if based_on is not None and based_on not in numbers:
                c.fail(f"{where}.revisions[{j}].based_on", "names no revision of this condition")
        for pointer in ("published_revision", "scheduled_revision"):
            number = cond.get(pointer)
            if number is not None and numbers.get(number) != RevisionStatus.APPROVED:
                c.fail(f"{where}.{pointer}", "must name an approved revision")
        for j, raw_code in enumerate(c.items(cond, "codes", where, required=False)):
            cw = f"{where}.codes[{j}]"
            code = c.obj(raw_code, cw)
            c.choice(code, "system", cw, set(CodeSystem.values))
            c.text(code, "code", cw, blank=False)
        for j, raw_change in enumerate(c.items(cond, "public_changes", where, required=False)):
            pw = f"{where}.public_changes[{j}]"
            change = c.obj(raw_change, pw)
            c.choice(change, "action", pw, set(ChangeAction.values))
            c.when(change, "at", pw, required=True)
            if "sequence" in change and not (
                isinstance(change["sequence"], int) and not isinstance(change["sequence"], bool)
            ):
                c.fail(f"{pw}.sequence", "must be a whole number")
            if not isinstance(change.get("former_slugs", []), list):
                c.fail(f"{pw}.former_slugs", "must be a list of slugs")
            if change.get("revision") not in numbers:
                c.fail(f"{pw}.revision", "names no revision of this condition")
        for j, raw_e in enumerate(c.items(cond, "events", where)):
            ew = f"{where}.events[{j}]"
            e = c.obj(raw_e, ew)
            user(e, "actor", ew)
            c.choice(e, "action", ew, set(WorkflowAction.values))
            c.when(e, "created_at", ew, required=True)
            if e.get("revision") is not None and e["revision"] not in numbers:
                c.fail(f"{ew}.revision", "names no revision of this condition")
    for i, cond in enumerate(data.get("conditions") or []):
        if not isinstance(cond, dict):
            continue
        for name in cond.get("related") or []:
            if name not in slugs:
                c.fail(f"conditions[{i}].related", f"{name!r} is not a condition in the file")
        successor = cond.get("merged_into")
        if successor is not None and (successor not in slugs or not cond.get("withdrawn_at")):
            c.fail(
                f"conditions[{i}].merged_into",
                f"{successor!r} must be another condition in the file, on a withdrawn one",
            )
        if successor == cond.get("slug"):
            c.fail(f"conditions[{i}].merged_into", "a condition cannot be merged into itself")
    return c.problems


# --- import: writing -------------------------------------------------------------------


def loads(text: str) -> dict[str, Any]:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"The file is not valid JSON: {exc}.") from exc


@transaction.atomic
def import_library(data: Any) -> dict[str, int]:
    """Load an export into this database. All or nothing; returns counts of what was made."""
    problems = _check(data)
    if problems:
        shown = problems[:20]
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        raise ImportRefused("The file was refused:\n  " + "\n  ".join(shown) + more)
    clashes = Condition.objects.filter(slug__in=[c["slug"] for c in data["conditions"]])
    if clashes.exists():
        names = ", ".join(sorted(clashes.values_list("slug", flat=True)))
        raise ImportRefused(f"These conditions already exist here: {names}. Nothing was imported.")
    try:
        with restoring():
            return _write(data)
    except IntegrityError as exc:
        raise ImportRefused(f"The file contradicts the database rules: {exc}") from exc


def _write(data: dict[str, Any]) -> dict[str, int]:
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
            ReferenceEvent.objects.bulk_create(
                [
                    ReferenceEvent(reference=existing, actor=users.get(e.get("actor")),
                                   action=e["action"], note=e.get("note") or "",
                                   created_at=parse_datetime(e["created_at"]))
                    for e in r.get("events") or []
                ]
            )  # fmt: skip
        refs[existing.key] = existing

    when = parse_datetime
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
                condition=condition,
                number=rev["number"],
                status=rev["status"],
                name=rev["name"],
                also_known_as=rev["also_known_as"],
                summary=rev["summary"],
                change_note=rev.get("change_note") or "",
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
                    revision=revision,
                    reviewer=users[r["reviewer"]],
                    kind=r["kind"],
                    reviewed_on=parse_date(r["reviewed_on"]),
                    next_review_due=parse_date(r["next_review_due"]),
                    note=r.get("note") or "",
                    created_at=when(r["created_at"]),
                )
                counts["reviews"] += 1
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
    for cond in data["conditions"]:
        conditions[cond["slug"]].related.add(*[conditions[s] for s in cond.get("related") or []])
        if cond.get("merged_into"):
            merged = conditions[cond["slug"]]
            merged.merged_into = conditions[cond["merged_into"]]
            merged.save(update_fields=["merged_into"])
    # Search documents are derived data, not exported: built here for what was restored.
    index_revisions(Revision.objects.filter(condition__in=list(conditions.values())))
    return counts
