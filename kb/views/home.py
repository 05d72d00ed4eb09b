"""Home page and the A–Z index."""

from __future__ import annotations

import string

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kb.http import public_cache
from kb.selectors import a_to_z, recently_reviewed


@public_cache
def index(request: HttpRequest) -> HttpResponse:
    groups = a_to_z()
    return render(
        request,
        "kb/home.html",
        {
            "letters": _letters(groups),
            "recent": recently_reviewed(),
        },
    )


@public_cache
def a_to_z_view(request: HttpRequest) -> HttpResponse:
    groups = a_to_z()
    return render(request, "kb/a_to_z.html", {"groups": groups, "letters": _letters(groups)})


def _letters(groups) -> list[tuple[str, bool]]:
    present = {letter for letter, _ in groups}
    return [(letter, letter in present) for letter in string.ascii_uppercase]
