"""The one spelling of stored text (``kb.text``): line endings and trailing white space
go, Markdown meaning stays."""

from __future__ import annotations

import pytest

from kb.rendering import render_body
from kb.text import normalise_markdown


@pytest.mark.parametrize(
    "raw,stored",
    [
        ("One\r\nTwo\rThree\n", "One\nTwo\nThree"),
        ("One \t\nTwo", "One\nTwo"),
        ("Line one   \nline two", "Line one  \nline two"),  # a hard break stays one
        ("End of paragraph  \n\nNext", "End of paragraph\n\nNext"),  # no break there
        ("Last line  ", "Last line"),
        ("\n  \n    code\n", "    code"),  # the first line's indentation is a code block
        ("A\n \t\nB", "A\n\nB"),
        ("", ""),
    ],
)
def test_normalise_markdown(raw, stored):
    assert normalise_markdown(text=raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "Line one  \r\nline two",
        "- a \r\n- b\t\r\n\r\n   \r\nText  \r\n",
        "```\r\ncode  \r\nmore\r\n```",
        "    indented code\r\n    next",
        "> quoted  \r\n> on",
    ],
)
def test_normalising_keeps_the_rendered_html(raw):
    def html(text: str) -> str:
        return render_body(text, numbers={}, known=set())

    assert html(normalise_markdown(text=raw)) == html(raw)
