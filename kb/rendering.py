"""Turning a revision into HTML: Markdown, citation links, sanitising.

Section bodies are CommonMark with raw HTML switched off, and the result is cleaned again
with an allow-list (nh3), so an author's text can inject no script into the public site
or into partners' pages. Citation markers become numbered superscript links to the
reference list. Approved revisions never change, so they are rendered once and stored
(``kb.renditions``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

from kb.citations import MARKER_RE, keys_in_marker, number_keys

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a", "code", "pre",
    "h3", "h4", "h5", "h6", "hr", "sup", "sub", "table", "thead", "tbody", "tr", "th", "td",
    "mark", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "sup": {"class"},
    "mark": {"class", "title"},
    "span": {"class"},
    "th": {"scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,  # no target attribute is allowed, so rel=noopener is not needed
    )


def _compress(numbers: list[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 5] → [(1, 3), (5, 5)]: Vancouver prints runs of three or more as ranges."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _citation_html(keys: list[str], numbers: dict[str, int], known: set[str]) -> str:
    cited = [numbers[k] for k in keys if k in known]
    missing = [k for k in keys if k not in known]
    parts = []
    for start, end in _compress(cited):
        if end - start >= 2:
            parts.append(f'<a href="#ref-{start}">{start}</a>–<a href="#ref-{end}">{end}</a>')
        else:
            parts.extend(f'<a href="#ref-{n}">{n}</a>' for n in range(start, end + 1))
    html = ""
    if parts:
        html += f'<sup class="citation">[{",".join(parts)}]</sup>'
    for key in missing:
        html += (
            f'<mark class="unresolved-citation" title="No reference with this key">'
            f"[@{escape(key)}?]</mark>"
        )
    return html


def render_body(body: str, *, numbers: dict[str, int], known: set[str]) -> str:
    """One section's Markdown → safe HTML with numbered citation links."""
    html = _md.render(body or "")

    def replace(match):
        keys = keys_in_marker(match.group(1))
        if keys is None:
            return match.group(0)
        return _citation_html(keys, numbers, known)

    return sanitise(MARKER_RE.sub(replace, html))


@dataclass
class RenderedSection:
    kind: str
    heading: str
    anchor: str
    html: str


@dataclass
class RenderedReference:
    number: int
    reference: object
    html: str
    text: str


@dataclass
class RenderedArticle:
    sections: list[RenderedSection]
    references: list[RenderedReference]
    unresolved: list[str] = field(default_factory=list)


def _anchor(kind: str, heading: str, index: int) -> str:
    from django.utils.text import slugify

    return slugify(heading)[:60] or f"section-{index}"


def render_article(*, revision, sections: list, references: dict | None = None) -> RenderedArticle:
    """Render a revision with already-loaded ``sections`` and ``references`` (key → Reference).

    Takes loaded objects rather than querying, so the cost of a page does not grow with the
    number of sections or references. Pure: approved revisions are rendered once and
    stored (``kb.renditions``), so nothing here is cached.
    """
    from kb.vancouver import format_reference, format_reference_html

    numbers = number_keys(section.body for section in sections)
    references = references if references is not None else {}
    known = set(references)

    rendered_sections = []
    used: set[str] = set()
    for index, section in enumerate(sections, start=1):
        anchor = _anchor(section.kind, section.heading, index)
        while anchor in used:
            anchor = f"{anchor}-{index}"
        used.add(anchor)
        html = render_body(section.body, numbers=numbers, known=known)
        rendered_sections.append(RenderedSection(section.kind, section.heading, anchor, html))

    # Renumber only the keys that resolve, so the list has no gaps.
    resolved_numbers: dict[str, int] = {}
    for key in sorted(numbers, key=numbers.get):
        if key in known:
            resolved_numbers[key] = len(resolved_numbers) + 1
    rendered_refs = [
        RenderedReference(
            number=n,
            reference=references[key],
            html=format_reference_html(references[key]),
            text=format_reference(references[key]),
        )
        for key, n in resolved_numbers.items()
    ]
    unresolved = [key for key in numbers if key not in known]
    return RenderedArticle(rendered_sections, rendered_refs, unresolved)
