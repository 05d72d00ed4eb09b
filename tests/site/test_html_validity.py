"""Every kind of page the site serves is valid HTML, to the letter (Nu Html Checker).

The checker is vnu-jar (``npm ci`` installs it; ``make install-dev`` runs that) on Java. The
JVM starts slowly, so every page is written to a file and checked in one run. Where Java or
the jar is missing the test skips, unless REQUIRE_VALIDATORS is set (CI sets it): then a
missing checker is a failure rather than a silent skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Partner
from kb import services, workflow
from kb.comments import add_comment, reply
from kb.evidence.models import EvidenceFinding, FindingKind, FindingSource
from kb.models import ConditionCode, Feedback, Reference
from kb.webhooks.models import WebhookDelivery, WebhookEndpoint
from kb.webhooks.services import new_secret
from tests.factories import ReferenceFactory, make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture
def vnu() -> list[str]:
    java = shutil.which("java")
    missing = "Java" if java is None else f"{VNU}" if not VNU.exists() else ""
    if missing:
        message = f"{missing} is missing: the Nu Html Checker cannot run (npm ci installs it)."
        if os.environ.get("REQUIRE_VALIDATORS"):
            pytest.fail(f"REQUIRE_VALIDATORS is set but {message}")
        pytest.skip(message)
    return [java, "-jar", str(VNU), "--format", "json", "--stdout", "--errors-only"]


@pytest.fixture
def site(author, reviewer, publisher):
    ReferenceFactory(key="hart2002", doi="10.1093/brain/awf192", pmid="12136012")
    live = make_live(
        author=author,
        reviewer=reviewer,
        slug="neuromyotonia",
        name="Neuromyotonia",
        also_known_as=["Isaacs' syndrome"],
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Nerves [@hart2002]."},
            {"kind": "symptoms", "heading": "Symptoms", "body": "Cramps and twitching."},
        ],
    )
    ConditionCode.objects.create(condition=live.condition, system="ICD-10", code="G71.19")
    gone = make_live(author=author, reviewer=reviewer, slug="withdrawn", name="Withdrawn")
    workflow.withdraw(condition=gone.condition, by=publisher, reason="Checking.")
    Feedback.objects.create(condition=live.condition, revision=live, message="A typo.")
    draft = make_draft(author=author, slug="draft-only", name="Draft only")
    return {"live": live, "draft": draft}


def test_every_kind_of_page_is_valid_html(client, site, reviewer, vnu, tmp_path):
    public = {
        "home": ("/", 200),
        "a-to-z": ("/conditions/", 200),
        "article": ("/conditions/neuromyotonia/", 200),
        "print": ("/conditions/neuromyotonia/print/", 200),
        "search": ("/search/?q=nerves", 200),
        "not-found": ("/conditions/nothing-here/", 404),
        "gone": ("/conditions/withdrawn/", 410),
        "report": ("/conditions/neuromyotonia/report/", 200),
        "report-thanks": ("/conditions/neuromyotonia/report/thanks/", 200),
        "api-docs": ("/api/v1/docs/", 200),
    }
    desk = {
        "dashboard": ("/admin/kb/dashboard/", 200),
        "revision": (f"/admin/kb/revision/{site['draft'].pk}/change/", 200),
        "live-revision": (f"/admin/kb/revision/{site['live'].pk}/change/", 200),
    }
    files = []
    for pages in (public, desk):
        if pages is desk:
            client.force_login(reviewer)
        for name, (url, status) in pages.items():
            files.append(_page(client, tmp_path, name=name, url=url, status=status))
    assert _errors(vnu, files) == []


@pytest.fixture
def desk_work(site, author, reviewer, reviewer2, superuser, settings):
    """What the rest of the desk shows: a revision in review of a live condition with a
    conversation, a finding about a cited reference, a partner's webhook and its failed
    delivery, and a failed background task (stored as in production, so its page opens)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    live = site["live"]
    jansen = ReferenceFactory(key="jansen1991", title="Cramp-fasciculation syndrome")
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    draft = services.update_revision(
        revision=draft,
        by=author,
        expected_version=draft.lock_version,
        summary="Nerves fire on their own.",
        sections=[  # one section changed, one removed, one added; a citation added
            {
                "kind": "overview",
                "heading": "Overview",
                "body": "Nerves misfire [@hart2002; @jansen1991].\n\n- cramps\n- **twitching**",
            },
            {
                "kind": "treatment",
                "heading": "Treatment",
                "body": "| Drug | Dose |\n|---|---|\n| Carbamazepine | low |\n\n> Ask first.",
            },
        ],
    )
    workflow.submit(revision=draft, by=author)
    # What the approve page warns about: a cited record retracted, another edited since.
    workflow.set_retraction(reference=jansen, by=reviewer, retracted=True, note="Retracted.")
    Reference.objects.filter(key="hart2002").update(title="Phenotypic variants (corrected)")
    thread = add_comment(
        revision=draft,
        by=reviewer,
        body="Which nerves?",
        section=draft.sections.order_by("position").first(),
        quote="Nerves misfire",
    )
    reply(comment=thread, by=author, body="Peripheral ones; clarified.")
    add_comment(revision=draft, by=reviewer, body="The summary reads well.")
    untouched = make_in_review(author=author, slug="cramps", name="Cramps")
    unresolved = make_draft(
        author=author,
        slug="twitching",
        name="Twitching",
        sections=[{"kind": "overview", "heading": "Overview", "body": "Often [@nobody2020]."}],
    )
    reference = Reference.objects.get(key="hart2002")
    finding = EvidenceFinding.objects.create(
        reference=reference,
        source=FindingSource.CROSSREF,
        kind=FindingKind.CORRECTION,
        notice="10.1093/brain/awf999",
        summary="Correction to a figure legend.",
    )
    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    endpoint = WebhookEndpoint.objects.create(  # not registered: the host is not resolved
        partner=partner,
        url="https://north.example/hooks",
        events=["article.published"],
        secret=new_secret(),
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_1",
        event_type="article.published",
        payload={"slug": "neuromyotonia"},
        status="failed",
        attempts=3,
        response_code=503,
        last_error="503 Service Unavailable",
    )
    task = DBTaskResult.objects.create(
        status="FAILED",
        task_path="kb.tasks.send_notification",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        finished_at=timezone.now(),
        exception_class_path="kb.tasks.NotificationNotSent",
        traceback="Traceback (most recent call last):\n  ...\nNotificationNotSent: 421",
    )
    return {
        "condition": live.condition,
        "draft": draft,
        "untouched": untouched,
        "unresolved": unresolved,
        "reference": reference,
        "finding": finding,
        "endpoint": endpoint,
        "delivery": delivery,
        "task": task,
    }


def test_every_desk_page_reviewers_and_authors_use_is_valid_html(
    client, desk_work, author, reviewer2, superuser, vnu, tmp_path
):
    """The review pages, each as the person who uses it sees it: the second reviewer (the
    live text's approver may not confirm it again), the author for taking back and
    answering, a superuser for the partner and task pages."""
    condition, draft = desk_work["condition"], desk_work["draft"]
    revision = f"/admin/kb/revision/{draft.pk}"
    reference = f"/admin/kb/reference/{desk_work['reference'].pk}"
    compare = f"/admin/kb/condition/{condition.pk}/compare/?from=1&to={draft.number}"
    pages = {
        reviewer2: {
            "compare": compare,
            "compare-inline": f"{compare}&view=inline",
            "approve": f"{revision}/transition/approve/",
            "send-back": f"{revision}/transition/request_changes/",
            "confirm-still-accurate": f"/admin/kb/condition/{condition.pk}/confirm-still-accurate/",
            "history": f"{revision}/history/",
            "comments-reviewer": f"{revision}/change/",
            "conditions": "/admin/kb/condition/",
            "references": "/admin/kb/reference/",
            "reference": f"{reference}/change/",
            "retraction-flag": f"{reference}/retraction/",
            "findings": "/admin/kb/evidencefinding/",
            "finding": f"/admin/kb/evidencefinding/{desk_work['finding'].pk}/change/",
        },
        author: {
            "take-back": f"/admin/kb/revision/{desk_work['untouched'].pk}/transition/take_back/",
            "comments-author": f"{revision}/change/",
            "unknown-citation": f"/admin/kb/revision/{desk_work['unresolved'].pk}/change/",
        },
        superuser: {
            "webhook-endpoints": "/admin/kb/webhookendpoint/",
            "webhook-endpoint": f"/admin/kb/webhookendpoint/{desk_work['endpoint'].pk}/change/",
            "webhook-deliveries": "/admin/kb/webhookdelivery/",
            "webhook-delivery": f"/admin/kb/webhookdelivery/{desk_work['delivery'].pk}/change/",
            "failed-tasks": "/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED",
            "failed-task": (
                f"/admin/django_tasks_database/dbtaskresult/{desk_work['task'].pk}/change/"
            ),
        },
    }
    files = []
    for user, urls in pages.items():
        client.force_login(user)
        for name, url in urls.items():
            files.append(_page(client, tmp_path, name=name, url=url, status=200))
    assert _errors(vnu, files) == []


def _page(client, tmp_path: Path, *, name: str, url: str, status: int) -> Path:
    response = client.get(url)
    assert response.status_code == status, url
    path = tmp_path / f"{name}.html"
    path.write_bytes(response.content)
    return path


def _errors(vnu: list[str], files: list[Path]) -> list[str]:
    """The checker's errors, one line each, in a single JVM run over every file."""
    run = subprocess.run([*vnu, *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stdout or "{}").get("messages", [])
    return [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
