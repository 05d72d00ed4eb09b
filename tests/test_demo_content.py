"""The demo comes from files (CSL-JSON references, Markdown articles) through the importer
and the workflow; its dates agree; the README's examples work against it; and the kb
package carries no demo text."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import Partner, PartnerAPIKey
from demo import loader
from demo.articles import ArticleError, parse_article, read_articles
from demo.people import PEOPLE
from kb import workflow
from kb.citations import cited_keys
from kb.importers import csljson
from kb.models import Condition, Notification, Reference, Revision
from kb.models.review import ReviewKind
from kb.reference_import import import_references

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "demo" / "content"
CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def api(db):
    """A client with a partner's key, as the README's curl examples send it."""
    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    return Client(HTTP_AUTHORIZATION=f"Api-Key {key}")


@pytest.mark.django_db
def test_references_come_in_through_the_importer(settings):
    settings.DEBUG = True
    text = (CONTENT / "references.json").read_text(encoding="utf-8")
    with mock.patch.object(loader, "import_references", wraps=import_references) as spy:
        call_command("load_demo", stdout=io.StringIO())
    spy.assert_called_once()
    assert spy.call_args.kwargs["text"] == text
    parsed = csljson.parse(text).records
    assert sorted(Reference.objects.values_list("key", flat=True)) == sorted(
        item["id"] for item in json.loads(text)
    )
    for record in parsed:  # each row is what the CSL-JSON parser read, nothing added
        ref = Reference.objects.get(key=record.key)
        assert (ref.title, ref.container_title, ref.year, ref.pages, ref.authors) == (
            record.data.title,
            record.data.container_title,
            record.data.year,
            record.data.pages,
            record.data.authors,
        )
    assert Reference.objects.get(key="filippakis2017").authors[-1] == {"literal": "et al."}


@pytest.mark.django_db
def test_every_demo_article_is_loaded_and_every_citation_resolves(demo):
    articles = read_articles(folder=CONTENT / "conditions")
    keys = set(Reference.objects.values_list("key", flat=True))
    for article in articles:
        revision = Revision.objects.get(
            condition__slug=article.slug, number=article.revision
        )  # fmt: skip
        assert revision.name == article.name and revision.summary == article.summary
        assert [(s.kind, s.heading, s.body) for s in revision.sections.all()] == [
            (s.kind, s.heading, s.body) for s in article.sections
        ]
        cited = {key for section in article.sections for key in cited_keys(section.body)}
        assert cited <= keys, (article.source, cited - keys)
        assert set(revision.citations.values_list("reference__key", flat=True)) == cited
        assert workflow.approval_problems(revision=revision) == []
    assert Revision.objects.count() == len(articles)
    statuses = {(a.slug, a.revision): a.status for a in articles}
    assert statuses[("cramp-fasciculation-syndrome", 2)] == "in review"
    assert statuses[("benign-fasciculation-syndrome", 1)] == "draft"


@pytest.mark.django_db
def test_related_conditions_are_the_files_own_both_ways(demo):
    for article in read_articles(folder=CONTENT / "conditions"):
        if article.revision == 1:
            condition = Condition.objects.get(slug=article.slug)
            assert set(condition.related.values_list("slug", flat=True)) == set(article.related)


@pytest.mark.django_db
def test_publication_and_review_dates_agree(demo, api):
    today = timezone.localdate()
    approved = Revision.objects.filter(status="approved")
    assert approved.count() == 4
    for revision in approved:
        review = revision.reviews.get(kind=ReviewKind.APPROVAL)
        went_live = timezone.localdate(revision.published_at)
        assert review.reviewed_on == timezone.localdate(revision.approved_at) == went_live
        assert review.reviewed_on <= today < review.next_review_due
    for item in api.get("/api/v1/conditions/").json()["results"]:
        published = dt.datetime.fromisoformat(item["published_at"])
        assert item["last_reviewed"] == timezone.localdate(published).isoformat()
        assert item["next_review_due"] > item["last_reviewed"]
    due = {revision.condition.slug: revision.reviews.get().next_review_due for revision in approved}
    assert due["neuromyotonia"] == today + dt.timedelta(days=80)  # "Next review in" of its file


@pytest.mark.django_db
def test_readme_code_example_finds_a_demo_condition(demo, api):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    examples = re.findall(r'"\$API(/conditions/\?code=[^"]+)"', readme)
    assert examples, "the README's quick start has a ?code= example"
    for path in examples:
        answer = api.get("/api/v1" + path)
        assert answer.status_code == 200
        assert answer.json()["count"] >= 1, path
    assert [item["slug"] for item in api.get("/api/v1" + examples[0]).json()["results"]] == [
        "amyotrophic-lateral-sclerosis"
    ]


@pytest.mark.django_db
def test_readme_conditional_request_recipe_gets_304(demo, api):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '-H "If-None-Match: $ETAG"' in readme and "ETAG=$(" in readme
    url = "/api/v1/conditions/cramp-fasciculation-syndrome/"
    etag = api.get(url)["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_load_demo_keeps_its_email_off_the_console_but_the_site_does_not(settings, capsys):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = CONSOLE
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = capsys.readouterr().out
    assert "Subject:" not in printed and "Subject:" not in out.getvalue()
    assert settings.EMAIL_BACKEND == CONSOLE
    assert Notification.objects.exists()
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert "workflow e-mails to the demo's people held back" in out.getvalue()
    for person in PEOPLE:
        assert person.username in out.getvalue()

    from django.contrib.auth import get_user_model

    reviewer2 = get_user_model().objects.get(username="reviewer2")
    newer = Revision.objects.get(condition__slug="cramp-fasciculation-syndrome", number=2)
    with transaction.atomic():
        workflow.approve(revision=newer, by=reviewer2)
    assert "Subject: [" in capsys.readouterr().out  # the site's own e-mail still prints


@pytest.mark.django_db
def test_a_file_the_workflow_refuses_fails_the_load_and_keeps_nothing(tmp_path):
    (tmp_path / "conditions").mkdir()
    (tmp_path / "references.json").write_text(
        (CONTENT / "references.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "conditions" / "cramps.md").write_text(
        "Name: Cramps\nSlug: cramps\nStatus: published\nWritten by: author\n"
        "Reviewed by: reviewer\nSummary: Sudden, painful tightening of a muscle.\n\n"
        "## Overview\n\nCramps are common [@nobody1999].\n",
        encoding="utf-8",
    )
    refused = pytest.raises(loader.DemoContentError, match=r"cramps\.md: .*nobody1999")
    with refused, transaction.atomic():
        loader.load(content=tmp_path)
    assert not Condition.objects.exists() and not Reference.objects.exists()


@pytest.mark.django_db
def test_a_reference_held_under_another_key_fails_the_load(settings):
    """The importer matches it (same title, year, first author, journal, volume and pages),
    which would leave [@hart2002] naming nothing."""
    settings.DEBUG = True
    Reference.objects.create(
        key="hart-2002",
        title="Phenotypic variants of autoimmune peripheral nerve hyperexcitability",
        authors=[{"family": "Hart", "given": "IK"}],
        container_title="Brain",
        volume="125",
        pages="1887-95",
        year=2002,
    )
    with pytest.raises(CommandError, match="'hart2002'.* in the library as 'hart-2002'"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Condition.objects.exists()


def test_article_header_and_sections():
    article = parse_article(
        text=(
            "Name: Migraine\nSlug: migraine\nStatus: In review\nWritten by: author\n"
            "Summary: A headache that keeps coming back,\n  often with sickness.\n"
            "Also known as: sick headache; hemicrania\nRelated: tension-headache\n"
            "Code: ICD-10 G43 Migraine\nCode: MeSH D008881 Migraine Disorders\n"
            "Next review in: 365 days\n\n"
            "## What is migraine? {overview}\n\nA headache.\n\n- one\n- two\n\n"
            "## Outlook\n\nIt often eases with age.\n"
        ),
        source="migraine.md",
    )
    assert article.status == "in review" and article.revision == 1
    assert article.summary == "A headache that keeps coming back, often with sickness."
    assert article.also_known_as == ("sick headache", "hemicrania")
    assert [(c.system, c.code, c.display) for c in article.codes] == [
        ("ICD-10", "G43", "Migraine"),
        ("MeSH", "D008881", "Migraine Disorders"),
    ]
    assert article.next_review_in_days == 365
    assert [(s.kind, s.heading) for s in article.sections] == [
        ("overview", "What is migraine?"),
        ("prognosis", "Outlook"),
    ]
    assert article.sections[0].body == "A headache.\n\n- one\n- two"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Name: X\nSlug: x\nWritten by: a\nSumary: y\n\n## Causes\n\nz\n", "expected 'Key"),
        ("Name: X\nSlug: x\nWritten by: a\n\n## Causes\n\nz\n", "'Summary' is required"),
        ("Name: X\nSlug: x\nWritten by: a\nSummary: y\n\n## How common {often}\n\nz\n", "kind"),
        ("Name: X\nSlug: x\nWritten by: a\nSummary: y\n\n## How common\n\nz\n", "in braces"),
        ("Name: X\nSlug: x\nWritten by: a\nSummary: y\nStatus: published\n\n## Causes\n\nz\n",
         "needs 'Reviewed by'"),
        ("Name: X\nSlug: x\nWritten by: a\nSummary: y\nCode: ICD-9 123\n\n## Causes\n\nz\n",
         "'Code'"),
        ("Name: X\nSlug: x\nWritten by: a\nSummary: y\n\nStray text\n## Causes\n\nz\n",
         "before the first"),
    ],
)  # fmt: skip
def test_article_mistakes_are_named(text, message):
    with pytest.raises(ArticleError, match=message):
        parse_article(text=text, source="x.md")


def test_related_conditions_must_name_each_other(tmp_path):
    head = "Written by: author\nSummary: s\n"
    (tmp_path / "a.md").write_text(f"Name: A\nSlug: a\n{head}Related: b\n\n## Causes\n\nz\n")
    (tmp_path / "b.md").write_text(f"Name: B\nSlug: b\n{head}\n## Causes\n\nz\n")
    with pytest.raises(ArticleError, match="a lists b as related"):
        read_articles(folder=tmp_path)


def test_the_kb_package_holds_no_demo():
    assert not (ROOT / "kb" / "demo_content.py").exists()
    assert get_commands()["load_demo"] == "demo"
    demo_phrases = ["demo-password", *(person.display_name for person in PEOPLE)]
    demo_phrases += [
        sentence
        for article in read_articles(folder=CONTENT / "conditions")
        for section in article.sections
        for sentence in [section.body.split(". ")[0]]
        if len(sentence) > 40
    ]
    for path in (ROOT / "kb").rglob("*"):
        if path.suffix in (".py", ".html", ".txt", ".md", ".json"):
            text = path.read_text(encoding="utf-8")
            found = [phrase for phrase in demo_phrases if phrase in text]
            assert not found, (path, found[:3])
