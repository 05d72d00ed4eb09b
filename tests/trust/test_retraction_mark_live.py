"""The "[Retracted]" mark of a cited record follows its live flag everywhere (I9).

The Vancouver citation of a retracted record ends with "[Retracted]" (``kb.vancouver``).
A rendition stores each reference's formatted citation (page HTML, the API's
``citation`` text, the stored page body), so a mark formatted in at render time would
follow the flag as it was then: a record flagged after approval would show the notice
without its mark, and one unflagged after a re-render would keep "[Retracted]" on the
page and in the API though ``retracted`` says false. What readers and partners see must
be what formatting the approved snapshot with today's flag writes.
"""

from __future__ import annotations

import pytest

from kb import workflow
from kb.citations import approved_reference
from kb.models import Citation, Reference, Rendition
from kb.vancouver import format_reference, format_reference_html
from tests.factories import ReferenceFactory, make_live
from tests.trust.conftest import cold_get

pytestmark = pytest.mark.django_db

PAGE = "/conditions/test-condition/"
API = "/api/v1/conditions/test-condition/"


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="smith2020", title="Twitching in healthy adults")
    ReferenceFactory(key="jones2019", title="Benign fasciculation syndrome")
    return make_live(
        author=author,
        reviewer=reviewer,
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Harmless [@smith2020]."},
            {"kind": "treatment", "heading": "Treatment", "body": "Rest [@jones2019]."},
        ],
    )


def _expected(revision) -> list[tuple[str, str]]:
    """Each cited record's (HTML, text) formatted now from its snapshot and live flag."""
    cited = Citation.objects.filter(revision=revision).select_related("reference")
    return [
        (format_reference_html(ref), format_reference(ref))
        for ref in (approved_reference(c) for c in sorted(cited, key=lambda c: c.number))
    ]


def _flag(key: str, *, by, retracted: bool) -> None:
    workflow.set_retraction(
        reference=Reference.objects.get(key=key), by=by, retracted=retracted, note="Notice."
    )


def _assert_as_formatted_now(client, api_key, revision) -> None:
    expected = _expected(revision)
    page = cold_get(client, PAGE).content.decode()
    for number, (html, _text) in enumerate(expected, start=1):
        assert f'<li id="ref-{number}">{html}' in page
    references = cold_get(client, API, **api_key).json()["references"]
    assert [r["citation"] for r in references] == [text for _html, text in expected]


def test_a_record_flagged_after_approval_is_marked_on_the_page_and_in_the_api(
    client, api_key, live, reviewer
):
    cold_get(client, PAGE)  # the page is stored, unflagged
    _flag("jones2019", by=reviewer, retracted=True)
    assert _expected(live)[1][1].endswith("[Retracted]")
    _assert_as_formatted_now(client, api_key, live)


def test_a_flag_removed_after_a_re_render_leaves_no_mark(client, api_key, live, reviewer):
    _flag("smith2020", by=reviewer, retracted=True)
    Rendition.objects.filter(revision=live).delete()  # e.g. a deploy re-renders it
    cold_get(client, PAGE)  # rendered and stored while the record is flagged
    cold_get(client, API, **api_key)
    _flag("smith2020", by=reviewer, retracted=False)
    page = cold_get(client, PAGE).content.decode()
    assert "[Retracted]" not in page
    references = cold_get(client, API, **api_key).json()["references"]
    assert [r["retracted"] for r in references] == [False, False]
    assert not any("[Retracted]" in r["citation"] for r in references)
    _assert_as_formatted_now(client, api_key, live)


def test_a_rendition_stored_before_pages_gets_a_marked_page(client, api_key, live, reviewer):
    """A rendition stored without its page (before pages were) gets it on first read."""
    cold_get(client, PAGE)
    _flag("smith2020", by=reviewer, retracted=True)
    Rendition.objects.filter(revision=live).update(page=None)
    _assert_as_formatted_now(client, api_key, live)
