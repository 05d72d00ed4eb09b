"""Report a passage: the report form takes the quoted passage and its section (prefilled
from the article page's selection, or typed without JavaScript), stores them with the
revision the reader saw, and the desk shows the passage marked in that revision's text."""

from __future__ import annotations

import re

import pytest

from kb import workflow
from kb.feedback import PASSAGE_MAX_LENGTH
from kb.models import Feedback
from tests.factories import make_live

pytestmark = pytest.mark.django_db
URL = "/conditions/neuromyotonia/report/"
SECTIONS = [
    {"kind": "overview", "heading": "Overview",
     "body": "Nerves fire on their own, so muscles **ripple** and stiffen."},
    {"kind": "treatment", "heading": "Treatment",
     "body": "Carbamazepine 2000 mg daily calms the nerves. <script>x</script>"},
]  # fmt: skip


@pytest.fixture
def live(author, reviewer):
    return make_live(author=author, reviewer=reviewer, slug="neuromyotonia",
                     name="Neuromyotonia", sections=SECTIONS)  # fmt: skip


def test_article_page_loads_the_passage_script_and_marks_the_report_link(client, live):
    html = client.get("/conditions/neuromyotonia/").content.decode()
    assert re.search(r'<script src="[^"]*kb/report-passage[^"]*\.js" defer></script>', html)
    assert 'data-report-passage href="/conditions/neuromyotonia/report/?revision=1"' in html
    # No inline script: only the JSON-LD data block and the static file.
    for script in re.findall(r"<script[^>]*>", html):
        assert 'type="application/ld+json"' in script or "src=" in script


def test_form_is_prefilled_from_the_selection(client, live):
    page = client.get(URL, {"revision": "1", "passage": "Carbamazepine 2000 mg daily",
                            "section": "treatment"}).content.decode()  # fmt: skip
    assert re.search(r'<textarea name="passage"[^>]*>\s*Carbamazepine 2000 mg daily</textarea>',
                     page)  # fmt: skip
    assert '<option value="treatment" selected>Treatment</option>' in page
    assert '<label for="id_passage">' in page and '<label for="id_section">' in page


def test_prefill_ignores_an_unknown_section_and_shortens_a_long_passage(client, live):
    page = client.get(URL, {"passage": "x" * 5000, "section": "nope"}).content.decode()
    select = re.search(r'<select name="section".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)" selected>', select) == [""]
    assert "x" * PASSAGE_MAX_LENGTH in page and "x" * (PASSAGE_MAX_LENGTH + 1) not in page


def test_passage_and_section_are_stored_with_the_revision_seen(client, live, reviewer):
    response = client.post(URL, {"message": "The dose looks ten times too high.",
                                 "passage": "  Carbamazepine 2000 mg\n daily ",
                                 "section": "treatment", "revision": "1"})  # fmt: skip
    assert response.status_code == 302
    fb = Feedback.objects.get()
    assert (fb.passage, fb.section) == ("Carbamazepine 2000 mg daily", "treatment")
    assert fb.revision == live


def test_the_form_still_works_without_passage_or_section(client, live):
    assert client.post(URL, {"message": "Something is not right here."}).status_code == 302
    assert (Feedback.objects.get().passage, Feedback.objects.get().section) == ("", "")


@pytest.mark.parametrize(
    "data,error",
    [
        ({"passage": "x" * (PASSAGE_MAX_LENGTH + 1)}, f"at most {PASSAGE_MAX_LENGTH} characters"),
        ({"section": "not-a-section"}, "Choose one of the page’s sections"),
    ],
)
def test_passage_and_section_are_validated(client, live, data, error):
    response = client.post(URL, {"message": "Something is not right here.", **data})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Feedback.objects.exists()


def test_sections_offered_are_those_of_the_revision_seen(client, live, author2, reviewer2):
    new = workflow.start_new_draft(condition=live.condition, by=author2)
    from kb import services

    services.update_revision(revision=new, by=author2, expected_version=new.lock_version,
                             sections=[{"kind": "causes", "heading": "Why it happens",
                                        "body": "Antibodies."}])  # fmt: skip
    workflow.submit(revision=new, by=author2)
    workflow.approve(revision=new, by=reviewer2)
    old = client.get(URL, {"revision": "1"}).content.decode()
    assert 'value="treatment"' in old and 'value="why-it-happens"' not in old
    response = client.post(URL, {"message": "Seen on the old page: wrong dose.",
                                 "revision": "1", "section": "treatment"})  # fmt: skip
    assert response.status_code == 302
    assert Feedback.objects.get().revision.number == 1


def test_desk_shows_the_passage_marked_in_the_revision_text(client, live, reviewer):
    fb = Feedback.objects.create(condition=live.condition, revision=live, assigned_to=reviewer,
                                 message="Dose is wrong.", section="treatment",
                                 passage="Carbamazepine 2000 mg daily")  # fmt: skip
    client.force_login(reviewer)
    html = client.get(f"/admin/kb/feedback/{fb.pk}/change/").content.decode()
    assert "<mark>Carbamazepine 2000 mg daily</mark> calms the nerves." in html
    assert "Treatment" in html and "revision 1" in html
    assert "<script>x</script>" not in html


def test_desk_finds_a_passage_across_formatting_and_without_a_section(client, live, reviewer):
    fb = Feedback.objects.create(condition=live.condition, revision=live, message="Is it?",
                                 passage="muscles ripple and")  # fmt: skip
    client.force_login(reviewer)
    html = client.get(f"/admin/kb/feedback/{fb.pk}/change/").content.decode()
    assert "<mark>muscles ripple and</mark>" in html


def test_desk_quotes_a_passage_it_cannot_find(client, live, reviewer):
    fb = Feedback.objects.create(condition=live.condition, revision=live, message="By hand.",
                                 passage="<b>not</b> in the text")  # fmt: skip
    client.force_login(reviewer)
    html = client.get(f"/admin/kb/feedback/{fb.pk}/change/").content.decode()
    assert "not found in the text of revision 1" in html
    assert "&lt;b&gt;not&lt;/b&gt; in the text" in html
