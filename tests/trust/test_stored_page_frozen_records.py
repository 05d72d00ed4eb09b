"""A library record edited after approval changes nothing a live article shows (I9).

The stored page body, its JSON-LD citations and the API's references all come from the
citations' snapshots taken at approval, including when the rendition is written again
later (a deploy with new rendering code): only the retraction flag is read live.
"""

from __future__ import annotations

import pytest

from kb.models import Reference, Rendition
from tests.factories import ReferenceFactory, make_live
from tests.trust.conftest import cold_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="smith2020", title="Twitching in healthy adults", doi="10.1000/abc")
    return make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Mild [@smith2020]."}],
    )


@pytest.mark.parametrize("rendered_again", [False, True])
def test_an_edited_record_changes_no_page_jsonld_or_api_answer(
    client, api_key, live, rendered_again
):
    cold_get(client, "/conditions/test-condition/")  # the page is stored
    Reference.objects.filter(key="smith2020").update(title="Edited title", doi="10.9/edited")
    if rendered_again:
        Rendition.objects.filter(revision=live).delete()
    page = cold_get(client, "/conditions/test-condition/").content.decode()
    assert "Twitching in healthy adults" in page and "10.1000/abc" in page
    assert "Edited title" not in page and "10.9/edited" not in page  # body and JSON-LD
    [reference] = cold_get(client, "/api/v1/conditions/test-condition/", **api_key).json()[
        "references"
    ]
    assert (reference["title"], reference["doi"]) == ("Twitching in healthy adults", "10.1000/abc")
    assert "Edited title" not in reference["citation"]
