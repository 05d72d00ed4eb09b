"""Generate the benchmark library in an empty, migrated PostgreSQL database.

Run by ``bench/run.py`` (``DATABASE_URL`` names the benchmark database). Going through
``kb.workflow`` for 30,000 revisions would take an hour, so the rows the workflow would
write are written directly with ``COPY``, in exactly its shape:

- every condition has three approved revisions (1 and 2 superseded, 3 live), each with
  eight sections citing 25 references of a shared library with ``[@key]`` markers, its
  ``Citation`` rows numbered in order of first citation (``kb.citations.number_keys``), an
  approval ``Review`` (I8), ``approved_by`` never the creator or an editor (I3), a
  ``PublicChange`` at its publication and the workflow events (create / start_draft,
  submit, sometimes request_changes and resubmit, approve);
- a share of conditions also has revision 4 as an open draft (never public), some live
  revisions were re-confirmed later, a few conditions are withdrawn (410) and a few have a
  former slug (301);
- clinical codes on most conditions, related links between conditions of one specialty.

The database enforces the model's constraints on ``COPY`` too (one open revision per
condition, approval recorded, four eyes, review dates), and a check at the end loads a few
articles through ``kb.selectors`` and ``kb.workflow.approval_problems``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import corpus  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from accounts.roles import AUTHOR, MEDICAL_REVIEWER, PUBLISHER  # noqa: E402
from kb.citations import number_keys  # noqa: E402
from kb.models import (  # noqa: E402
    Citation,
    Condition,
    ConditionCode,
    ConditionSlug,
    PublicChange,
    Reference,
    Review,
    Revision,
    SearchDocument,
    Section,
    WorkflowEvent,
)
from kb.models.reference import title_key  # noqa: E402
from kb.search_index import sync_documents  # noqa: E402

#: Everything happened before this instant, so the data set is the same whenever it is made.
ANCHOR = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
REFERENCES_PER_REVISION = 25
CHUNK = 1000
SEND_BACK_NOTE = "Please cite the newer guideline in the treatment section."
DAY = dt.timedelta(days=1)


class Copier:
    """``COPY … FROM STDIN`` for a model's fields, named as in the model (not as columns)."""

    def __init__(self, cursor) -> None:
        self.cursor = cursor
        self.counts: dict[str, int] = {}

    def __call__(self, model, fields: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        meta = model._meta
        # Columns the generator does not write get the model's default, so a new NOT NULL
        # field with a default never breaks the data set (COPY knows no Python defaults).
        extra = [
            f
            for f in meta.concrete_fields
            if f.name not in fields and f.attname not in fields and not f.null
            and (f.has_default() or f.empty_strings_allowed) and not f.primary_key
        ]  # fmt: skip
        defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
        columns = ", ".join(
            connection.ops.quote_name(f.column)
            for f in [meta.get_field(name) for name in fields] + extra
        )
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with self.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(tuple(row) + defaults)
        self.counts[meta.db_table] = self.counts.get(meta.db_table, 0) + len(rows)


def make_users(rng: random.Random) -> dict[str, list]:
    User = get_user_model()
    groups = {name: Group.objects.get(name=name) for name in (AUTHOR, MEDICAL_REVIEWER, PUBLISHER)}
    people: dict[str, list] = {"authors": [], "reviewers": [], "publishers": []}
    specs = (
        [("authors", AUTHOR, f"bench-author-{n:02d}", "") for n in range(24)]
        + [
            ("reviewers", MEDICAL_REVIEWER, f"bench-reviewer-{n:02d}", credentials)
            for n, credentials in enumerate(corpus.REVIEWER_CREDENTIALS)
        ]
        + [("publishers", PUBLISHER, f"bench-publisher-{n}", "") for n in range(2)]
    )
    for bucket, role, username, credentials in specs:
        given = rng.choice(["Amira", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro"])
        family = rng.choice(corpus.FAMILY_NAMES)
        user = User(
            username=username,
            display_name=(f"Dr {given} {family}" if bucket == "reviewers" else f"{given} {family}"),
            credentials=credentials,
            email=f"{username}@example.org",
            is_staff=True,
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(groups[role])
        people[bucket].append(user.pk)
    return people


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` as ``parts`` positive whole numbers."""
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


class Generator:
    def __init__(self, *, conditions: int, seed: int, draft_share: float) -> None:
        self.n = conditions
        self.rng = random.Random(seed)
        self.text = corpus.TextBuilder(self.rng)
        self.draft_share = draft_share
        self.ids = {"revision": 0, "section": 0, "citation": 0, "review": 0, "event": 0}
        self.ids.update({"change": 0, "code": 0, "editor": 0, "slug": 0})

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def run(self) -> dict:
        timings = {}
        started = time.perf_counter()
        people = make_users(self.rng)
        self.authors, self.reviewers = people["authors"], people["reviewers"]
        self.publishers = people["publishers"]
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # the psycopg cursor, for COPY
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            self.copy = Copier(cursor)
            self.references()
            timings["references"] = time.perf_counter() - started
            names = corpus.condition_names(self.n, self.rng)
            self.all_slugs = {slug for _, slug, _ in names}
            self.old_slugs: set[str] = set()
            by_specialty: dict[str, list[int]] = {}
            for start in range(0, self.n, CHUNK):
                self.chunk(names, start, min(start + CHUNK, self.n), by_specialty)
            timings["conditions"] = time.perf_counter() - started - timings["references"]
            self.related(by_specialty)
            for sql in connection.ops.sequence_reset_sql(
                no_style(),
                [Reference, Condition, ConditionSlug, ConditionCode, Revision, Section,
                 Citation, Review, WorkflowEvent, PublicChange, Revision.edited_by.through,
                 Condition.related.through],
            ):  # fmt: skip
                cursor.execute(sql)
        return {"rows": self.copy.counts, "timings": timings}

    # -- reference library -------------------------------------------------------------------

    def references(self) -> None:
        rows = corpus.reference_rows(max(500, self.n * 3), self.rng)
        self.refs_by_specialty: dict[str, list[tuple[int, str]]] = {}
        specialties = list(corpus.SPECIALTIES)
        self.ref_ids: dict[str, int] = {}
        self.snapshots: dict[str, str] = {}
        out = []
        created = ANCHOR - dt.timedelta(days=4000)
        for pk, row in enumerate(rows, start=1):
            self.ref_ids[row["key"]] = pk
            specialty = specialties[(pk - 1) % len(specialties)]
            self.refs_by_specialty.setdefault(specialty, []).append(row["key"])
            accessed = dt.date(*row["accessed_on"]) if row["accessed_on"] else None
            self.snapshots[row["key"]] = json.dumps(
                {"key": row["key"], "kind": row["kind"], "authors": row["authors"],
                 "editors": [], "title": row["title"], "container_title": row["container_title"],
                 "publisher": row["publisher"], "place": row["place"], "edition": "",
                 "year": row["year"], "month": row["month"], "day": None,
                 "volume": row["volume"], "issue": row["issue"], "pages": row["pages"],
                 "doi": row["doi"], "pmid": row["pmid"], "pmcid": "", "url": row["url"],
                 "accessed_on": accessed.isoformat() if accessed else None, "in_press": False}
            )  # fmt: skip
            out.append(
                (pk, row["key"], row["kind"], json.dumps(row["authors"]), "[]", row["title"],
                 row["container_title"], row["publisher"], row["place"], "", row["year"],
                 row["month"], None, row["volume"], row["issue"], row["pages"], row["doi"],
                 row["pmid"], "", row["url"], accessed, False, row["retracted"],
                 "Retracted by the journal." if row["retracted"] else "", created, created,
                 title_key(row["title"]), "", "")
            )  # fmt: skip
        self.copy(
            Reference,
            ["id", "key", "kind", "authors", "editors", "title", "container_title", "publisher",
             "place", "edition", "year", "month", "day", "volume", "issue", "pages", "doi",
             "pmid", "pmcid", "url", "accessed_on", "in_press", "retracted", "retraction_note",
             "created_at", "updated_at", "title_key", "degree", "season"],
            out,
        )  # fmt: skip

    # -- conditions ---------------------------------------------------------------------------

    def chunk(self, names, start: int, stop: int, by_specialty: dict[str, list[int]]) -> None:
        rng = self.rng
        rows: dict[str, list[tuple]] = {
            k: []
            for k in ("condition", "revision", "section", "citation", "review", "event",
                      "change", "code", "editor", "slug")
        }  # fmt: skip
        for index in range(start, stop):
            name, slug, specialty = names[index]
            condition_id = index + 1
            by_specialty.setdefault(specialty, []).append(condition_id)
            self.condition(rows, condition_id, name, slug, specialty, rng)
        copy = self.copy
        copy(
            Condition,
            ["id", "slug", "published_revision", "scheduled_revision", "withdrawn_at",
             "withdrawn_reason", "withdrawn_public_reason", "created_at"],
            rows["condition"],
        )  # fmt: skip
        copy(
            Revision,
            ["id", "condition", "number", "status", "name", "also_known_as", "summary",
             "change_note", "based_on", "created_by", "created_at", "updated_at", "lock_version",
             "submitted_at", "approved_by", "approved_at", "published_at"],
            rows["revision"],
        )  # fmt: skip
        copy(Revision.edited_by.through, ["id", "revision", "user"], rows["editor"])
        copy(Section, ["id", "revision", "position", "kind", "heading", "body"], rows["section"])
        copy(Citation, ["id", "revision", "reference", "number", "snapshot"], rows["citation"])
        copy(
            Review,
            ["id", "revision", "reviewer", "kind", "reviewed_on", "next_review_due", "note",
             "created_at"],
            rows["review"],
        )  # fmt: skip
        copy(
            WorkflowEvent,
            ["id", "condition", "revision", "actor", "action", "from_status", "to_status",
             "comment", "created_at"],
            rows["event"],
        )  # fmt: skip
        copy(PublicChange, ["id", "condition", "revision", "action", "at", "sequence", "slug",
                            "previous_slug", "former_slugs"], rows["change"])  # fmt: skip
        copy(ConditionCode, ["id", "condition", "system", "code", "display"], rows["code"])
        copy(ConditionSlug, ["id", "slug", "condition", "retired_at"], rows["slug"])

    def condition(self, rows, condition_id, name, slug, specialty, rng) -> None:
        aka = corpus.also_known_as(name, rng)
        summary = self.text.summary(name, specialty)
        heads = [(kind, heading.replace("{name}", name)) for kind, heading in corpus.SECTION_KINDS]
        library = self.refs_by_specialty[specialty]
        keys = rng.sample(library, REFERENCES_PER_REVISION)
        sizes = split(REFERENCES_PER_REVISION, len(heads), rng)
        section_keys: list[list[str]] = []
        offset = 0
        for size in sizes:
            own = keys[offset : offset + size]
            repeats = rng.sample(keys[:offset], min(offset, rng.choice([0, 0, 1, 2])))
            section_keys.append(repeats + own)
            offset += size
        bodies = [
            self.text.body(kind=kind, name=name, specialty=specialty, keys=k)
            for (kind, _), k in zip(heads, section_keys, strict=True)
        ]
        created = ANCHOR - dt.timedelta(days=rng.randint(2200, 3300))
        approved_at = None
        previous_id = None
        live_id = None
        revision_count = 4 if rng.random() < self.draft_share else 3
        for number in range(1, revision_count + 1):
            if number > 1:  # a new draft copies the text and changes a few sections
                changed = rng.sample(range(len(heads)), rng.randint(1, 3))
                for j in changed:
                    if rng.random() < 0.3:
                        self._swap_reference(section_keys, j, library, rng)
                    kind = heads[j][0]
                    bodies[j] = self.text.body(
                        kind=kind, name=name, specialty=specialty, keys=section_keys[j]
                    )
                created = approved_at + dt.timedelta(days=rng.randint(300, 900))
            is_draft = number == 4
            if number == 3:
                created = min(created, ANCHOR - dt.timedelta(days=rng.randint(60, 400)))
            if is_draft:
                created = ANCHOR - dt.timedelta(days=rng.randint(1, 50))
            revision_id = self.next_id("revision")
            author = rng.choice(self.authors)
            editors = {author}
            if rng.random() < 0.3:
                editors.add(rng.choice(self.authors))
            sent_back = rng.random() < 0.15
            events = [
                ("create", "", "draft", "")
                if number == 1
                else ("start_draft", "approved", "draft", f"Based on revision {number - 1}.")
            ]
            reviewer = rng.choice(self.reviewers)  # reviewers never write, so never editors
            submitted = created + dt.timedelta(days=rng.randint(2, 25), hours=rng.randint(0, 8))
            if is_draft:
                submitted = approved = None
                status, lock_version = "draft", 1 + rng.randint(0, 4)
            else:
                events.append(("submit", "draft", "in_review", ""))
                if sent_back:
                    events.append(
                        ("request_changes", "in_review", "changes_requested", SEND_BACK_NOTE)
                    )
                    events.append(("submit", "changes_requested", "in_review", ""))
                approved = submitted + dt.timedelta(
                    days=rng.randint(1, 12), hours=rng.randint(1, 8)
                )
                approved = min(approved, ANCHOR - DAY)
                status, lock_version = "approved", 3 + (2 if sent_back else 0)
                events.append(("approve", "in_review", "approved", ""))
            change_note = "First version." if number == 1 else rng.choice(corpus.CHANGE_NOTES)
            if number == 3 and rng.random() < 0.2:
                aka = [*aka, f"{name.split(' type ')[0]} ({specialty})"]
            rows["revision"].append(
                (revision_id, condition_id, number, status, name, json.dumps(aka), summary,
                 change_note, previous_id, author, created, approved or created, lock_version,
                 submitted, reviewer if approved else None, approved, approved)
            )  # fmt: skip
            for user in sorted(editors):
                rows["editor"].append((self.next_id("editor"), revision_id, user))
            for position, ((kind, heading), body) in enumerate(zip(heads, bodies, strict=True)):
                rows["section"].append(
                    (self.next_id("section"), revision_id, (position + 1) * 10, kind, heading, body)
                )
            numbers = number_keys(bodies)
            assert len(numbers) == REFERENCES_PER_REVISION, numbers
            for key, n in numbers.items():
                # Approval freezes what readers see of each cited record (I9).
                snapshot = None if is_draft else self.snapshots[key]
                rows["citation"].append(
                    (self.next_id("citation"), revision_id, self.ref_ids[key], n, snapshot)
                )
            # Event times: submit/resubmit between creation and approval, in order.
            moments = [created]
            if not is_draft:
                moments.append(submitted)
                if sent_back:
                    gap = (approved - submitted) / 3
                    moments += [submitted + gap, submitted + 2 * gap]
                moments.append(approved)
            for (action, frm, to, comment), at in zip(events, moments, strict=True):
                actor = reviewer if action in ("approve", "request_changes") else author
                rows["event"].append(
                    (self.next_id("event"), condition_id, revision_id, actor, action, frm, to,
                     comment, at)
                )  # fmt: skip
            if approved:
                rows["review"].append(
                    (self.next_id("review"), revision_id, reviewer, "approval", approved.date(),
                     approved.date() + dt.timedelta(days=1095), "", approved)
                )  # fmt: skip
                change_id = self.next_id("change")
                rows["change"].append(
                    (change_id, condition_id, revision_id, "published", approved, change_id, slug,
                     "", "[]")
                )  # fmt: skip
                approved_at = approved
                live_id = revision_id
                live_reviewer = reviewer
            previous_id = revision_id

        # Re-confirmed later by another reviewer: a new review of the live revision (I8).
        reconfirmed = approved_at + dt.timedelta(days=rng.randint(150, 500))
        if rng.random() < 0.25 and reconfirmed < ANCHOR:
            other = rng.choice([r for r in self.reviewers if r != live_reviewer])
            rows["review"].append(
                (self.next_id("review"), live_id, other, "reconfirmation", reconfirmed.date(),
                 reconfirmed.date() + dt.timedelta(days=1095), "Checked against current guidance.",
                 reconfirmed)
            )  # fmt: skip
            rows["event"].append(
                (self.next_id("event"), condition_id, live_id, other, "reconfirm", "live", "live",
                 "Checked against current guidance.", reconfirmed)
            )  # fmt: skip
        withdrawn_at, reason = None, ""
        if rng.random() < 0.005:
            withdrawn_at = min(approved_at + dt.timedelta(days=30), ANCHOR - DAY)
            reason = "Merged into a broader article while the evidence is reviewed."
            change_id = self.next_id("change")
            rows["change"].append(
                (change_id, condition_id, live_id, "withdrawn", withdrawn_at, change_id, slug, "",
                 "[]")
            )  # fmt: skip
            rows["event"].append(
                (self.next_id("event"), condition_id, live_id, rng.choice(self.publishers),
                 "withdraw", "live", "withdrawn", reason, withdrawn_at)
            )  # fmt: skip
        first_created = ANCHOR - dt.timedelta(days=3400)
        rows["condition"].append(
            (condition_id, slug, live_id, None, withdrawn_at, reason, "", first_created)
        )
        self.codes(rows, condition_id, name, rng)
        if aka and rng.random() < 0.1:
            old = corpus.slugify(aka[0])
            if old and old not in self.all_slugs and old not in self.old_slugs:
                self.old_slugs.add(old)
                rows["slug"].append((self.next_id("slug"), old, condition_id, approved_at))

    def _swap_reference(self, section_keys, j, library, rng) -> None:
        """Replace a reference cited only in section ``j`` by one the article does not cite."""
        elsewhere = {k for i, keys in enumerate(section_keys) if i != j for k in keys}
        candidates = [k for k in section_keys[j] if k not in elsewhere]
        if not candidates:
            return
        cited = {k for keys in section_keys for k in keys}
        new = rng.choice(library)
        while new in cited:
            new = rng.choice(library)
        old = rng.choice(candidates)
        section_keys[j] = [new if k == old else k for k in section_keys[j]]

    def codes(self, rows, condition_id, name, rng) -> None:
        if rng.random() < 0.6:
            code = f"{rng.choice('ABCDEGHIJKLMNQR')}{rng.randint(0, 99):02d}.{rng.randint(0, 99)}"
            rows["code"].append((self.next_id("code"), condition_id, "ICD-10", code, name))
        if rng.random() < 0.25:
            code = str(rng.randint(10_000_000, 999_999_999))
            rows["code"].append((self.next_id("code"), condition_id, "SNOMED-CT", code, name))
        if rng.random() < 0.15:
            code = f"D{rng.randint(0, 999_999):06d}"
            rows["code"].append((self.next_id("code"), condition_id, "MeSH", code, name))

    def related(self, by_specialty: dict[str, list[int]]) -> None:
        """Symmetrical links (both directions stored, as Django does), about four each."""
        pairs: set[tuple[int, int]] = set()
        for ids in by_specialty.values():
            if len(ids) < 2:
                continue
            for a in ids:
                for b in self.rng.sample(ids, min(2, len(ids))):
                    if a != b:
                        pairs.add((a, b))
                        pairs.add((b, a))
        through = Condition.related.through
        self.copy(
            through,
            ["id", "from_condition", "to_condition"],
            [(pk, a, b) for pk, (a, b) in enumerate(sorted(pairs), start=1)],
        )


def verify(expected_live: int) -> dict:
    """Load a few articles the way the site does and check the shape the workflow ensures."""
    from kb.selectors import get_published_article, published_revisions
    from kb.workflow import approval_problems

    live = published_revisions().count()
    assert live == expected_live, (live, expected_live)
    # Documents exist for what is public only (the data set schedules nothing).
    assert published_revisions().filter(search_document__isnull=True).count() == 0
    assert SearchDocument.objects.count() == live, (SearchDocument.objects.count(), live)
    slugs = list(published_revisions().order_by("?").values_list("condition__slug", flat=True)[:5])
    for slug in slugs:
        article = get_published_article(slug=slug)
        revision = article.revision
        assert revision.number == 3, revision
        assert not approval_problems(revision=revision), slug
        assert len(article.rendered.references) == REFERENCES_PER_REVISION, slug
        assert len(article.history.entries) == 3, slug
        cited = [c.reference.key for c in revision.citations.order_by("number")]
        assert cited == list(number_keys(s.body for s in revision.sections.all())), slug
    return {"live": live, "checked": slugs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conditions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20260601)
    parser.add_argument("--draft-share", type=float, default=0.1)
    args = parser.parse_args()
    started = time.perf_counter()
    generator = Generator(conditions=args.conditions, seed=args.seed, draft_share=args.draft_share)
    with transaction.atomic():
        report = generator.run()
    written = time.perf_counter() - started
    # Search documents as the workflow keeps them (kb.search_index): for what is published.
    with transaction.atomic():
        report["rows"]["searchdocument"] = sync_documents()[0]
    report["timings"]["search_documents"] = time.perf_counter() - started - written
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give later
        cursor.execute("ANALYZE")
    withdrawn = Condition.objects.filter(withdrawn_at__isnull=False).count()
    report["verified"] = verify(args.conditions - withdrawn)
    report["timings"]["written"] = written
    report["timings"]["total"] = time.perf_counter() - started
    print(json.dumps(report, default=str))


if __name__ == "__main__":
    main()
