"""``datetime`` attributes carry what HTML allows: no more than three digits of fraction."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.template import engines

ROOT = Path(__file__).resolve().parents[2]


def render(template: str, **context) -> str:
    return engines["django"].from_string(template).render(context)


def test_machine_datetime_drops_fractions_and_keeps_the_offset(settings):
    settings.TIME_ZONE = "Europe/London"
    moment = dt.datetime(2026, 7, 1, 3, 47, 38, 672992, tzinfo=dt.UTC)
    html = render("{% load kb_html %}{{ moment|machine_datetime }}", moment=moment)
    assert html == "2026-07-01T04:47:38+01:00"


def test_machine_datetime_of_a_date_is_the_date_and_of_nothing_is_empty():
    html = render("{% load kb_html %}[{{ day|machine_datetime }}|{{ none|machine_datetime }}]",
                  day=dt.date(2026, 7, 1), none=None)  # fmt: skip
    assert html == "[2026-07-01|]"


def test_no_template_writes_a_datetime_attribute_with_the_c_format():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if re.search(r"datetime=\"\{\{[^}]*\|date:'c'", path.read_text())
    ]
    assert offenders == []
