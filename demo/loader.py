"""Loading the demo: references through the importer, articles through the workflow.

Why not write rows directly: the demo should show what the product does, so it goes
through the doors editors use. References come in through ``import_references`` (as an
upload of a reference-manager file would) and every article is created, submitted and
approved by ``kb.services`` and ``kb.workflow``, which check permissions, the four-eyes
rule and that every citation resolves. A demo file the workflow would refuse fails the
load, and nothing of it is kept.

Every approval happens now, so each published revision was reviewed today, went live
today and falls due for review after today: the dates the site shows agree with each
other. Next-review dates differ only where an article's file gives an interval of its own.

Idempotent: people, references (matched by the importer) and conditions that exist are
left as they are. A condition made by this load is linked to the related ones its file
names; clinical codes are given to a condition that has none.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from demo.articles import Article, read_articles
from demo.people import ensure_people
from kb import services, workflow
from kb.exceptions import KBError
from kb.models import Condition, ConditionCode
from kb.reference_import import ImportReport, import_references

CONTENT = Path(__file__).resolve().parent / "content"
REFERENCES_FILE = "references.json"
CONDITIONS_FOLDER = "conditions"


class DemoContentError(Exception):
    """The demo files and the library disagree; the message says how."""


@dataclass(frozen=True)
class LoadReport:
    conditions_created: int
    references: ImportReport


@transaction.atomic
def load(*, content: Path = CONTENT) -> LoadReport:
    """Load the demo from ``content``, all or nothing."""
    articles = read_articles(folder=content / CONDITIONS_FOLDER)
    users = ensure_people()
    references = _import_references(content / REFERENCES_FILE, by=users["author"])
    by_slug: dict[str, list[Article]] = {}
    for article in articles:
        by_slug.setdefault(article.slug, []).append(article)
    created = [
        _create(revisions, users=users)
        for slug, revisions in by_slug.items()
        if not Condition.objects.filter(slug=slug).exists()
    ]
    for condition in created:
        _relate(condition, by_slug[condition.slug][0])
    for slug, revisions in by_slug.items():
        _code(Condition.objects.get(slug=slug), revisions[0])
    return LoadReport(conditions_created=len(created), references=references)


def _import_references(path: Path, *, by) -> ImportReport:
    """The library file through the importer; each record must end up under its own id.

    A record the library already holds under another key (matched by DOI, PMID or title)
    would leave the articles citing a key that names nothing, or something else.
    """
    text = path.read_text(encoding="utf-8")
    report = import_references(text=text, filename=path.name, by=by)
    ids = [item.get("id", "") for item in json.loads(text)]
    problems = [
        f"record {line.position}: {line.reason}"
        if line.outcome == "skipped"
        else f"record {line.position} ({ids[line.position - 1]!r}) is in the library as "
        f"{line.key!r}"
        for line in report.lines
        if line.outcome == "skipped" or line.key != ids[line.position - 1]
    ]
    if problems:
        raise DemoContentError(f"{path.name} did not import cleanly: {'; '.join(problems)}.")
    return report


def _create(revisions: list[Article], *, users: dict) -> Condition:
    """One condition and its revisions, in order, each by the people its file names."""
    condition = None
    for article in revisions:
        try:
            revision = _write(article, condition=condition, users=users)
            _advance(revision, article, users=users)
        except KBError as exc:  # the workflow refused the file: say which one
            raise DemoContentError(f"{article.source}: {exc}") from exc
        condition = revision.condition
    return condition


def _write(article: Article, *, condition: Condition | None, users: dict):
    """The article's text as a new condition, or as a new draft of ``condition``."""
    writer = _user(users, article.written_by, article)
    sections = [section.as_fields() for section in article.sections]
    if condition is None:
        return services.create_condition(
            slug=article.slug, by=writer, sections=sections, **_text(article)
        )
    draft = workflow.start_new_draft(condition=condition, by=writer)
    return services.update_revision(
        revision=draft,
        by=writer,
        expected_version=draft.lock_version,
        sections=sections,
        **_text(article),
    )


def _advance(revision, article: Article, *, users: dict) -> None:
    """Submit and approve the revision as far as its file's status says."""
    if article.status == "draft":
        return
    workflow.submit(revision=revision, by=_user(users, article.written_by, article))
    if article.status == "published":
        today = timezone.localdate()
        workflow.approve(
            revision=revision,
            by=_user(users, article.reviewed_by, article),
            reviewed_on=today,
            next_review_due=today + dt.timedelta(days=article.next_review_in_days)
            if article.next_review_in_days
            else None,
        )


def _relate(condition: Condition, first: Article) -> None:
    """Link a new condition to the ones its file names (links go both ways)."""
    related = Condition.objects.filter(slug__in=first.related)
    unknown = set(first.related) - {other.slug for other in related}
    if unknown:
        raise DemoContentError(f"{first.source}: no condition {', '.join(sorted(unknown))}.")
    condition.related.add(*related)


def _code(condition: Condition, first: Article) -> None:
    """Clinical codes, for a condition that has none yet (as a publisher keeps them)."""
    if condition.codes.exists():
        return
    for code in first.codes:
        ConditionCode.objects.create(
            condition=condition, system=code.system, code=code.code, display=code.display
        )


def _text(article: Article) -> dict:
    return {
        "name": article.name,
        "summary": article.summary,
        "also_known_as": list(article.also_known_as),
        "change_note": article.change_note,
    }


def _user(users: dict, username: str, article: Article):
    if username not in users:
        raise DemoContentError(
            f"{article.source}: {username!r} is not a demo user ({', '.join(sorted(users))})."
        )
    return users[username]
