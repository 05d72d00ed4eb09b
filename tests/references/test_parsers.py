"""Tests for kb.importers: RIS, BibTeX, MEDLINE and CSL-JSON parsing and format detection."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from kb.importers import (
    PARSERS,
    ParseResult,
    UnreadableFile,
    bibtex,
    csljson,
    decode_upload,
    detect_format,
    medline,
    parse_file,
    ris,
)
from kb.refdata import normalise_title
from kb.vancouver import format_reference

FIXTURES = Path(__file__).parent / "fixtures"
CANONICAL_DOI = "10.1212/01.wnl.0000134657.71212.2e"
SAMPLES = {
    "ris": "sample.ris",
    "bibtex": "sample.bib",
    "medline": "sample.nbib",
    "csljson": "sample.json",
}


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parsed(file_format: str) -> ParseResult:
    return PARSERS[file_format](fixture(SAMPLES[file_format]))


def by_title(result: ParseResult, start: str):
    matches = [r for r in result.records if r.data.title.lower().startswith(start.lower())]
    assert len(matches) == 1, [r.data.title for r in result.records]
    return matches[0]


def all_names(result: ParseResult) -> set[str]:
    names = set()
    for record in result.records:
        for person in [*record.data.authors, *record.data.editors]:
            names.add(person.get("family") or person.get("literal"))
    return names


# --- across formats ------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", SAMPLES)
def test_every_sample_parses_without_errors(file_format):
    result = parsed(file_format)
    assert result.errors == []
    assert len(result.records) >= 3
    assert [r.position for r in result.records] == list(range(1, len(result.records) + 1))


@pytest.mark.parametrize("file_format", SAMPLES)
def test_same_article_gets_the_same_identifiers_in_every_format(file_format):
    record = by_title(parsed(file_format), "Cramps, muscle pain")
    data = record.data
    assert data.doi == CANONICAL_DOI
    assert data.pmid == "15326253"
    assert data.kind == "journal"
    assert normalise_title(data.title) == (
        "cramps muscle pain and fasciculations not always benign"
    )
    assert data.authors == [
        {"family": "de Carvalho", "given": "M"},
        {"family": "Swash", "given": "M"},
    ]
    assert data.container_title == "Neurology"
    assert (data.year, data.month) == (2004, 8)
    assert (data.volume, data.issue) == ("63", "4")
    assert data.pages in ("721-723", "721-3")


def test_same_article_formats_identically_from_every_source():
    texts = {
        fmt: format_reference(by_title(parsed(fmt), "Cramps, muscle pain").data)
        for fmt in ("ris", "medline", "csljson")
    }
    expected = (
        "de Carvalho M, Swash M. Cramps, muscle pain, and fasciculations: not always benign? "
        "Neurology. 2004 Aug 24;63(4):721-3. doi:10.1212/01.wnl.0000134657.71212.2e. "
        "PMID: 15326253."
    )
    assert texts == dict.fromkeys(texts, expected)


@pytest.mark.parametrize("file_format", SAMPLES)
def test_non_ascii_names_survive(file_format):
    result = parsed(file_format)
    assert {"Gonçalves", "Østergaard"} <= all_names(result)
    fixture_article = by_title(result, "A fictional cohort study")
    assert fixture_article.data.authors[:2] == [
        {"family": "Gonçalves", "given": "AM"},
        {"family": "Østergaard", "given": "L"},
    ]
    assert fixture_article.data.doi == "10.5555/test.2021.001"


@pytest.mark.parametrize("file_format", SAMPLES)
def test_chapter_with_editors_in_every_format(file_format):
    chapter = by_title(parsed(file_format), "Fasciculations").data
    assert chapter.kind == "chapter"
    assert chapter.container_title == "Textbook of test neurology"
    assert chapter.editors == [
        {"family": "Gonçalves", "given": "A"},
        {"family": "Østergaard", "given": "L"},
    ]
    assert (chapter.publisher, chapter.place, chapter.year) == ("Test Press", "London", 2019)
    assert chapter.edition in ("2nd", "2")


@pytest.mark.parametrize("file_format", SAMPLES)
def test_detect_format_of_each_sample(file_format):
    assert detect_format(SAMPLES[file_format], fixture(SAMPLES[file_format])) == file_format
    # Content wins over a misleading or missing extension.
    assert detect_format("export.dat", fixture(SAMPLES[file_format])) == file_format


@pytest.mark.parametrize("file_format", SAMPLES)
@pytest.mark.parametrize("text", ["", "   \n\n  ", "\x00\x01PK\x03\x04 binary"])
def test_empty_or_binary_input_is_unreadable(file_format, text):
    with pytest.raises(UnreadableFile):
        PARSERS[file_format](text)


@pytest.mark.parametrize("file_format", SAMPLES)
def test_wrong_format_is_unreadable(file_format):
    other = {"ris": "sample.bib", "bibtex": "sample.ris", "medline": "sample.json"}
    other["csljson"] = "sample.nbib"
    with pytest.raises(UnreadableFile):
        PARSERS[file_format](fixture(other[file_format]))


def test_medline_parser_refuses_ris_with_the_same_line_shape():
    with pytest.raises(UnreadableFile, match="No MEDLINE records"):
        medline.parse(fixture("sample.ris"))


def test_parse_file_detects_and_parses():
    file_format, result = parse_file("pubmed-export.txt", fixture("sample.nbib"))
    assert file_format == "medline"
    assert len(result.records) == 3


# --- RIS -----------------------------------------------------------------------------------


def test_ris_details():
    result = parsed("ris")
    article = by_title(result, "Cramps").data
    assert (article.year, article.month, article.day) == (2004, 8, 24)
    assert by_title(result, "Cramps").key == "decarvalho2004"

    cohort = by_title(result, "A fictional cohort study").data
    assert cohort.title.endswith("benign fasciculations, written only as a parser test fixture")
    assert cohort.container_title == "Journal of Test Fixtures"
    assert cohort.pages == "1887-1895"  # en dash normalised
    assert (cohort.month, cohort.day) == (3, 15)

    web = by_title(result, "Motor neuron disease").data
    assert web.kind == "webpage"
    assert web.authors == [{"literal": "World Health Organization"}]
    assert web.url == "https://www.example.org/fact-sheets/mnd"
    assert web.accessed_on == datetime.date(2024, 1, 5)
    assert (web.place, web.publisher) == ("Geneva", "World Health Organization")


def test_ris_partly_broken_keeps_the_valid_records():
    result = ris.parse(fixture("partly_broken.ris"))
    assert [r.position for r in result.records] == [1, 3]
    assert len(result.errors) == 1
    assert result.errors[0].position == 2
    assert "title" in result.errors[0].message
    assert "Østergaard" in result.errors[0].message
    assert result.records[1].data.authors == [{"family": "Gonçalves", "given": "A"}]


def test_ris_last_record_without_er_and_single_space_tags():
    text = (
        "TY - JOUR\nAU - Smith, John\nTI - First\nER - \n\n"
        "TY  - BOOK\nAU  - Doe, Jane\nTI  - Second\nPY  - 2001\nPB  - P\n"
    )
    result = ris.parse(text)
    assert [r.data.title for r in result.records] == ["First", "Second"]
    assert result.records[1].data.kind == "book"


def test_ris_missing_er_does_not_swallow_the_next_record():
    text = "TY  - JOUR\nTI  - First\n\nTY  - JOUR\nTI  - Second\nER  - \n"
    assert [r.data.title for r in ris.parse(text).records] == ["First", "Second"]


def test_ris_crlf_bom_and_identifiers_from_notes_and_urls():
    text = (
        "\ufeffTY  - JOUR\r\nT1  - Windows file\r\nJF  - J Test\r\nY1  - 2010///\r\n"
        "UR  - https://doi.org/10.5555/ABC\r\nUR  - https://example.org/full\r\n"
        "N1  - PMID: 123456; PMCID: PMC654321\r\nER  - \r\n"
    )
    data = ris.parse(text).records[0].data
    assert data.title == "Windows file"
    assert data.year == 2010
    assert data.doi == "10.5555/abc"
    assert data.url == "https://example.org/full"
    assert (data.pmid, data.pmcid) == ("123456", "PMC654321")


def test_ris_accession_number_is_pmid_only_for_pubmed():
    base = "TY  - JOUR\nTI  - T\nAN  - 15326253\n{}ER  - \n"
    assert ris.parse(base.format("DB  - PubMed\n")).records[0].data.pmid == "15326253"
    assert ris.parse(base.format("DB  - Embase\n")).records[0].data.pmid == ""


@pytest.mark.parametrize(
    ("type_code", "kind"),
    [
        ("JOUR", "journal"),
        ("BOOK", "book"),
        ("CHAP", "chapter"),
        ("RPRT", "guideline"),
        ("ELEC", "webpage"),
        ("WEB", "webpage"),
    ],
)
def test_ris_type_mapping(type_code, kind):
    result = ris.parse(f"TY  - {type_code}\nTI  - T\nER  - \n")
    assert result.records[0].data.kind == kind


def test_ris_generic_and_in_press():
    gen = ris.parse("TY  - GEN\nTI  - T\nJO  - J\nVL  - 2\nER  - \n").records[0].data
    assert gen.kind == "journal"
    web = ris.parse("TY  - GEN\nTI  - T\nUR  - https://example.org\nER  - \n").records[0].data
    assert web.kind == "webpage"
    inpr = ris.parse("TY  - INPR\nTI  - T\nJO  - J\nPY  - 2025\nER  - \n").records[0].data
    assert inpr.in_press and inpr.kind == "journal"
    press = ris.parse("TY  - JOUR\nTI  - T\nPY  - In press\nER  - \n").records[0].data
    assert press.in_press and press.year is None


def test_ris_organisation_detection():
    text = (
        "TY  - RPRT\nAU  - National Institute for Health and Care Excellence\n"
        "AU  - Smith, John\nAU  - Jansen PH\nTI  - Guideline\nER  - \n"
    )
    assert ris.parse(text).records[0].data.authors == [
        {"literal": "National Institute for Health and Care Excellence"},
        {"family": "Smith", "given": "J"},
        {"family": "Jansen", "given": "PH"},
    ]


# --- BibTeX --------------------------------------------------------------------------------


def test_bibtex_details():
    result = parsed("bibtex")
    article = by_title(result, "Cramps")
    assert article.key == "decarvalho2004"
    assert article.data.title == "Cramps, muscle pain, and fasciculations: Not always benign?"
    assert article.data.container_title == "Neurology"  # from @string
    assert article.data.pages == "721-723"

    guideline = by_title(result, "Motor neurone disease").data
    assert guideline.kind == "guideline"
    assert guideline.authors == [{"literal": "National Institute for Health and Care Excellence"}]
    assert (guideline.publisher, guideline.place) == ("NICE", "London")

    web = by_title(result, "Motor neuron disease fact sheet").data
    assert web.kind == "webpage"
    assert web.authors == [{"literal": "World Health Organization"}]
    # "%" and "&" in URLs are not LaTeX.
    assert web.url == "https://www.example.org/fact-sheets/mnd?lang=en&x=50%25"
    assert web.accessed_on == datetime.date(2024, 1, 5)


def test_bibtex_latex_decoding():
    text = r"""
@book{test,
  author = {M{\"u}ller, J{\"o}rg and Gon\c{c}alves, Ana and {\o}rsted, {\AA}se},
  title = {Reducing {MRI} use by 50% and 20\% in $\alpha$-synuclein disease \& more},
  publisher = {Test \& Sons},
  year = {2020},
}
"""
    data = bibtex.parse(text).records[0].data
    assert data.authors == [
        {"family": "Müller", "given": "J"},
        {"family": "Gonçalves", "given": "A"},
        {"family": "ørsted", "given": "Å"},
    ]
    assert data.title == "Reducing MRI use by 50% and 20% in α-synuclein disease & more"
    assert data.publisher == "Test & Sons"


def test_bibtex_broken_entry_does_not_stop_the_others():
    text = """
@article{good1, title = {First}, journal = {J}, year = 2001}
@article{bad, title = {Unclosed, journal = {J}
@article{good2, title = {Second}, journal = {J}, year = 2002}
@article{notitle, journal = {J}, year = 2003, author = {{\\O}stergaard, Lars}}
"""
    result = bibtex.parse(text)
    assert [(r.position, r.key, r.data.title) for r in result.records] == [
        (1, "good1", "First"),
        (3, "good2", "Second"),
    ]
    assert [e.position for e in result.errors] == [2, 4]
    assert "line" in result.errors[0].message
    assert "title" in result.errors[1].message and "notitle" in result.errors[1].message


def test_bibtex_duplicate_keys_are_both_imported():
    text = "@article{k, title={One}}\n@article{k, title={Two}}\n"
    result = bibtex.parse(text)
    assert [r.data.title for r in result.records] == ["One", "Two"]
    assert result.errors == []


def test_bibtex_identifiers_dates_and_status():
    text = """
@article{x,
  title = {In press paper}, journaltitle = {J Test}, date = {2024-02-03},
  eprint = {15326253}, eprinttype = {pubmed}, pmcid = {pmc42},
  url = {https://doi.org/10.5555/XYZ}, pubstate = {inpress},
}
"""
    data = bibtex.parse(text).records[0].data
    assert (data.year, data.month, data.day) == (2024, 2, 3)
    assert data.container_title == "J Test"
    assert (data.pmid, data.pmcid, data.doi, data.url) == ("15326253", "PMC42", "10.5555/xyz", "")
    assert data.in_press


def test_bibtex_empty_file_is_unreadable():
    with pytest.raises(UnreadableFile):
        bibtex.parse(fixture("empty.bib"))
    with pytest.raises(UnreadableFile, match="No BibTeX entries"):
        bibtex.parse("% only a comment\nSome prose, no entries.\n")


# --- MEDLINE ---------------------------------------------------------------------------------


def test_medline_details():
    result = parsed("medline")
    article = by_title(result, "Cramps").data
    assert (article.year, article.month, article.day) == (2004, 8, 24)
    assert article.pages == "721-3"
    assert article.place == ""  # PL is the journal's country, not a place of publication
    assert not article.retracted

    cohort = by_title(result, "A fictional cohort study").data
    # Continuation line joined, MEDLINE's closing full stop removed.
    assert cohort.title == (
        "A fictional cohort study of benign fasciculations, written only as a parser test fixture"
    )
    assert cohort.container_title == "J Test Fixtures"  # TA preferred over JT
    assert cohort.authors[2] == {"literal": "Test Fixture Study Group"}
    assert cohort.retracted
    assert cohort.pmcid == "PMC1234567"
    assert cohort.pmid == "99999999"

    chapter = by_title(result, "Fasciculations").data
    assert chapter.pmid == "11111111"


def test_medline_without_blank_lines_and_au_only():
    text = (
        "PMID- 1\nTI  - First.\nAU  - Jansen PH\nDP  - 1991 Spring\n"
        "PMID- 2\nTI  - Second.\nCN  - Some Group\nDP  - 1992 Aug-Sep\n"
    )
    result = medline.parse(text)
    first, second = (r.data for r in result.records)
    assert first.authors == [{"family": "Jansen", "given": "PH"}]
    assert (first.year, first.month) == (1991, None)
    assert second.authors == [{"literal": "Some Group"}]
    assert (second.year, second.month) == (1992, 8)


def test_medline_record_without_title_is_an_error():
    text = "PMID- 1\nTI  - Good.\n\nPMID- 2\nAU  - Jansen PH\n"
    result = medline.parse(text)
    assert [r.position for r in result.records] == [1]
    assert result.errors[0].position == 2 and "PMID 2" in result.errors[0].message


# --- CSL-JSON --------------------------------------------------------------------------------


def test_csljson_details():
    result = parsed("csljson")
    assert by_title(result, "Cramps").key == "decarvalho2004"
    cohort = by_title(result, "A fictional cohort study").data
    assert (cohort.year, cohort.month, cohort.day) == (2021, 3, 15)  # string date-parts
    assert cohort.volume == "12"  # number in JSON
    assert cohort.container_title == "J Test Fixtures"  # abbreviation, stops removed
    assert cohort.pages == "1887-1895"
    assert cohort.pmcid == "PMC1234567"

    web = by_title(result, "Motor neuron disease").data
    assert web.kind == "webpage"
    assert web.accessed_on == datetime.date(2024, 1, 5)
    assert web.url == "https://www.example.org/fact-sheets/mnd"

    in_press = by_title(result, "An accepted fixture article").data
    assert in_press.in_press
    assert format_reference(in_press).endswith("Journal of Test Fixtures. Forthcoming 2025.")


def test_csljson_single_object_and_item_errors():
    single = csljson.parse('{"type": "book", "title": "Alone", "issued": {"raw": "2001"}}')
    assert single.records[0].data.kind == "book" and single.records[0].data.year == 2001
    mixed = csljson.parse('[{"type": "book", "title": "Good"}, {"type": "book"}, 3]')
    assert [r.position for r in mixed.records] == [1]
    assert [e.position for e in mixed.errors] == [2, 3]


def test_csljson_broken_json_is_unreadable():
    with pytest.raises(UnreadableFile, match="not valid JSON"):
        csljson.parse(fixture("broken.json"))


@pytest.mark.parametrize("text", ['"just a string"', "[]", "{}", "[1, 2]", '{"a": 1}'])
def test_csljson_without_items_is_unreadable(text):
    with pytest.raises(UnreadableFile):
        csljson.parse(text)


# --- detection and decoding ------------------------------------------------------------------


def test_detect_format_uses_extension_as_tiebreak():
    # A BibTeX file whose abstract happens to contain a RIS-looking line.
    text = "@article{k,\n  title = {T},\n  abstract = {x\nTY  - JOUR\n}\n}\n"
    assert detect_format("refs.bib", text) == "bibtex"
    assert detect_format("refs.ris", text) == "ris"
    assert detect_format("refs", text) == "bibtex"  # earliest signature wins


@pytest.mark.parametrize("text", ["Hello world", "%PDF-1.4 blah", "\x00\x00binary"])
def test_detect_format_refuses_unknown_content(text):
    with pytest.raises(UnreadableFile):
        detect_format("refs.ris", text)


def test_decode_upload():
    assert decode_upload("Gonçalves".encode()).text == "Gonçalves"
    assert decode_upload("\ufeffØstergaard".encode()).text == "Østergaard"
    assert decode_upload("Gonçalves".encode("cp1252")).text == "Gonçalves"
    with pytest.raises(UnreadableFile):
        decode_upload(b"%PDF\x00\x01\x02")
    with pytest.raises(UnreadableFile):
        decode_upload(b"")
