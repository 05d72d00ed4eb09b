"""Tests for kb.vancouver: worked examples from NLM's Citing Medicine, one per kind."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest

from kb.refdata import ReferenceData, normalise_season
from kb.vancouver import (
    abbreviate_pages,
    format_date,
    format_reference,
    format_reference_html,
)


def person(family: str, given: str) -> dict:
    return {"family": family, "given": given}


def org(name: str) -> dict:
    return {"literal": name}


JANSEN = ReferenceData(
    authors=[
        person("Jansen", "PH"),
        person("van Dijck", "JA"),
        person("Verbeek", "AL"),
        person("Durian", "FW"),
        person("Joosten", "EM"),
    ],
    title=(
        "Estimation of the frequency of the muscular pain-fasciculation syndrome and the "
        "muscular cramp-fasciculation syndrome in the adult population"
    ),
    container_title="Eur Arch Psychiatry Clin Neurosci",
    year=1991,
    volume="241",
    issue="2",
    pages="102-104",
)

DE_CARVALHO = ReferenceData(
    authors=[person("de Carvalho", "M"), person("Swash", "M")],
    title="Cramps, muscle pain, and fasciculations: not always benign?",
    container_title="Neurology",
    year=2004,
    volume="63",
    issue="4",
    pages="721-723",
    doi="10.1212/01.wnl.0000134657.71212.2e",
    pmid="15326253",
)


def assert_clean(text: str) -> None:
    """No stray punctuation or spacing from missing pieces."""
    assert ".." not in text
    assert " ;" not in text and ";;" not in text and "; ." not in text
    assert "()" not in text and "( " not in text
    assert "  " not in text
    assert " ." not in text and " ," not in text and " :" not in text
    assert ":;" not in text and ";:" not in text and "::" not in text
    assert text == text.strip()


# --- journal articles ------------------------------------------------------------------------


def test_journal_article_up_to_six_authors():
    assert format_reference(JANSEN) == (
        "Jansen PH, van Dijck JA, Verbeek AL, Durian FW, Joosten EM. Estimation of the "
        "frequency of the muscular pain-fasciculation syndrome and the muscular "
        "cramp-fasciculation syndrome in the adult population. Eur Arch Psychiatry Clin "
        "Neurosci. 1991;241(2):102-4."
    )


def test_journal_article_more_than_six_authors_uses_et_al():
    ref = ReferenceData(
        authors=[person(f"Author{i}", "A") for i in range(1, 9)],
        title="Many hands",
        container_title="J Test",
        year=2020,
        volume="1",
        pages="1-5",
    )
    assert format_reference(ref) == (
        "Author1 A, Author2 A, Author3 A, Author4 A, Author5 A, Author6 A, et al. "
        "Many hands. J Test. 2020;1:1-5."
    )


def test_exactly_six_authors_has_no_et_al():
    ref = ReferenceData(
        authors=[person(f"Author{i}", "A") for i in range(1, 7)],
        title="Six",
        container_title="J Test",
        year=2020,
    )
    assert "et al" not in format_reference(ref)
    assert format_reference(ref).startswith("Author1 A, Author2 A, Author3 A, Author4 A, ")


def test_journal_article_with_month_and_day_has_space_after_year():
    ref = ReferenceData(
        authors=[person("Smith", "J")],
        title="Dated",
        container_title="J Test",
        year=2022,
        month=1,
        day=7,
        volume="5",
        issue="1",
        pages="e123",
    )
    assert format_reference(ref) == "Smith J. Dated. J Test. 2022 Jan 7;5(1):e123."


def test_journal_article_with_month_only():
    ref = ReferenceData(title="T", container_title="J", year=2022, month=12, volume="9")
    assert format_reference(ref) == "T. J. 2022 Dec;9."


def test_journal_article_with_doi_and_pmid():
    assert format_reference(DE_CARVALHO) == (
        "de Carvalho M, Swash M. Cramps, muscle pain, and fasciculations: not always benign? "
        "Neurology. 2004;63(4):721-3. doi:10.1212/01.wnl.0000134657.71212.2e. PMID: 15326253."
    )


def test_doi_and_pmid_end_in_full_stops_as_in_nlm_samples():
    """NLM's "Samples of Formatted References": "doi:10.1056/NEJMsa020632. PMID: 12140307."."""
    ref = ReferenceData(
        authors=[person("Halpern", "SD"), person("Ubel", "PA"), person("Caplan", "AL")],
        title="Solid-organ transplantation in HIV-infected patients",
        container_title="N Engl J Med",
        year=2002,
        month=7,
        day=25,
        volume="347",
        issue="4",
        pages="284-287",
        doi="10.1056/NEJMsa020632",
        pmid="12140307",
    )
    assert format_reference(ref) == (
        "Halpern SD, Ubel PA, Caplan AL. Solid-organ transplantation in HIV-infected patients. "
        "N Engl J Med. 2002 Jul 25;347(4):284-7. doi:10.1056/NEJMsa020632. PMID: 12140307."
    )


def test_pmid_alone_ends_in_a_full_stop():
    ref = ReferenceData(title="T", container_title="J", year=2000, pmid="123")
    assert format_reference(ref) == "T. J. 2000. PMID: 123."


ABOOD = ReferenceData(
    authors=[person("Abood", "S")],
    title="Quality improvement initiative in nursing homes: the ANA acts in an advisory role",
    container_title="Am J Nurs",
    year=2002,
    month=6,
    volume="102",
    issue="6",
    url="http://www.nursingworld.org/AJN/2002/june/Wawatch.htm",
    accessed_on=datetime.date(2002, 8, 12),
)


def test_online_only_journal_article_has_internet_cited_date_and_url():
    """Citing Medicine, Chapter 1 (journal articles on the Internet), without the extent."""
    assert format_reference(ABOOD) == (
        "Abood S. Quality improvement initiative in nursing homes: the ANA acts in an "
        "advisory role. Am J Nurs [Internet]. 2002 Jun [cited 2002 Aug 12];102(6). "
        "Available from: http://www.nursingworld.org/AJN/2002/june/Wawatch.htm"
    )
    assert format_reference_html(ABOOD).endswith(
        'Available from: <a href="http://www.nursingworld.org/AJN/2002/june/Wawatch.htm">'
        "http://www.nursingworld.org/AJN/2002/june/Wawatch.htm</a>"
    )


def test_online_only_journal_article_without_access_date():
    ref = ReferenceData(**{**ABOOD.__dict__, "accessed_on": None})
    assert format_reference(ref) == (
        "Abood S. Quality improvement initiative in nursing homes: the ANA acts in an "
        "advisory role. Am J Nurs [Internet]. 2002 Jun;102(6). "
        "Available from: http://www.nursingworld.org/AJN/2002/june/Wawatch.htm"
    )


@pytest.mark.parametrize("located", [{"pages": "1-9"}, {"doi": "10.1000/x"}])
def test_journal_article_with_pages_or_doi_is_cited_as_print(located):
    """A URL beside pages or a DOI is a landing page: the DOI or pages find the article."""
    ref = ReferenceData(**{**ABOOD.__dict__, **located})
    text = format_reference(ref)
    assert "[Internet]" not in text and "[cited" not in text and "Available from" not in text


def test_two_month_issue():
    """Citing Medicine, Chapter 1: an issue dated by two months, "2004 Aug-Sep"."""
    ref = ReferenceData(
        authors=[person("Smith", "J")],
        title="Two months",
        container_title="J Test",
        year=2004,
        month=8,
        season="Aug-Sep",
        volume="63",
        issue="4",
        pages="721-723",
    )
    assert format_reference(ref) == "Smith J. Two months. J Test. 2004 Aug-Sep;63(4):721-3."


def test_seasonal_issue():
    """Citing Medicine, Chapter 1: a seasonal issue, "2004 Spring"."""
    ref = ReferenceData(
        title="Spring issue",
        container_title="J Test",
        year=2004,
        season="spring",
        volume="12",
        issue="1",
    )
    assert format_reference(ref) == "Spring issue. J Test. 2004 Spring;12(1)."


def test_issue_spanning_two_years():
    ref = ReferenceData(
        title="T", container_title="J", year=2003, month=12, season="Dec-2004 Jan", volume="5"
    )
    assert format_reference(ref) == "T. J. 2003 Dec-2004 Jan;5."


def test_a_single_month_in_season_falls_back_to_the_month_fields():
    ref = ReferenceData(title="T", container_title="J", year=2004, month=8, season="Aug")
    assert format_reference(ref) == "T. J. 2004 Aug."


def test_report_with_a_month_range():
    ref = ReferenceData(kind="guideline", title="R", publisher="P", year=2021, season="Mar-Apr")
    assert format_reference(ref) == "R. P; 2021 Mar-Apr."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Aug-Sep", "Aug-Sep"),
        ("August–September", "Aug-Sep"),
        ("aug - sep", "Aug-Sep"),
        ("Jul/Aug", "Jul-Aug"),
        ("spring", "Spring"),
        ("Winter", "Winter"),
        ("Summer-Fall", "Summer-Fall"),
        ("Dec-2004 Jan", "Dec-2004 Jan"),
        (1, "Spring"),
        ("3", "Fall"),
        (24, "Winter"),
        ("Aug", ""),
        ("Aug 24", ""),
        ("Epub", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_season(raw, expected):
    assert normalise_season(raw) == expected


@pytest.mark.parametrize("ending", ["?", "!", "."])
def test_title_ending_in_punctuation_gets_no_extra_full_stop(ending):
    ref = ReferenceData(title=f"Is it benign{ending}", container_title="J", year=2000)
    assert format_reference(ref) == f"Is it benign{ending} J. 2000."


def test_organisation_as_author():
    ref = ReferenceData(
        authors=[org("Amyotrophic Lateral Sclerosis Study Group")],
        title="A fixture trial",
        container_title="J Test",
        year=2001,
        volume="3",
        pages="10-19",
    )
    assert format_reference(ref) == (
        "Amyotrophic Lateral Sclerosis Study Group. A fixture trial. J Test. 2001;3:10-9."
    )


def test_name_particles_stay_with_the_surname():
    """Citing Medicine, Chapter 1: "van der Ploeg A", particle and surname together."""
    ref = ReferenceData(
        authors=[person("van der Ploeg", "A"), person("de Carvalho", "M")],
        title="T",
        container_title="J",
        year=2000,
    )
    assert format_reference(ref) == "van der Ploeg A, de Carvalho M. T. J. 2000."


def test_people_and_organisation_mixed():
    ref = ReferenceData(
        authors=[person("Gonçalves", "A"), person("Østergaard", "L"), org("Test Study Group")],
        title="Accents survive",
        container_title="J Test",
        year=2021,
    )
    assert format_reference(ref).startswith(
        "Gonçalves A, Østergaard L, Test Study Group. Accents survive."
    )


def test_no_authors_starts_with_title():
    ref = ReferenceData(title="Anonymous editorial", container_title="Lancet", year=1999)
    assert format_reference(ref) == "Anonymous editorial. Lancet. 1999."


def test_in_press_article_is_forthcoming():
    ref = ReferenceData(
        authors=[person("Østergaard", "L")],
        title="Accepted paper",
        container_title="J Test",
        year=2025,
        in_press=True,
    )
    assert format_reference(ref) == "Østergaard L. Accepted paper. J Test. Forthcoming 2025."


def test_in_press_without_year():
    ref = ReferenceData(title="Accepted paper", container_title="J Test", in_press=True)
    assert format_reference(ref) == "Accepted paper. J Test. Forthcoming."


def test_issue_without_volume_and_pages_without_volume():
    assert (
        format_reference(ReferenceData(title="T", container_title="J", year=2003, issue="2"))
        == "T. J. 2003;(2)."
    )
    assert (
        format_reference(ReferenceData(title="T", container_title="J", year=2003, pages="5-9"))
        == "T. J. 2003:5-9."
    )


def test_retracted_is_flagged_at_the_end():
    ref = ReferenceData(**{**DE_CARVALHO.__dict__, "retracted": True})
    text = format_reference(ref)
    assert text.endswith("PMID: 15326253. [Retracted]")
    assert format_reference_html(ref).endswith("</a>. [Retracted]")


# --- books, chapters, guidelines, web pages ---------------------------------------------------


def test_book():
    ref = ReferenceData(
        kind="book",
        authors=[person("Murray", "PR"), person("Rosenthal", "KS"), person("Kobayashi", "GS")],
        title="Medical microbiology",
        place="St. Louis",
        publisher="Mosby",
        year=2002,
    )
    assert format_reference(ref) == (
        "Murray PR, Rosenthal KS, Kobayashi GS. Medical microbiology. St. Louis: Mosby; 2002."
    )


@pytest.mark.parametrize("edition", ["4th", "4", "4th ed.", "4th edition"])
def test_book_with_edition(edition):
    ref = ReferenceData(
        kind="book",
        authors=[person("Murray", "PR")],
        title="Medical microbiology",
        edition=edition,
        place="St. Louis",
        publisher="Mosby",
        year=2002,
    )
    assert format_reference(ref) == (
        "Murray PR. Medical microbiology. 4th ed. St. Louis: Mosby; 2002."
    )


def test_book_first_edition_is_not_shown():
    ref = ReferenceData(kind="book", title="Handbook", edition="1st", publisher="P", year=2000)
    assert format_reference(ref) == "Handbook. P; 2000."


def test_edited_book_lists_editors_in_place_of_authors():
    ref = ReferenceData(
        kind="book",
        editors=[person("Gilstrap", "LC 3rd"), person("Cunningham", "FG")],
        title="Operative obstetrics",
        edition="2nd",
        place="New York",
        publisher="McGraw-Hill",
        year=2002,
    )
    assert format_reference(ref) == (
        "Gilstrap LC 3rd, Cunningham FG, editors. Operative obstetrics. 2nd ed. "
        "New York: McGraw-Hill; 2002."
    )


def test_chapter_with_editors():
    ref = ReferenceData(
        kind="chapter",
        authors=[person("Meltzer", "PS"), person("Kallioniemi", "A"), person("Trent", "JM")],
        editors=[person("Vogelstein", "B"), person("Kinzler", "KW")],
        title="Chromosome alterations in human solid tumors",
        container_title="The genetic basis of human cancer",
        place="New York",
        publisher="McGraw-Hill",
        year=2002,
        pages="93-113",
    )
    assert format_reference(ref) == (
        "Meltzer PS, Kallioniemi A, Trent JM. Chromosome alterations in human solid tumors. "
        "In: Vogelstein B, Kinzler KW, editors. The genetic basis of human cancer. "
        "New York: McGraw-Hill; 2002. p. 93-113."
    )


def test_chapter_with_single_editor_and_abbreviated_pages():
    ref = ReferenceData(
        kind="chapter",
        authors=[person("Swash", "M")],
        editors=[person("Gonçalves", "A")],
        title="Fasciculations",
        container_title="Textbook of test neurology",
        edition="2nd",
        place="London",
        publisher="Test Press",
        year=2019,
        pages="122-129",
    )
    assert format_reference(ref) == (
        "Swash M. Fasciculations. In: Gonçalves A, editor. Textbook of test neurology. "
        "2nd ed. London: Test Press; 2019. p. 122-9."
    )


def test_chapter_of_a_book_on_the_internet():
    """Citing Medicine, Chapter 24: the book is "[Internet]", with cited date and URL.

    Such chapters (NCBI Bookshelf: GeneReviews, StatPearls) are common medical sources.
    """
    ref = ReferenceData(
        kind="chapter",
        authors=[person("Bird", "TD")],
        editors=[person("Adam", "MP"), person("Feldman", "J")],
        title="Hereditary motor neuropathy",
        container_title="GeneReviews",
        place="Seattle (WA)",
        publisher="University of Washington, Seattle",
        year=2023,
        url="https://www.ncbi.nlm.nih.gov/books/NBK1116/",
        accessed_on=datetime.date(2024, 1, 5),
    )
    assert format_reference(ref) == (
        "Bird TD. Hereditary motor neuropathy. In: Adam MP, Feldman J, editors. "
        "GeneReviews [Internet]. Seattle (WA): University of Washington, Seattle; "
        "2023 [cited 2024 Jan 5]. Available from: https://www.ncbi.nlm.nih.gov/books/NBK1116/"
    )


def test_guideline_with_organisation_author():
    ref = ReferenceData(
        kind="guideline",
        authors=[org("National Institute for Health and Care Excellence")],
        title="Motor neurone disease: assessment and management",
        place="London",
        publisher="NICE",
        year=2016,
    )
    assert format_reference(ref) == (
        "National Institute for Health and Care Excellence. Motor neurone disease: "
        "assessment and management. London: NICE; 2016."
    )


def test_report_keeps_its_month():
    """Citing Medicine, Chapter 15: a report's date is "2001 Feb", unlike a book's year."""
    ref = ReferenceData(
        kind="guideline",
        authors=[person("Page", "E"), person("Harney", "JM")],
        title="Health hazard evaluation report",
        place="Cincinnati (OH)",
        publisher="National Institute for Occupational Safety and Health (US)",
        year=2001,
        month=2,
    )
    assert format_reference(ref) == (
        "Page E, Harney JM. Health hazard evaluation report. Cincinnati (OH): National "
        "Institute for Occupational Safety and Health (US); 2001 Feb."
    )


def test_online_guideline_keeps_its_month_before_the_cited_date():
    ref = ReferenceData(
        kind="guideline",
        authors=[org("World Health Organization")],
        title="Fixture guideline",
        place="Geneva",
        publisher="WHO",
        year=2021,
        month=3,
        url="https://www.example.org/guideline",
        accessed_on=datetime.date(2024, 3, 1),
    )
    assert format_reference(ref) == (
        "World Health Organization. Fixture guideline [Internet]. Geneva: WHO; "
        "2021 Mar [cited 2024 Mar 1]. Available from: https://www.example.org/guideline"
    )


def test_book_shows_the_year_only():
    ref = ReferenceData(kind="book", title="B", publisher="P", year=2002, month=5, day=3)
    assert format_reference(ref) == "B. P; 2002."


def test_guideline_online_is_cited_like_an_internet_book():
    ref = ReferenceData(
        kind="guideline",
        authors=[org("World Health Organization")],
        title="Fixture guideline",
        place="Geneva",
        publisher="WHO",
        year=2020,
        url="https://www.example.org/guideline",
        accessed_on=datetime.date(2024, 3, 1),
    )
    assert format_reference(ref) == (
        "World Health Organization. Fixture guideline [Internet]. Geneva: WHO; "
        "2020 [cited 2024 Mar 1]. Available from: https://www.example.org/guideline"
    )


def test_web_page_with_cited_date():
    ref = ReferenceData(
        kind="webpage",
        authors=[org("World Health Organization")],
        title="Motor neuron disease fact sheet",
        place="Geneva",
        publisher="World Health Organization",
        year=2023,
        month=5,
        day=2,
        url="https://www.example.org/fact-sheets/mnd",
        accessed_on=datetime.date(2024, 1, 5),
    )
    assert format_reference(ref) == (
        "World Health Organization. Motor neuron disease fact sheet [Internet]. "
        "Geneva: World Health Organization; 2023 May 2 [cited 2024 Jan 5]. "
        "Available from: https://www.example.org/fact-sheets/mnd"
    )


def test_web_page_without_date_or_publisher_uses_site_name():
    ref = ReferenceData(
        kind="webpage",
        title="Cramps",
        container_title="Test Health Site",
        url="https://www.example.org/cramps",
        accessed_on=datetime.date(2024, 12, 31),
    )
    assert format_reference(ref) == (
        "Cramps [Internet]. Test Health Site; [cited 2024 Dec 31]. "
        "Available from: https://www.example.org/cramps"
    )


BORKOWSKI = ReferenceData(
    kind="thesis",
    authors=[person("Borkowski", "MM")],
    title="Infant sleep and feeding: a telephone survey of Hispanic Americans",
    degree="dissertation",
    place="Mount Pleasant (MI)",
    publisher="Central Michigan University",
    year=2002,
)


def test_dissertation():
    """Citing Medicine, Chapter 7: the content type in brackets after the title."""
    assert format_reference(BORKOWSKI) == (
        "Borkowski MM. Infant sleep and feeding: a telephone survey of Hispanic Americans "
        "[dissertation]. Mount Pleasant (MI): Central Michigan University; 2002."
    )


@pytest.mark.parametrize(
    ("degree", "label"),
    [
        ("master's thesis", "[master's thesis]"),
        ("Masters", "[master's thesis]"),
        ("MSc", "[master's thesis]"),
        ("PhD", "[dissertation]"),
        ("Doctoral thesis", "[dissertation]"),
        ("Dissertation", "[dissertation]"),
        ("", "[thesis]"),
    ],
)
def test_thesis_degree_labels(degree, label):
    ref = ReferenceData(**{**BORKOWSKI.__dict__, "degree": degree})
    assert f"Hispanic Americans {label}. Mount Pleasant (MI)" in format_reference(ref)


def test_thesis_on_the_internet():
    """Citing Medicine, Chapter 24: "[dissertation on the Internet]", cited date, URL."""
    ref = ReferenceData(
        **{
            **BORKOWSKI.__dict__,
            "url": "https://example.org/thesis",
            "accessed_on": datetime.date(2006, 3, 10),
        }
    )
    assert format_reference(ref) == (
        "Borkowski MM. Infant sleep and feeding: a telephone survey of Hispanic Americans "
        "[dissertation on the Internet]. Mount Pleasant (MI): Central Michigan University; "
        "2002 [cited 2006 Mar 10]. Available from: https://example.org/thesis"
    )


# --- missing pieces --------------------------------------------------------------------------

SPARSE = [
    ReferenceData(title="Only a title"),
    ReferenceData(title="T", container_title="J"),
    ReferenceData(title="T", year=2000),
    ReferenceData(title="T", container_title="J", volume="3"),
    ReferenceData(title="T", container_title="J", issue="3"),
    ReferenceData(title="T", container_title="J", pages="1-9"),
    ReferenceData(title="T", container_title="J", month=3, day=4),
    ReferenceData(title="T", authors=[{"family": "", "given": ""}, {"literal": ""}]),
    ReferenceData(title="T.", container_title="J.", year=2000, volume="1", issue=""),
    ReferenceData(title="  Spaced   out \n title ", container_title=" J  Test ", year=2000),
    ReferenceData(kind="book", title="B"),
    ReferenceData(kind="book", title="B", place="London"),
    ReferenceData(kind="book", title="B", publisher="P"),
    ReferenceData(kind="book", title="B", year=2000),
    ReferenceData(kind="book", title="B", edition="3rd"),
    ReferenceData(kind="book", title="B", url="https://example.org"),
    ReferenceData(kind="chapter", title="C"),
    ReferenceData(kind="chapter", title="C", container_title="Book"),
    ReferenceData(kind="chapter", title="C", editors=[{"family": "Ed", "given": "A"}]),
    ReferenceData(kind="chapter", title="C", pages="5-9"),
    ReferenceData(kind="chapter", title="C", url="https://example.org"),
    ReferenceData(kind="guideline", title="G", authors=[{"literal": "Org Inc."}]),
    ReferenceData(kind="webpage", title="W"),
    ReferenceData(kind="webpage", title="W", url="https://example.org"),
    ReferenceData(kind="webpage", title="W", accessed_on=datetime.date(2024, 1, 1)),
    ReferenceData(kind="webpage", title="W", place="Geneva"),
    ReferenceData(kind="thesis", title="T"),
    ReferenceData(kind="thesis", title="T", degree="PhD", year=2000),
    ReferenceData(kind="journal", title="T", container_title="J", season="Spring"),
    ReferenceData(kind="webpage", title="W", season="Spring", year=2000),
]


@pytest.mark.parametrize("ref", SPARSE, ids=range(len(SPARSE)))
def test_missing_pieces_leave_no_stray_punctuation(ref):
    text = format_reference(ref)
    assert_clean(text)
    assert text.endswith((".", "https://example.org"))
    html_text = format_reference_html(ref)
    assert ".." not in html_text and "  " not in html_text


def test_missing_pieces_exact_outputs():
    assert format_reference(ReferenceData(title="Only a title")) == "Only a title."
    assert format_reference(ReferenceData(title="T", container_title="J", volume="3")) == (
        "T. J. 3."
    )
    assert format_reference(ReferenceData(kind="book", title="B", place="London")) == ("B. London.")
    assert format_reference(ReferenceData(kind="chapter", title="C", pages="5-9")) == ("C. p. 5-9.")
    assert format_reference(
        ReferenceData(kind="guideline", title="G", authors=[{"literal": "Org Inc."}])
    ) == ("Org Inc. G.")


def test_duck_typed_model_like_object_with_nones():
    """A Django model instance has None in nullable fields (doi, pmid, year...)."""
    ref = SimpleNamespace(
        kind="journal",
        authors=[{"family": "Jansen", "given": "PH"}],
        editors=[],
        title="A title",
        container_title="J Test",
        publisher="",
        place="",
        edition="",
        year=None,
        month=None,
        day=None,
        volume="",
        issue="",
        pages="",
        doi=None,
        pmid=None,
        pmcid="",
        url="",
        accessed_on=None,
        in_press=False,
        retracted=False,
    )
    assert format_reference(ref) == "Jansen PH. A title. J Test."
    assert format_reference_html(ref) == "Jansen PH. A title. J Test."


# --- HTML -------------------------------------------------------------------------------------


def test_html_links_doi_and_pmid():
    html_text = format_reference_html(DE_CARVALHO)
    assert html_text == (
        "de Carvalho M, Swash M. Cramps, muscle pain, and fasciculations: not always benign? "
        "Neurology. 2004;63(4):721-3. "
        '<a href="https://doi.org/10.1212/01.wnl.0000134657.71212.2e">'
        "doi:10.1212/01.wnl.0000134657.71212.2e</a>. "
        '<a href="https://pubmed.ncbi.nlm.nih.gov/15326253/">PMID: 15326253</a>.'
    )


def test_html_escapes_script_in_title():
    ref = ReferenceData(
        authors=[person("O'Brien", "A")],
        title="<script>alert(1)</script> & friends",
        container_title='J "Quoted"',
        year=2020,
        doi='10.1000/"><script>x</script>',
    )
    html_text = format_reference_html(ref)
    assert "<script>" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends" in html_text
    assert "O&#x27;Brien" in html_text
    assert "J &quot;Quoted&quot;" in html_text
    # Only our own tags survive: the two attributes of the DOI link are quoted safely.
    assert re.findall(r"<(/?\w+)", html_text) == ["a", "/a"]
    # The plain-text version is not escaped (it is not HTML).
    assert "<script>alert(1)</script>" in format_reference(ref)


def test_html_links_only_http_urls():
    safe = ReferenceData(kind="webpage", title="W", url="https://example.org/a?b=1&c=2")
    assert (
        'Available from: <a href="https://example.org/a?b=1&amp;c=2">'
        "https://example.org/a?b=1&amp;c=2</a>"
    ) in format_reference_html(safe)
    unsafe = ReferenceData(kind="webpage", title="W", url="javascript:alert(1)")
    html_text = format_reference_html(unsafe)
    assert "<a" not in html_text
    assert "Available from: javascript:alert(1)" in html_text


# --- pieces ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("102-104", "102-4"),
        ("1887-1895", "1887-95"),
        ("721-723", "721-3"),
        ("721-3", "721-3"),
        ("e123", "e123"),
        ("123", "123"),
        ("99-101", "99-101"),
        ("93-113", "93-113"),
        ("1-9", "1-9"),
        ("12-19", "12-9"),
        ("100-100", "100"),
        ("102–104", "102-4"),
        ("102 - 104", "102-4"),
        ("S12-S14", "S12-4"),
        ("e123-e125", "e123-5"),
        ("1-9, 12-19", "1-9, 12-9"),
        ("xii-xv", "xii-xv"),
        ("", ""),
    ],
)
def test_abbreviate_pages(pages, expected):
    assert abbreviate_pages(pages) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ((2022, 1, None), "2022 Jan"),
        ((2022, 1, 5), "2022 Jan 5"),
        ((2022, None, 5), "2022"),
        ((None, 1, 5), ""),
        ((2022, 13, None), "2022"),
    ],
)
def test_format_date(parts, expected):
    assert format_date(*parts) == expected
