"""Hot reads compiled once (``kb.compiled``) answer exactly what their querysets answer.

The querysets stay the one declaration of what is live; these tests hold the compiled
shortcut to them, on whichever database the suite runs.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db.models import Count, Max
from django.utils import timezone

from kb import selectors
from kb.compiled import PLACEHOLDER_INSTANT, CompiledQuery, as_datetime
from kb.models import Condition, Revision
from tests.factories import make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db


def _by_status(*, status: str, at: dt.datetime):
    return (
        Revision.objects.filter(status=status, created_at__lte=at)
        .order_by("number")
        .values_list("pk", "number", "created_at")
    )


def test_rows_match_the_orm_for_each_value(author, reviewer):
    make_live(author=author, reviewer=reviewer)
    make_draft(author=author, name="Second", slug="second")
    compiled = CompiledQuery(_by_status, status="\x00status", at=PLACEHOLDER_INSTANT)
    now = timezone.now()
    for status in ("approved", "draft", "in_review"):
        for at in (now, now - dt.timedelta(days=1)):
            orm = list(_by_status(status=status, at=at))
            assert compiled.rows(status=status, at=at) == orm


def test_annotations_come_back_in_the_order_asked_and_converted(author, reviewer):
    make_live(author=author, reviewer=reviewer)

    def build(*, slug):
        return (
            Condition.objects.filter(slug=slug)
            .annotate(n=Count("revisions"), newest=Max("revisions__created_at"))
            .values_list("newest", "slug", "n")
        )

    compiled = CompiledQuery(build, slug="\x00slug")
    rows = compiled.rows(slug="test-condition")
    assert rows == list(build(slug="test-condition"))
    assert isinstance(rows[0][0], dt.datetime) and timezone.is_aware(rows[0][0])
    assert compiled.rows(slug="nothing-here") == []


def test_a_placeholder_the_query_does_not_use_is_refused():
    compiled = CompiledQuery(
        lambda *, slug, at: Condition.objects.filter(slug=slug).values_list("pk"),
        slug="\x00slug",
        at=PLACEHOLDER_INSTANT,
    )
    with pytest.raises(ValueError, match="'at' is not a parameter"):
        compiled.rows(slug="x", at=timezone.now())
    with pytest.raises(TypeError):
        CompiledQuery(lambda *, slug: None, slug="\x00slug").rows(name="x")


def test_as_datetime_reads_every_backends_form():
    aware = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert as_datetime(aware) is aware
    assert as_datetime("2026-01-02 03:04:05") == aware
    assert as_datetime(dt.datetime(2026, 1, 2, 3, 4, 5)) == aware
    assert as_datetime(None) is None


def test_the_page_key_follows_scheduling_at_query_time(author, author2, reviewer, reviewer2):
    """The compiled reads resolve a scheduled go-live at the instant they run."""
    from tests.governance.test_scheduling import GO_LIVE, T0, schedule_new_revision

    with time_machine.travel(T0, tick=False):
        live, scheduled = schedule_new_revision(
            author=author, author2=author2, reviewer=reviewer, reviewer2=reviewer2
        )
        slug = scheduled.condition.slug
        assert selectors.get_page_key(slug=slug).revision_id == live.pk
        assert selectors.get_published_article(slug=slug).revision.pk == live.pk
    with time_machine.travel(GO_LIVE + dt.timedelta(minutes=1), tick=False):
        assert selectors.get_page_key(slug=slug).revision_id == scheduled.pk
        article = selectors.get_published_article(slug=slug)
        assert article.revision.pk == scheduled.pk
        assert article.revision.condition.slug == slug


def test_the_article_is_loaded_as_the_orm_would_load_it(author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    other = make_live(author=author, reviewer=reviewer, name="Cramp", slug="cramp")
    live.condition.related.add(other.condition)
    make_in_review(author=author, name="Unlisted", slug="unlisted")
    article = selectors.get_published_article(slug="test-condition")
    fresh = Revision.objects.select_related("condition").get(pk=live.pk)
    for field in Revision._meta.concrete_fields:
        assert getattr(article.revision, field.attname) == getattr(fresh, field.attname)
    assert article.condition.slug == "test-condition"
    assert article.revision.rendition.revision_id == live.pk
    assert article.review.reviewer == reviewer
    assert article.review.reviewer.byline_name == reviewer.byline_name
    assert [(r.name, r.condition.slug) for r in article.related] == [("Cramp", "cramp")]
