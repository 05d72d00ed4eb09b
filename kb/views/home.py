"""Home page: the published conditions, A–Z."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kb.selectors import published_revisions


def index(request: HttpRequest) -> HttpResponse:
    revisions = published_revisions().only("name", "summary", "condition__slug").order_by("name")
    return render(request, "kb/home.html", {"revisions": revisions})
