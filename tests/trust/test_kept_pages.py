"""A live article's whole page is kept rendered with its revision (``kb.caching.kept``).

A page no cache holds is then one query for stored bytes instead of a render. The kept
bytes must be exactly what the view renders, and must never be served once anything the
page shows has changed (a review, a retraction, a related condition, its codes), once the
article is withdrawn, or under another deployment (I10: the database decides, the kept
copy only makes it faster).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import set_script_prefix
from django.utils import timezone

from kb import pages, services, workflow
from kb.api.detail import DetailAnswer
from kb.caching import kept, store
from kb.models import CodeSystem, ConditionCode, Reference, RenderedPage
from kb.pages import PageAnswer
from tests.factories import ReferenceFactory, UserFactory, make_live

PAGE = "/conditions/test-condition/"
API = "/api/v1/conditions/test-condition/"
SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "Often **harmless** [@smith2020]."},
    {"kind": "treatment", "heading": "Treatment", "body": "Rest [@smith2020; @jones2019]."},
]


@pytest.fixture
def article(author, reviewer):
    """A live article citing two records, with a live related condition."""
    ReferenceFactory(key="smith2020", title="Twitching in healthy adults")
    ReferenceFactory(key="jones2019", title="Benign fasciculation syndrome")
    live = make_live(author=author, reviewer=reviewer, sections=SECTIONS)
    related = make_live(author=author, reviewer=reviewer, slug="cramps", name="Cramps")
    live.condition.related.add(related.condition)
    return live


def _cold(client, path: str = PAGE, **headers):
    store.clear_local()
    cache.clear()
    return client.get(path, **headers)


def _no_render(monkeypatch) -> None:
    def render(self):
        raise AssertionError("rendered although a current answer was kept")

    monkeypatch.setattr(PageAnswer, "render", render)
    monkeypatch.setattr(DetailAnswer, "render", render)


def test_kept_answers_are_exactly_what_the_views_render(client, article, api_key, monkeypatch):
    rendered = [_cold(client), _cold(client, API, **api_key)]
    assert [r.status_code for r in rendered] == [200, 200]
    assert not RenderedPage.objects.exists()  # a read keeps nothing

    assert pages.keep_answers(slug="test-condition") == 2  # the page and the API detail
    _no_render(monkeypatch)
    served = [_cold(client), _cold(client, API, **api_key)]
    for before, now in zip(rendered, served, strict=True):
        assert now.status_code == 200
        assert now.content == before.content
        assert now["ETag"] == before["ETag"]
        assert now["Content-Type"] == before["Content-Type"]


def test_a_cold_read_of_a_kept_page_reads_no_article(client, article):
    pages.keep_answers(slug="test-condition")
    store.clear_local()
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    # The publication state, the validators (which name the kept key), the kept bytes.
    assert len(sql) == 3, sql
    assert "kb_renderedpage" in sql[-1]
    assert not any("kb_rendition" in s or "kb_section" in s for s in sql)


def _reconfirm(article, reviewer):
    workflow.reconfirm(
        condition=article.condition,
        by=reviewer,
        next_review_due=timezone.localdate() + dt.timedelta(days=400),
    )
    due = timezone.localdate() + dt.timedelta(days=400)
    return f"{due:%B %Y}", due.isoformat()


def _retract(article, reviewer):
    workflow.set_retraction(
        reference=Reference.objects.get(key="jones2019"),
        by=reviewer,
        retracted=True,
        note="Data fabricated.",
    )
    return "Data fabricated.", '"retracted":true'


def _rename_related(article, reviewer):
    from kb.models import Condition

    services.rename_condition(
        condition=Condition.objects.get(slug="cramps"),
        new_slug="muscle-cramps",
        by=UserFactory(is_superuser=True, is_staff=True),
    )
    return "/conditions/muscle-cramps/", '"muscle-cramps"'


def _add_code(article, reviewer):
    ConditionCode.objects.create(
        condition=article.condition, system=CodeSystem.ICD10, code="G25.89", display="Other"
    )
    return "G25.89", "G25.89"


def _another_deployment(article, reviewer, settings):
    settings.KB_PUBLISHER_NAME = "Another Publisher"
    return "Another Publisher", None


@pytest.mark.parametrize(
    "change", [_reconfirm, _retract, _rename_related, _add_code, _another_deployment]
)
def test_kept_answers_are_not_served_once_what_they_show_changed(
    client, article, reviewer, settings, api_key, change
):
    page, api = _cold(client), _cold(client, API, **api_key)
    pages.keep_answers(slug="test-condition")
    args = (article, reviewer, settings) if change is _another_deployment else (article, reviewer)
    shown, shown_by_api = change(*args)
    assert shown not in page.content.decode()

    after = _cold(client)
    assert after.status_code == 200
    assert shown in after.content.decode()
    if shown_by_api is not None:  # the API shows no publisher name
        assert shown_by_api not in api.content.decode()
        assert shown_by_api in _cold(client, API, **api_key).content.decode()


@pytest.mark.parametrize("change", [_reconfirm, _retract, _rename_related])
def test_what_partners_are_told_to_fetch_again_is_kept_anew(
    client, article, reviewer, api_key, monkeypatch, django_capture_on_commit_callbacks, change
):
    pages.keep_answers(slug="test-condition")
    with django_capture_on_commit_callbacks(execute=True):
        shown, shown_by_api = change(article, reviewer)
    _no_render(monkeypatch)
    assert shown in _cold(client).content.decode()
    assert shown_by_api in _cold(client, API, **api_key).content.decode()


def test_a_withdrawn_article_is_gone_although_its_page_was_kept(client, article, publisher):
    pages.keep_answers(slug="test-condition")
    workflow.withdraw(condition=article.condition, by=publisher, reason="Unsafe advice.")
    assert _cold(client).status_code == 410


def test_going_live_keeps_the_page(client, article, author2, reviewer2, monkeypatch,
                                   django_capture_on_commit_callbacks):  # fmt: skip
    new = workflow.start_new_draft(condition=article.condition, by=author2)
    new.summary = "A second, clearer summary."
    new.save()
    workflow.submit(revision=new, by=author2)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(revision=new, by=reviewer2)

    row = RenderedPage.objects.get(revision_id=new.pk, template="kb/article.html")
    answer = PageAnswer(slug="test-condition", template="kb/article.html", request=None)
    validators = answer.read_validators()
    assert row.key == kept.key_for(name=answer.name, etag=validators.etag)
    _no_render(monkeypatch)
    assert "A second, clearer summary." in _cold(client).content.decode()


@pytest.mark.parametrize("development", [{"SITE_URL": ""}, {"DEBUG": True}])
def test_nothing_is_kept_in_development(client, article, settings, development):
    """Without ``SITE_URL`` links follow the request's host; with ``DEBUG`` on, templates
    edited under ``runserver`` must show at once."""
    for name, value in development.items():
        setattr(settings, name, value)
    assert pages.keep_answers(slug="test-condition") == 0
    assert not RenderedPage.objects.exists()


def test_write_renditions_keeps_every_live_page_once(article):
    from django.core.management import call_command

    call_command("write_renditions", "--live")
    assert RenderedPage.objects.count() == 4  # the page and API of the article and related
    first = dict(RenderedPage.objects.values_list("revision_id", "rendered_at"))
    call_command("write_renditions", "--live")  # nothing changed: nothing rendered again
    assert dict(RenderedPage.objects.values_list("revision_id", "rendered_at")) == first


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outer_transaction", [False, True])
def test_the_kept_bytes_are_what_their_key_names(
    client, author, reviewer, monkeypatch, outer_transaction
):
    """Validators and body are read in one snapshot: a retraction committed by another
    connection between the two reads must not put its notice into bytes kept under the
    key of the state before it (a later flag, unflag and flag would serve them)."""
    if connection.vendor != "postgresql":
        pytest.skip("Two connections racing: PostgreSQL (SQLite runs one writer).")
    ReferenceFactory(key="smith2020", title="Twitching in healthy adults")
    ReferenceFactory(key="jones2019", title="Benign fasciculation syndrome")
    make_live(author=author, reviewer=reviewer, sections=SECTIONS)
    RenderedPage.objects.all().delete()  # approval kept it; keep it again under the race
    original = PageAnswer.render

    def retract_meanwhile():
        try:
            _retract(None, reviewer)
        finally:
            connection.close()

    retracted = []

    def render_after_a_retraction(self):
        if not retracted:  # once (the retraction keeps the page again, rendering it)
            retracted.append(True)
            thread = threading.Thread(target=retract_meanwhile)
            thread.start()
            thread.join()
        return original(self)

    monkeypatch.setattr(PageAnswer, "render", render_after_a_retraction)
    if outer_transaction:  # no snapshot of its own: it sees the change and keeps nothing
        with transaction.atomic():
            assert pages.keep_answers(slug="test-condition") == 1  # the API detail
    else:
        assert pages.keep_answers(slug="test-condition") == 2  # the page and the API detail
    monkeypatch.setattr(PageAnswer, "render", original)

    # Two states: before the retraction (no notice) and after it (the notice; the
    # retraction's own keeping may have kept it). Each kept page shows its key's state.
    answer = PageAnswer(slug="test-condition", template="kb/article.html", request=None)
    now = kept.key_for(name=answer.name, etag=answer.read_validators().etag)
    for kept_page in RenderedPage.objects.filter(template="kb/article.html"):
        assert (b"Data fabricated." in kept_page.content) == (kept_page.key == now)
    page = _cold(client)  # the key now names the retraction: the kept bytes are not used
    assert b"Data fabricated." in page.content


def test_a_setting_an_answer_shows_is_part_of_the_key(client, article, settings, api_key):
    """The API shows the content licence (a ``KB_*`` setting): a new one must show."""
    _cold(client, API, **api_key)
    pages.keep_answers(slug="test-condition")
    settings.KB_CONTENT_LICENCE = "A licence agreed today."
    assert "A licence agreed today." in _cold(client, API, **api_key).content.decode()


def test_the_reviewers_byline_as_it_is_now(client, article, reviewer, api_key):
    """A reviewer's credentials edited since the page was kept (e.g. withdrawn by their
    college) must not show on the page, in its JSON-LD or in the API."""
    pages.keep_answers(slug="test-condition")
    reviewer.credentials = "Credentials under review"
    reviewer.save()
    assert _cold(client).content.decode().count("Credentials under review") == 2  # + JSON-LD
    assert "Credentials under review" in _cold(client, API, **api_key).content.decode()


def test_related_conditions_swapped_for_others_show(client, author, reviewer, article, api_key):
    """Related conditions are named by the set of their revisions, not by a count and a
    sum of ids, which two different sets can share."""
    others = [
        make_live(author=author, reviewer=reviewer, slug=f"other-{n}", name=f"Other {n}")
        for n in range(4)
    ]
    first, second, third, fourth = sorted(others, key=lambda r: r.pk)
    condition = article.condition
    condition.related.set([first.condition, fourth.condition])
    pages.keep_answers(slug="test-condition")
    condition.related.set([second.condition, third.condition])  # the same count and sum
    assert first.pk + fourth.pk == second.pk + third.pk
    page = _cold(client).content.decode()
    assert "/conditions/other-1/" in page and "/conditions/other-0/" not in page


def test_validators_cached_before_a_page_was_kept_still_find_it(client, article, monkeypatch):
    """Keeping moves no publication state, so validators cached earlier list nothing kept:
    the kept bytes are looked up all the same."""
    monkeypatch.setattr(store, "named", lambda name, compute, keep=None: compute())
    store.clear_local()
    cache.clear()
    assert client.get(PAGE).status_code == 200  # validators cached, listing nothing kept
    pages.keep_answers(slug="test-condition")
    _no_render(monkeypatch)
    assert client.get(PAGE).status_code == 200


def test_an_answer_that_cannot_be_rendered_is_not_kept_and_the_others_are(
    article, monkeypatch, caplog
):
    def render(self):
        raise ValueError("Missing staticfiles manifest entry for 'kb/site.css'")

    monkeypatch.setattr(PageAnswer, "render", render)
    assert pages.keep_answers(slug="test-condition") == 1  # the API detail
    assert list(RenderedPage.objects.values_list("template", flat=True)) == ["api-detail"]
    assert "Missing staticfiles manifest entry" in caplog.text


def test_a_page_kept_at_one_address_prefix_is_not_served_under_another(client, article):
    """A site mounted under a path (``SCRIPT_NAME``, which a WSGI server sets as the script
    prefix) writes its links under it; a page kept by a worker at the root must not be
    served there."""
    pages.keep_answers(slug="test-condition")
    store.clear_local()
    cache.clear()
    set_script_prefix("/kb/")
    try:
        page = client.get(PAGE).content.decode()
    finally:
        set_script_prefix("/")
    assert 'href="/kb/conditions/"' in page
