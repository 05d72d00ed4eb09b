"""Turning a revision into HTML: Markdown, citation links, sanitising.

Section bodies are CommonMark with raw HTML switched off, and the result is cleaned again
with an allow-list (nh3), so an author's text can inject no script into the public site
or into partners' pages. Citation markers become numbered superscript links to the
reference list. Approved revisions never change, so they are rendered once and stored
(``kb.renditions``).

Two extensions beyond CommonMark, because medical pages need them:

* GFM tables. Header cells get ``scope="col"`` so screen readers announce the column with
  each cell, and column alignment becomes an ``align-*`` class: the sanitiser allows no
  ``style`` attribute, and the site's CSP allows no inline style.
* Callouts, the boxed advice of the NHS "care cards", written as fenced containers::

      ::: urgent Ask for an urgent GP appointment if
      - the twitching spreads
      :::

  The word after ``:::`` is the kind (``CALLOUT_KINDS``); the rest of the line is an
  optional plain-text title. Each becomes a labelled ``<section>`` whose heading starts
  with the kind's words ("Urgent advice:"), so the urgency is never carried by colour
  alone. Any other word after ``:::`` is left as text.

What an author writes but the site cannot show (images, raw HTML, unknown boxes) is listed
by ``unsupported_markdown`` so the desk can warn instead of the text silently changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

from kb.citations import MARKER_RE, keys_in_marker, number_keys


@dataclass(frozen=True)
class CalloutKind:
    #: The words that open the box's heading, so meaning does not rest on colour.
    heading: str


CALLOUT_KINDS: dict[str, CalloutKind] = {
    "urgent": CalloutKind("Urgent advice"),
    "emergency": CalloutKind("Immediate action required"),
    "non-urgent": CalloutKind("Non-urgent advice"),
    "info": CalloutKind("Information"),
}
_ALIGN_CLASSES = {
    "text-align:left": "align-left",
    "text-align:center": "align-center",
    "text-align:right": "align-right",
}


def _callout_name(params: str) -> str:
    return params.strip().split(" ", 1)[0] if params.strip() else ""


def _render_callout(self, tokens, idx, options, env) -> str:
    """A labelled ``<section>`` whose heading names the kind in words, then the title.

    The heading labels the region, so a screen reader's landmark list reads "Urgent advice:
    Ask for an urgent GP appointment if", not just "region".
    """
    token = tokens[idx]
    if token.nesting != 1:
        return "</section>\n"
    name, _, title = token.info.strip().partition(" ")
    env["callouts"] = env.get("callouts", 0) + 1
    prefix = env.get("id_prefix", "")
    heading_id = escape(
        f"{prefix}-callout-{env['callouts']}" if prefix else f"callout-{env['callouts']}"
    )
    words = CALLOUT_KINDS[name].heading
    title = title.strip()
    return (
        f'<section class="callout callout-{name}" aria-labelledby="{heading_id}">\n'
        f'<h3 id="{heading_id}"><span class="callout-kind">{words}{":" if title else ""}'
        f"</span>{' ' + escape(title) if title else ''}</h3>\n"
    )


def _render_cell(self, tokens, idx, options, env) -> str:
    """A table cell with ``scope`` on header cells and alignment as a class, not a style."""
    token = tokens[idx]
    align = _ALIGN_CLASSES.get(token.attrGet("style") or "")
    token.attrs.pop("style", None)
    if token.type == "th_open":
        token.attrSet("scope", "col")
    if align:
        token.attrSet("class", align)
    return self.renderToken(tokens, idx, options, env)


def _markdown(*, html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": html, "linkify": False, "typographer": False})
    md.enable("table")
    for name in CALLOUT_KINDS:
        container_plugin(
            md,
            name,
            validate=lambda params, *args, name=name: _callout_name(params) == name,
            render=_render_callout,
        )
    md.add_render_rule("th_open", _render_cell)
    md.add_render_rule("td_open", _render_cell)
    return md


_md = _markdown(html=False)

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "a", "code", "pre",
    "h3", "h4", "h5", "h6", "hr", "sup", "sub", "table", "thead", "tbody", "tr", "th", "td",
    "mark", "span", "section",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "sup": {"class"},
    "mark": {"class", "title"},
    "span": {"class"},
    "th": {"scope", "class"},
    "td": {"class"},
    "section": {"class", "aria-labelledby"},
    "h3": {"id"},
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


def render_body(body: str, *, numbers: dict[str, int], known: set[str], id_prefix: str = "") -> str:
    """One section's Markdown → safe HTML with numbered citation links.

    ``id_prefix`` (the section's anchor) starts the ids of callout headings, so that they
    stay unique when several sections are on one page.
    """
    html = _md.render(body or "", {"id_prefix": id_prefix})

    def replace(match):
        keys = keys_in_marker(match.group(1))
        if keys is None:
            return match.group(0)
        return _citation_html(keys, numbers, known)

    return sanitise(MARKER_RE.sub(replace, html))


@dataclass(frozen=True)
class MarkdownProblem:
    #: 1-based line of the body where the construct starts.
    line: int
    problem: str


def _inspector() -> MarkdownIt:
    """The site's Markdown with raw HTML parsed (so it can be found) and any ``:::`` box."""
    md = _markdown(html=True)
    container_plugin(
        md,
        "unknown",
        validate=lambda params, *args: _callout_name(params) not in CALLOUT_KINDS,
    )
    return md


_inspect = _inspector()
_KNOWN_KINDS = ", ".join(list(CALLOUT_KINDS)[:-1]) + " or " + list(CALLOUT_KINDS)[-1]


def unsupported_markdown(*, body: str) -> list[MarkdownProblem]:
    """What in ``body`` the site does not show as written, with the line it starts on.

    The renderer never fails: an image is dropped by the sanitiser, raw HTML and an unknown
    box are shown as text. That is safe but surprising, so the desk lists these to the
    editor rather than letting them pass unseen.
    """
    problems: list[MarkdownProblem] = []

    def add(token, problem: str) -> None:
        found = MarkdownProblem((token.map or [0])[0] + 1, problem)
        if found not in problems:
            problems.append(found)

    for token in _inspect.parse(body or ""):
        if token.type == "html_block":
            add(token, "raw HTML is shown as text, not as HTML")
        elif token.type == "container_unknown_open":
            name = _callout_name(token.info)
            add(
                token,
                f"unknown box “{name}” is shown as text (use {_KNOWN_KINDS})"
                if name
                else f"box with no kind is shown as text (use {_KNOWN_KINDS})",
            )
        elif token.type == "inline":
            for child in token.children or []:
                if child.type == "image":
                    alt = child.content
                    add(token, f"image “{alt}” is not shown (there is no media library yet)")
                elif child.type == "html_inline":
                    add(token, "raw HTML is shown as text, not as HTML")
    return problems


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
        html = render_body(section.body, numbers=numbers, known=known, id_prefix=anchor)
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
