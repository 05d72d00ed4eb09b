"""Tests for kb.refdata: the reference shape and the normalisers de-duplication relies on."""

from __future__ import annotations

import pytest

from kb.refdata import (
    KINDS,
    ReferenceData,
    fold_accents,
    initials,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
    normalise_title,
    parse_author_name,
)

CANONICAL_DOI = "10.1212/01.wnl.0000134657.71212.2e"


def test_reference_data_defaults():
    data = ReferenceData()
    assert data.kind == "journal"
    assert data.authors == [] and data.editors == []
    assert data.year is None and data.accessed_on is None
    assert data.in_press is False and data.retracted is False
    assert data.kind in KINDS


def test_reference_data_lists_are_not_shared():
    first, second = ReferenceData(), ReferenceData()
    first.authors.append({"family": "Jansen", "given": "PH"})
    assert second.authors == []


def test_reference_data_is_mutable():
    data = ReferenceData(title="Draft")
    data.title = "Final"
    assert data.title == "Final"


@pytest.mark.parametrize(
    "raw",
    [
        "10.1212/01.wnl.0000134657.71212.2e",
        "10.1212/01.WNL.0000134657.71212.2E",
        "https://doi.org/10.1212/01.WNL.0000134657.71212.2E",
        "http://doi.org/10.1212/01.wnl.0000134657.71212.2e",
        "http://dx.doi.org/10.1212/01.wnl.0000134657.71212.2e",
        "https://dx.doi.org/10.1212/01.wnl.0000134657.71212.2e",
        "doi.org/10.1212/01.wnl.0000134657.71212.2e",
        "doi:10.1212/01.wnl.0000134657.71212.2e",
        "DOI: 10.1212/01.WNL.0000134657.71212.2E",
        "  doi: 10.1212/01.wnl.0000134657.71212.2e  ",
        "10.1212/01.WNL.0000134657.71212.2E [doi]",
        "https://doi.org/10.1212%2F01.wnl.0000134657.71212.2e",
        "10.1212/01.wnl.0000134657.71212.2e.",
    ],
)
def test_normalise_doi_spellings_collapse(raw):
    assert normalise_doi(raw) == CANONICAL_DOI


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "not a doi", "10.1212", "11.1212/abc", "https://example.org/10.1212", "10./x"],
)
def test_normalise_doi_rejects_non_dois(raw):
    assert normalise_doi(raw) == ""


def test_normalise_doi_handles_none():
    assert normalise_doi(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("15326253", "15326253"),
        ("PMID: 15326253", "15326253"),
        ("pmid:15326253", "15326253"),
        (" PMID 15326253 ", "15326253"),
        ("https://pubmed.ncbi.nlm.nih.gov/15326253/", "15326253"),
        ("", ""),
        ("PMID:", ""),
        ("none", ""),
        ("PMC1234567", ""),
    ],
)
def test_normalise_pmid(raw, expected):
    assert normalise_pmid(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PMC1234567", "PMC1234567"),
        ("pmc1234567", "PMC1234567"),
        ("PMCID: PMC1234567", "PMC1234567"),
        ("1234567", "PMC1234567"),
        ("", ""),
        ("n/a", ""),
    ],
)
def test_normalise_pmcid(raw, expected):
    assert normalise_pmcid(raw) == expected


def test_normalise_title_ignores_case_punctuation_and_accents():
    a = normalise_title("Cramps, muscle pain, and fasciculations: not always benign?")
    b = normalise_title("  CRAMPS, Muscle Pain and Fasciculations -- Not Always Benign  ")
    assert a == b == "cramps muscle pain and fasciculations not always benign"


def test_normalise_title_folds_accents_including_letters_nfkd_keeps():
    assert normalise_title("Gonçalves & Østergaard: Ærø study") == "goncalves ostergaard aero study"


def test_normalise_title_collapses_whitespace():
    assert normalise_title("a\n\t b   c") == "a b c"


def test_fold_accents_is_for_comparison_only():
    assert fold_accents("Gonçalves Østergaard") == "Goncalves Ostergaard"


@pytest.mark.parametrize(
    ("raw", "family", "given"),
    [
        ("Jansen, Pieter H.", "Jansen", "PH"),
        ("Jansen PH", "Jansen", "PH"),
        ("Pieter H. Jansen", "Jansen", "PH"),
        ("Jansen, P.H.", "Jansen", "PH"),
        ("Jansen, P. H.", "Jansen", "PH"),
        ("Jansen, PH", "Jansen", "PH"),
        ("Gonçalves, Ana", "Gonçalves", "A"),
        ("Gonçalves, Ana Maria", "Gonçalves", "AM"),
        ("Østergaard, Lars", "Østergaard", "L"),
        ("Østergaard L", "Østergaard", "L"),
        ("Lars Østergaard", "Østergaard", "L"),
        ("van Dijck JA", "van Dijck", "JA"),
        ("van Dijck, J. A.", "van Dijck", "JA"),
        ("de Carvalho, Mamede", "de Carvalho", "M"),
        ("Mamede de Carvalho", "de Carvalho", "M"),
        ("Jean-Pierre Dupont", "Dupont", "JP"),
        ("Dupont, J.-P.", "Dupont", "JP"),
        ("King, Martin Luther, Jr.", "King", "ML Jr"),
        ("King ML Jr", "King", "ML Jr"),
        ("Plato", "Plato", ""),
        ("  Jansen ,  Pieter  ", "Jansen", "P"),
    ],
)
def test_parse_author_name(raw, family, given):
    assert parse_author_name(raw) == {"family": family, "given": given}


def test_parse_author_name_empty():
    assert parse_author_name("") == {"family": "", "given": ""}


def test_initials_keeps_non_ascii_letters():
    assert initials("Ørjan Åke") == "ØÅ"
