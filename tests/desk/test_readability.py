"""Readability while writing: plain-language scores per section, stored with the revision."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import services
from kb.models import Section
from kb.readability import Readability, plain_text, score
from tests.desk.test_admin_desk import revision_post_data
from tests.factories import make_draft

PLAIN = (
    "Most muscle cramps are harmless. They often start at night. "
    "Stretch the muscle and rest. The pain goes away in a few minutes."
)
HARD = (
    "Idiopathic nocturnal gastrocnemius contractions constitute an extraordinarily "
    "prevalent musculoskeletal phenomenon. Pharmacological interventions demonstrate "
    "inconsistent therapeutic effectiveness. Consequently, physiological stretching "
    "methodologies constitute preferential conservative management."
)


def test_markdown_citations_and_box_syntax_are_not_scored():
    body = (
        "### Heading here\n\nSome **bold** and _italic_ text [@jansen2004; @ref2].\n\n"
        "::: urgent Call your GP if\n- it spreads\n- it hurts\n:::\n\n"
        "| Sign | Meaning |\n| --- | --- |\n| Twitch | Usually nothing |\n\n"
        "See [the guide](https://example.org/long/url)."
    )

    text = plain_text(body)

    assert "**" not in text and "_italic_" not in text and "#" not in text
    assert "@" not in text and "jansen" not in text and ":::" not in text
    assert "https://" not in text and "|" not in text
    assert "Call your GP if." in text and "It spreads" not in text and "it spreads." in text
    assert "Twitch." in text and "Usually nothing." in text


def test_plain_text_scores_better_than_jargon(settings):
    settings.KB_READABILITY_MAX_SMOG = 10
    settings.KB_READABILITY_MIN_FLESCH = 60

    plain, hard = score(body=PLAIN), score(body=HARD)

    assert plain.smog is not None and hard.smog is not None
    assert plain.smog < hard.smog
    assert plain.flesch > hard.flesch
    assert plain.smog_ok is True and plain.flesch_ok is True
    assert hard.smog_ok is False and hard.flesch_ok is False
    assert hard.needs_work and not plain.needs_work


def test_target_comes_from_settings(settings):
    settings.KB_READABILITY_MAX_SMOG = 1

    result = score(body=PLAIN)

    assert result.targets.max_smog == 1
    assert result.smog_ok is False


def test_too_short_for_smog_gets_no_grade():
    result = score(body="Rest helps.")

    assert result.smog is None and result.smog_ok is None
    assert result.words == 2 and result.sentences == 1


def test_long_sentences_are_flagged_with_configurable_length(settings):
    settings.KB_READABILITY_LONG_SENTENCE_WORDS = 8
    long = "This sentence has quite a lot more than eight words in it today."

    result = score(body=f"Short one. {long} Another short one.")

    assert result.long_sentence_count == 1
    assert result.long_sentences == [long]
    settings.KB_READABILITY_LONG_SENTENCE_WORDS = 30
    assert score(body=f"Short one. {long}").long_sentence_count == 0


def test_list_items_count_as_sentences(settings):
    settings.KB_READABILITY_LONG_SENTENCE_WORDS = 8
    body = "Signs:\n\n" + "\n".join(f"- twitching of the eyelid number {n}" for n in range(6))

    result = score(body=body)

    assert result.sentences == 7
    assert result.long_sentence_count == 0


def test_simpler_words_are_flagged_from_the_configured_list(settings):
    body = "Utilise a cold pack in order to ease swelling. Utilise it twice."

    assert score(body=body).simpler_words == [("Utilise", "use"), ("in order to", "to")]
    settings.KB_SIMPLER_WORDS = {"swelling": "puffiness"}
    assert score(body=body).simpler_words == [("swelling", "puffiness")]


def test_scores_round_trip_through_json():
    result = score(body=HARD + " Utilise it.")

    again = Readability.from_json(result.as_json())

    assert again == result
    assert Readability.from_json({}) is None


@pytest.mark.django_db
def test_scores_are_stored_with_each_section_on_create_and_update(author):
    draft = make_draft(author=author, sections=[
        {"kind": "overview", "heading": "Overview", "body": PLAIN},
        {"kind": "causes", "heading": "Causes", "body": HARD},
    ])  # fmt: skip

    stored = [Readability.from_json(s.readability) for s in draft.sections.order_by("position")]
    assert [r.smog for r in stored] == [score(body=PLAIN).smog, score(body=HARD).smog]

    services.update_revision(
        revision=draft,
        by=author,
        expected_version=draft.lock_version,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Utilise rest."}],
    )
    section = Section.objects.get(revision=draft)
    assert Readability.from_json(section.readability).simpler_words == [("Utilise", "use")]


@pytest.mark.django_db
def test_desk_save_stores_scores_and_the_form_shows_them(client, author):
    draft = make_draft(author=author)
    url = reverse("admin:kb_revision_change", args=[draft.pk])
    data = revision_post_data(draft, lock_version=draft.lock_version)
    data["sections-0-body"] = HARD + " Utilise a cold pack."
    client.force_login(author)

    assert client.post(url, data).status_code == 302

    section = draft.sections.order_by("position").first()
    assert (
        Readability.from_json(section.readability).smog == score(body=data["sections-0-body"]).smog
    )
    page = client.get(url).content.decode()
    assert "SMOG" in page and "Flesch reading ease" in page
    assert "“Utilise” → “use”" in page
    assert "above the target of 10" in page


def test_many_very_short_sentences_get_no_grade_rather_than_zero():
    result = score(body="- twitching\n- cramps\n- aches\n\nRest helps.")

    assert result.sentences == 4
    assert result.smog is None
