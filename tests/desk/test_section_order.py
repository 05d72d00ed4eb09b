"""Sections in the revision form without JavaScript: the order numbers decide the order, a
new section goes at the end, the kind picker proposes the usual order, and removing uses
the delete box."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb.admin.sections import USUAL_ORDER, next_kind, settled_positions
from kb.models import SectionKind
from tests.desk.test_admin_desk import revision_post_data
from tests.factories import make_draft

pytestmark = pytest.mark.django_db

SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "What it is."},
    {"kind": "causes", "heading": "Causes", "body": "Why it happens."},
    {"kind": "treatment", "heading": "Treatment", "body": "What helps."},
]


@pytest.fixture
def draft(author):
    return make_draft(author=author, sections=SECTIONS)


def save(client, draft, **overrides):
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    data = revision_post_data(draft, lock_version=draft.lock_version, **overrides)
    return client.post(url, data)


def headings(draft) -> list[tuple[str, int]]:
    return list(draft.sections.order_by("position", "id").values_list("heading", "position"))


def with_new_section(draft, **fields) -> dict:
    count = draft.sections.count()
    return {
        "sections-TOTAL_FORMS": str(count + 1),
        f"sections-{count}-revision": str(draft.pk),
        f"sections-{count}-position": "",
        f"sections-{count}-kind": "symptoms",
        f"sections-{count}-heading": "",
        f"sections-{count}-body": "",
        **{f"sections-{count}-{name}": value for name, value in fields.items()},
    }


def test_typing_a_smaller_number_moves_a_section_up_and_renumbers(client, author, draft):
    client.force_login(author)
    # Treatment (third) gets the number of the first section: it goes first.
    response = save(client, draft, **{"sections-2-position": "10"})
    assert response.status_code == 302
    assert headings(draft) == [("Treatment", 10), ("Overview", 20), ("Causes", 30)]


def test_numbers_in_order_are_kept_and_nothing_else_is_written(client, author, draft):
    client.force_login(author)
    response = save(client, draft, **{"sections-0-position": "25", "sections-1-position": "5"})
    assert response.status_code == 302
    assert headings(draft) == [("Causes", 5), ("Overview", 25), ("Treatment", 30)]


def test_a_new_section_with_no_number_goes_at_the_end(client, author, draft):
    client.force_login(author)
    extra = with_new_section(draft, heading="Symptoms", body="Twitching.")
    response = save(client, draft, **extra)
    assert response.status_code == 302
    assert headings(draft)[-1] == ("Symptoms", 40)


def test_a_blank_section_at_the_end_is_ignored(client, author, draft):
    client.force_login(author)
    response = save(client, draft, **with_new_section(draft, position="40"))
    assert response.status_code == 302
    assert draft.sections.count() == 3


def test_the_delete_box_removes_a_section(client, author, draft):
    client.force_login(author)
    response = save(client, draft, **{"sections-1-DELETE": "on"})
    assert response.status_code == 302
    assert [h for h, _ in headings(draft)] == ["Overview", "Treatment"]


def test_the_form_offers_a_blank_section_at_the_end_with_the_next_usual_kind(client, author, draft):
    client.force_login(author)
    response = client.get(reverse("admin:kb_revision_change", args=[draft.pk]))
    formset = response.context["inline_admin_formsets"][0].formset
    blank = formset.forms[-1]
    assert blank.instance.pk is None
    # Overview and causes are taken; symptoms comes next in the usual order.
    assert blank.initial["kind"] == SectionKind.SYMPTOMS
    assert blank.initial["position"] == 40
    offered = [value for value, _ in blank.fields["kind"].choices if value]
    assert offered == list(USUAL_ORDER)
    assert formset.empty_form.initial["position"] == 40


def test_next_kind_follows_the_usual_order():
    assert next_kind(used=[]) == SectionKind.OVERVIEW
    assert next_kind(used=["overview", "symptoms"]) == SectionKind.CAUSES
    assert next_kind(used=list(USUAL_ORDER)) == SectionKind.CUSTOM


@pytest.mark.parametrize(
    "entries,expected",
    [
        ([(10, False), (20, False), (None, False)], [10, 20, 30]),
        ([(10, False), (20, False), (10, True)], [20, 30, 10]),
        ([(5, False), (5, False)], [10, 20]),
        ([(None, False), (None, False)], [10, 20]),
    ],
)
def test_settled_positions(entries, expected):
    assert settled_positions(entries=entries) == expected
