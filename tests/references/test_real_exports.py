"""Records as real exporters write them (Embase, Web of Science, APA PsycNET, EndNote, Zotero),
read without losing or misreading anything, and imported with what had to be left out said."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from kb.importers import UnreadableFile, bibtex, csljson, decode_upload, medline, ris
from kb.importers.bibtex import decode_latex
from kb.models import Reference
from kb.refdata import parse_author_name
from kb.reference_import import import_references
from kb.vancouver import thesis_type

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def records_by_key(result) -> dict:
    return {record.key: record.data for record in result.records}


def by_title(result, start: str):
    matches = [r.data for r in result.records if r.data.title.startswith(start)]
    assert len(matches) == 1, [r.data.title for r in result.records]
    return matches[0]


# --- 1. "Surname I." authors ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "family", "given"),
    [
        ("Liu R.", "Liu", "R"),
        ("Liu R", "Liu", "R"),
        ("Adler D.G.", "Adler", "DG"),
        ("Adler DG", "Adler", "DG"),
        ("Adler D. G.", "Adler", "DG"),
        ("Dupont J.-P.", "Dupont", "JP"),
        ("van der Berg H.J.", "van der Berg", "HJ"),
        ("Adler D.G. Jr.", "Adler", "DG Jr"),
        # The other spellings keep working.
        ("Adler, Douglas G.", "Adler", "DG"),
        ("Douglas G. Adler", "Adler", "DG"),
        ("D. G. Adler", "Adler", "DG"),
        ("Mamede de Carvalho", "de Carvalho", "M"),
        ("van Dijck JA", "van Dijck", "JA"),
    ],
)
def test_family_name_then_initials_with_stops(raw, family, given):
    assert parse_author_name(raw) == {"family": family, "given": given}


def test_embase_authors_are_family_name_and_initials_in_order_with_namesakes():
    data = ris.parse(fixture("embase.ris")).records[0].data
    assert data.authors == [
        {"family": "Liu", "given": "R"},
        {"family": "Adler", "given": "DG"},
        {"family": "Wang", "given": "Y"},
        {"family": "Wang", "given": "Y"},
    ]


def test_bibtex_names_written_family_name_then_initials():
    names = "Liu R. and Adler D. G. and Adler DG and {\\O}stergaard L. and Pieter H. Jansen"
    assert bibtex.parse_names(names) == [
        {"family": "Liu", "given": "R"},
        {"family": "Adler", "given": "DG"},
        {"family": "Adler", "given": "DG"},
        {"family": "Østergaard", "given": "L"},
        {"family": "Jansen", "given": "PH"},
    ]


# --- 4. RIS tags the parser does not know --------------------------------------------------


def test_apa_psycnet_pmid_tag_after_ty_is_read_not_fatal():
    result = ris.parse(fixture("apa_psycnet.ris"))
    assert result.errors == []
    data = result.records[0].data
    assert data.title == "Childhood self-control and adult health outcomes in a birth cohort"
    assert data.pmid == "33355555"
    assert data.authors == [
        {"family": "Moffitt", "given": "TE"},
        {"family": "Caspi", "given": "A"},
    ]


def test_ris_unknown_long_tags_and_stray_lines_are_ignored():
    text = (
        "TY  - JOUR\nXYZW  - something a tool added\nwrapped text with no tag\n"
        "AU  - Caspi, Avshalom\nTI  - Self-control in adolescence\nPY  - 2019\nER  - \n"
    )
    result = ris.parse(text)
    assert result.errors == []
    assert result.records[0].data.title == "Self-control in adolescence"


def test_ris_record_that_cannot_be_read_gets_a_sentence_not_none(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError(None)

    monkeypatch.setattr(ris.rispy, "loads", broken)
    result = ris.parse(fixture("apa_psycnet.ris"))
    message = result.errors[0].message
    assert "None" not in message and "KeyError" not in message
    assert "line 1" in message


# --- 5. LaTeX in BibTeX ----------------------------------------------------------------------


def test_zotero_latex_escapes_become_unicode_keeping_their_text():
    result = bibtex.parse(fixture("zotero.bib"))
    entries = records_by_key(result)
    assert entries["okoro_mortality_2021"].title == (
        "Mortality in children <5 years with HbA1c >7%: a registry study"
    )
    assert entries["fischer_tnf_2019"].title == (
        "TNF-α blockade and cramps: managing references with BibTeX and TeX in meta-analyses"
    )


def test_font_and_spacing_commands_leave_no_trace():
    assert decode_latex(
        r"{\em Escherichia coli} and {\it in vivo}\protect\relax{} {\sc Hba}\newline cramps"
    ) == ("Escherichia coli and in vivo Hba cramps")


def test_unknown_latex_macros_keep_their_text():
    assert decode_latex(r"Effects of \foreignword{enzyme} in \Oddname\ cells") == (
        "Effects of enzyme in Oddname cells"
    )


# --- 6. @string and # ----------------------------------------------------------------------


def test_bibtex_concatenation_and_string_macros_are_expanded():
    data = records_by_key(bibtex.parse(fixture("zotero.bib")))["jansen_signalling_2020"]
    assert data.title == "Signalling in muscle"
    assert data.container_title == "Proc Natl Acad Sci U S A"


# --- 7. namesakes ----------------------------------------------------------------------------


def test_namesakes_kept_in_every_format():
    wangs = [{"family": "Wang", "given": "Y"}, {"family": "Wang", "given": "Y"}]
    bib = records_by_key(bibtex.parse(fixture("zotero.bib")))["okoro_mortality_2021"]
    assert bib.authors[1:] == wangs
    csl = by_title(csljson.parse(fixture("zotero.json")), "Mortality")
    assert csl.authors[1:] == wangs
    nbib = (
        "PMID- 33555555\nTI  - Mortality in children.\n"
        "FAU - Okoro, Ngozi\nAU  - Okoro N\nFAU - Wang, Yan\nAU  - Wang Y\n"
        "FAU - Wang, Yan\nAU  - Wang Y\nTA  - Diabetes Care\nDP  - 2021 May\n"
    )
    assert medline.parse(nbib).records[0].data.authors[1:] == wangs
    both_tags = "TY  - JOUR\nAU  - Wang, Yan\nAU  - Wang, Yan\nA1  - Wang, Yan\nTI  - T\nER  - \n"
    assert ris.parse(both_tags).records[0].data.authors == wangs


def test_ris_editors_given_under_ed_and_a2_are_each_kept_once():
    text = (
        "TY  - CHAP\nAU  - Swash, Michael\nTI  - Fasciculations\nT2  - Textbook of neurology\n"
        "ED  - Wang, Yan\nED  - Wang, Yan\nA2  - Wang, Yan\nA2  - Wang, Yan\nPY  - 2019\nER  - \n"
    )
    wangs = [{"family": "Wang", "given": "Y"}, {"family": "Wang", "given": "Y"}]
    assert ris.parse(text).records[0].data.editors == wangs


# --- 8. encoding -----------------------------------------------------------------------------

UTF8_RECORD = (
    "TY  - JOUR\nAU  - Lefèvre, Hélène\nTI  - Café consumption and nocturnal cramps\n"
    "PY  - 2018\nER  - \n"
)


def test_utf8_file_with_one_bad_byte_stays_utf8_and_says_where():
    raw = UTF8_RECORD.encode("utf-8").replace(b"nocturnal", b"noct\x92urnal")
    decoded = decode_upload(raw)
    assert "Café consumption" in decoded.text
    assert "Lefèvre, Hélène" in decoded.text
    assert decoded.encoding == "UTF-8"
    assert len(decoded.notes) == 1
    offset = raw.index(b"\x92")
    assert f"line 3 (byte offset {offset})" in decoded.notes[0]


def test_bom_is_dropped():
    decoded = decode_upload(b"\xef\xbb\xbf" + UTF8_RECORD.encode("utf-8"))
    assert decoded.text.startswith("TY  - JOUR")
    assert decoded.notes == []


def test_whole_windows_1252_file_is_read_as_such_and_says_so():
    decoded = decode_upload(UTF8_RECORD.replace("Café", "Café’s").encode("cp1252"))
    assert "Lefèvre, Hélène" in decoded.text and "Café’s" in decoded.text
    assert decoded.encoding == "Windows-1252"
    assert "Windows-1252" in decoded.notes[0]


# --- 9. journal abbreviations ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["wos.ris", "embase.ris"])
def test_ris_journal_abbreviation_without_full_stops(name):
    data = ris.parse(fixture(name)).records[0].data
    assert data.container_title == "World J Gastroenterol"


def test_zotero_ris_journal_abbreviation_in_jo_loses_its_full_stops():
    text = (
        "TY  - JOUR\nTI  - Plastic versus metal stents\nAU  - Adler, Douglas G.\n"
        "T2  - World Journal of Gastroenterology\nJO  - World J. Gastroenterol.\n"
        "PY  - 2021\nER  - \n"
    )
    assert ris.parse(text).records[0].data.container_title == "World J Gastroenterol"


# --- 10. organisations ---------------------------------------------------------------------------


def test_organisations_without_a_given_name_are_literal_authors():
    entries = records_by_key(bibtex.parse(fixture("zotero.bib")))
    software = entries["the_scikit-image_contributors_scikit-image_2024"]
    assert software.authors == [{"literal": "the scikit-image contributors"}]
    assert entries["who_cramps_2022"].authors == [{"literal": "World Health Organization"}]
    csl = by_title(csljson.parse(fixture("zotero.json")), "scikit-image")
    assert csl.authors == [{"literal": "the scikit-image contributors"}]
    text = "TY  - COMP\nAU  - the scikit-image contributors\nTI  - scikit-image\nER  - \n"
    assert ris.parse(text).records[0].data.authors == [{"literal": "the scikit-image contributors"}]


def test_a_person_whose_given_name_is_the_is_still_a_person():
    # Vietnamese "Thế Anh" as ASCII-only exports write it.
    text = "TY  - JOUR\nAU  - The Anh Nguyen\nTI  - Cramps in dialysis\nER  - \n"
    assert ris.parse(text).records[0].data.authors == [{"family": "Nguyen", "given": "TA"}]


# --- CSL-JSON nesting ------------------------------------------------------------------------


def test_deeply_nested_csl_json_is_unreadable_with_a_message():
    with pytest.raises(UnreadableFile, match="nested"):
        csljson.parse("[" * 100_000 + "]" * 100_000)


# --- theses ------------------------------------------------------------------------------------


def test_theses_import_as_theses_in_every_format():
    ris_thesis = by_title(ris.parse(fixture("endnote.ris")), "Muscle cramps in chronic")
    csl_thesis = by_title(csljson.parse(fixture("zotero.json")), "Muscle cramps in chronic")
    entries = records_by_key(bibtex.parse(fixture("zotero.bib")))
    for data in (ris_thesis, csl_thesis, entries["nguyen_cramps_2019"]):
        assert data.kind == "thesis"
        assert (data.publisher, data.place, data.year) == (
            "University of Melbourne",
            "Melbourne",
            2019,
        )
        assert data.container_title == ""
        assert thesis_type(degree=data.degree) == "dissertation"  # "PhD thesis", any case
    masters = entries["berg_cramps_2017"]
    assert (masters.kind, masters.publisher, masters.place) == (
        "thesis",
        "University of Oslo",
        "Oslo",
    )
    assert thesis_type(degree=masters.degree) == "master's thesis"


# --- 3. a bad field costs the field, not the record (with the database) ----------------------


@pytest.mark.django_db
def test_endnote_bad_fields_are_left_out_or_shortened_and_reported():
    report = import_references(text=fixture("endnote.ris"), filename="endnote.ris")
    assert [line.outcome for line in report.lines] == ["created"] * 4
    proxy, two_urls, supplement, thesis = (
        Reference.objects.get(title__startswith=start)
        for start in ("Nocturnal leg", "Quinine", "Magnesium", "Muscle cramps in chronic")
    )
    assert proxy.url == ""
    assert "ezproxy_lib" in " ".join(report.lines[0].notes)
    assert two_urls.url == "https://bjgp.org/content/66/650/e629"
    assert "PMC5033288" in " ".join(report.lines[1].notes)
    assert supplement.issue.startswith("Supplement 2: Abstracts of the 27th")
    assert len(supplement.issue) <= 50
    assert "issue" in " ".join(report.lines[2].notes)
    assert thesis.kind == "thesis"


@pytest.mark.django_db
def test_bibtex_endnote_isi_link_is_left_out_not_the_record():
    report = import_references(text=fixture("zotero.bib"), filename="zotero.bib")
    assert report.skipped == 0, [line.reason for line in report.lines]
    line = next(line for line in report.lines if line.title.startswith("Magnesium"))
    assert line.outcome == "created"
    assert "Go to ISI" in " ".join(line.notes)
    assert Reference.objects.get(title__startswith="Magnesium").url == ""


@pytest.mark.django_db
def test_command_prints_notes_and_encoding(tmp_path, capsys):
    path = tmp_path / "endnote.ris"
    raw = fixture("endnote.ris").encode("utf-8").replace(b"Quinine", b"Quin\xefine", 1)
    path.write_bytes(raw.replace(b"Brennan", "Brénnan".encode(), 1))
    call_command("import_references", str(path))
    out = capsys.readouterr().out
    assert "not valid UTF-8" in out and "line 16" in out
    assert "ezproxy_lib" in out
    assert "4 created" in out


@pytest.mark.django_db
def test_desk_import_shows_notes_and_encoding(client, author, tmp_path):
    client.force_login(author)
    path = tmp_path / "endnote.ris"
    text = fixture("endnote.ris").replace("Brennan, Siobhan", "Ó Briain, Siobhán")
    path.write_bytes(text.encode("cp1252"))
    with open(path, "rb") as handle:
        response = client.post(reverse("admin:kb_reference_import"), {"file": handle})
    html = response.content.decode()
    assert "Windows-1252" in html
    assert "ezproxy_lib" in html
    assert Reference.objects.count() == 4
    families = [a.get("family") for r in Reference.objects.all() for a in r.authors]
    assert families.count("Ó Briain") == 2


# --- skip reasons are sentences ---------------------------------------------------------------


def test_bibtex_entry_that_cannot_be_parsed_says_why():
    text = (
        "@article{okoro_mortality_2021,\n\ttitle = {Mortality in children {\\textless}5 years,\n"
        "\tyear = {2021},\n}\n\n"
        "@article{fischer_tnf_2019,\n\ttitle = {TNF blockade and cramps},\n\tyear = {2019},\n}\n"
    )
    result = bibtex.parse(text)
    assert [r.key for r in result.records] == ["fischer_tnf_2019"]
    message = result.errors[0].message
    assert "line 1" in message
    assert "Was still looking for field-value closing" in message
    assert message.endswith(".") and not message.endswith(": .")


@pytest.mark.parametrize(
    ("parser", "converter", "name"),
    [
        (bibtex, "_entry_to_data", "zotero.bib"),
        (csljson, "_item_to_data", "zotero.json"),
        (medline, "_record_to_data", "sample.nbib"),
    ],
)
def test_record_that_cannot_be_converted_gets_a_sentence(monkeypatch, parser, converter, name):
    def broken(*args, **kwargs):
        raise KeyError(None)

    monkeypatch.setattr(parser, converter, broken)
    message = parser.parse(fixture(name)).errors[0].message
    assert "None" not in message and "KeyError" not in message
    assert message.endswith(".")


@pytest.mark.django_db
def test_csl_json_two_urls_keep_the_first_and_say_so():
    report = import_references(text=fixture("zotero.json"), filename="zotero.json")
    assert report.skipped == 0, [line.reason for line in report.lines]
    mortality = Reference.objects.get(doi="10.2337/dc20-1234")
    assert mortality.url == "https://diabetesjournals.org/care/article/44/5/1021/dc20-1234"
    assert mortality.title == "Mortality in children <5 years with HbA1c >7%: a registry study"
    line = next(line for line in report.lines if line.key == mortality.key)
    assert "pubmed.ncbi.nlm.nih.gov/33555555" in " ".join(line.notes)
    assert Reference.objects.get(kind="thesis").publisher == "University of Melbourne"
