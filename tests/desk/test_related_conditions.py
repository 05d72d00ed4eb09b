"""Related conditions never point at themselves (desk form, model layer, database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from kb.models import Condition
from tests.factories import make_draft, make_live

pytestmark = pytest.mark.django_db


def post_condition(client, condition: Condition, *, related: list[int]):
    return client.post(
        reverse("admin:kb_condition_change", args=[condition.pk]),
        {
            "slug": condition.slug,
            "related": [str(pk) for pk in related],
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "codes-TOTAL_FORMS": "0",
            "codes-INITIAL_FORMS": "0",
        },
    )


def test_the_desk_refuses_a_condition_related_to_itself(client, author, reviewer, publisher):
    live = make_live(author=author, reviewer=reviewer, slug="cramps", name="Cramps")
    other = make_live(author=author, reviewer=reviewer, slug="twitches", name="Twitches")
    client.force_login(publisher)
    response = post_condition(client, live.condition, related=[live.condition_id])
    assert response.status_code == 200
    assert "A condition cannot be related to itself." in response.content.decode()
    assert not live.condition.related.exists()
    response = post_condition(client, live.condition, related=[other.condition_id])
    assert response.status_code == 302
    assert list(live.condition.related.all()) == [other.condition]


def test_code_refuses_a_condition_related_to_itself(author):
    condition = make_draft(author=author, slug="cramps").condition
    with pytest.raises(ValidationError, match="cannot be related to itself"), transaction.atomic():
        condition.related.add(condition)
    assert not condition.related.exists()


def test_the_database_refuses_a_condition_related_to_itself(author):
    condition = make_draft(author=author, slug="cramps").condition
    table = Condition.related.through._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (from_condition_id, to_condition_id) VALUES (%s, %s)",  # noqa: S608
            [condition.pk, condition.pk],
        )
