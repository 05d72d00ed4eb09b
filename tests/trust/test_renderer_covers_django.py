"""A stored page body is Django template output: a Django upgrade must re-render it.

``kb/_article_body.html`` is written by Django's template engine, its autoescaping and its
``date`` filter (month names from Django's own locale files), all stored with the
rendition (``kb.renditions``). A Django version whose output differs would otherwise
leave every stored page as the previous version wrote it, unlike a full render.
"""

from __future__ import annotations

import django

from kb import renditions


def test_the_renderer_name_covers_the_django_version(monkeypatch):
    assert renditions._renderer() == renditions.RENDERER
    monkeypatch.setattr(django, "__version__", django.__version__ + ".post1")
    assert renditions._renderer() != renditions.RENDERER


def test_the_renderer_name_covers_the_code_that_writes_stored_api_sections(monkeypatch):
    """The partner API's sections are stored with their links made absolute by
    ``kb.api.links``: a change there must reach every stored page, as a change to the
    renderer does."""
    from pathlib import Path

    from kb.api import links

    before = renditions._renderer()
    read_bytes = Path.read_bytes

    def edited(path: Path) -> bytes:
        data = read_bytes(path)
        return data + b"\n# changed" if path == Path(links.__file__) else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert renditions._renderer() != before
