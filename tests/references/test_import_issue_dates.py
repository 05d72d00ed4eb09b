"""What the importers keep for Vancouver: an issue's season or month range, and name
particles ("van der Ploeg A"), from MEDLINE, RIS and CSL-JSON."""

from __future__ import annotations

import json

import pytest

from kb.importers import csljson, medline, ris
from kb.vancouver import format_reference


def one(result):
    [record] = result.records
    return record.data


def medline_record(dp: str) -> str:
    return (
        "PMID- 12345\n"
        f"DP  - {dp}\n"
        "TI  - Two months.\n"
        "AU  - Smith J\n"
        "TA  - J Test\n"
        "VI  - 63\n"
        "IP  - 4\n"
    )


@pytest.mark.parametrize(
    ("dp", "month", "season", "printed"),
    [
        ("2004 Aug-Sep", 8, "Aug-Sep", "2004 Aug-Sep;63(4)"),
        ("2004 Spring", None, "Spring", "2004 Spring;63(4)"),
        ("2003 Dec-2004 Jan", 12, "Dec-2004 Jan", "2003 Dec-2004 Jan;63(4)"),
        ("2004 Aug 24", 8, "", "2004 Aug 24;63(4)"),
    ],
)
def test_medline_keeps_a_season_or_month_range(dp, month, season, printed):
    data = one(medline.parse(medline_record(dp)))
    assert (data.year, data.month, data.season) == (int(dp[:4]), month, season)
    assert printed in format_reference(data)


@pytest.mark.parametrize(
    ("date_line", "season"),
    [
        ("DA  - 2004/08//Aug-Sep", "Aug-Sep"),
        ("PY  - 2004///Spring", "Spring"),
        ("DA  - 2004/08/24/", ""),
    ],
)
def test_ris_keeps_the_season_from_the_date_s_other_part(date_line, season):
    text = f"TY  - JOUR\nTI  - Two months\nJO  - J Test\n{date_line}\nER  - \n"
    data = one(ris.parse(text))
    assert (data.year, data.season) == (2004, season)


@pytest.mark.parametrize(
    ("issued", "season"),
    [
        ({"date-parts": [[2004]], "season": 1}, "Spring"),
        ({"date-parts": [[2004]], "season": "Summer"}, "Summer"),
        ({"date-parts": [[2004, 8]]}, ""),
    ],
)
def test_csljson_keeps_the_season(issued, season):
    item = {"type": "article-journal", "title": "T", "container-title": "J", "issued": issued}
    data = one(csljson.parse(json.dumps([item])))
    assert (data.year, data.season) == (2004, season)


@pytest.mark.parametrize(
    "name",
    [
        {"family": "Ploeg", "given": "Anna", "non-dropping-particle": "van der"},
        {"family": "Ploeg", "given": "Anna", "dropping-particle": "van der"},
        {"family": "van der Ploeg", "given": "Anna"},
    ],
)
def test_csljson_keeps_name_particles_with_the_surname(name):
    """NLM files every particle with the surname: "van der Ploeg A", never "Ploeg A"."""
    item = {"type": "article-journal", "title": "T", "container-title": "J", "author": [name]}
    data = one(csljson.parse(json.dumps([item])))
    assert data.authors == [{"family": "van der Ploeg", "given": "A"}]
    assert format_reference(data).startswith("van der Ploeg A. T.")


@pytest.mark.parametrize(
    "au_line",
    ["AU  - van der Ploeg, Anna", "AU  - Anna van der Ploeg", "AU  - van der Ploeg A"],
)
def test_ris_keeps_name_particles_with_the_surname(au_line):
    data = one(ris.parse(f"TY  - JOUR\nTI  - T\nJO  - J\n{au_line}\nER  - \n"))
    assert format_reference(data).startswith("van der Ploeg A. T.")
