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

from kb import workflow
from kb.models import ConditionCode, Feedback
from tests.factories import ReferenceFactory, make_draft, make_live

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
            response = client.get(url)
            assert response.status_code == status, url
            path = tmp_path / f"{name}.html"
            path.write_bytes(response.content)
            files.append(path)

    run = subprocess.run([*vnu, *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stdout or "{}").get("messages", [])
    errors = [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
