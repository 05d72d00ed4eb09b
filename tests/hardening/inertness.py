"""Checks that an HTML page or fragment can run no script, parsed with ``html.parser``.

A browser runs script from ``<script>`` elements, event-handler attributes (``on…=``) and
``javascript:`` (or ``data:text/html``) URLs; ``<iframe>``, ``<object>``, ``<embed>``,
``<svg>`` and ``<math>`` open further ways in, and ``<style>`` or ``<base>`` can rewrite a
page. The parser sees what a browser would: if escaping failed anywhere, the injected
markup shows up here as an element or attribute, not as text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.templatetags.static import static

FORBIDDEN_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style", "base",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "ping", "srcset", "lowsrc", "dynsrc",
}  # fmt: skip
_DANGEROUS_URL = re.compile(r"^(?:javascript|vbscript|data):", re.IGNORECASE)
# Browsers ignore ASCII tab and newline anywhere in a URL, and leading spaces/control chars.
_IGNORED_IN_URL = re.compile(r"[\t\n\r]")


@dataclass
class ScriptElement:
    attrs: dict[str, str]
    body: str = ""


@dataclass
class _Collected:
    problems: list[str] = field(default_factory=list)
    scripts: list[ScriptElement] = field(default_factory=list)


def dangerous_url(value: str) -> bool:
    cleaned = _IGNORED_IN_URL.sub("", value).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08 \f")
    return bool(_DANGEROUS_URL.match(cleaned))


class _InertnessParser(HTMLParser):
    def __init__(self, *, style_attributes: bool, allowed: frozenset[str] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.style_attributes = style_attributes
        self.forbidden = FORBIDDEN_ELEMENTS - allowed
        self._in_head = False
        self.found = _Collected()
        self._script: ScriptElement | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in values.items())}>"
        if tag == "head":
            self._in_head = True
        elif tag == "body":
            self._in_head = False
        if tag in self.forbidden or (tag == "style" and not self._in_head):
            self.found.problems.append(f"forbidden element {where}")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.problems.append(f"event handler attribute {name} in {where}")
            if name in URL_ATTRIBUTES and dangerous_url(value):
                self.found.problems.append(f"script URL in {name} of {where}")
            if name == "style" and not self.style_attributes:
                self.found.problems.append(f"style attribute in {where}")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.problems.append(f"meta refresh {where}")
        if tag == "script":
            self._script = ScriptElement(values)
            self.found.scripts.append(self._script)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._script = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.body += data


def _check_jsonld(script: ScriptElement) -> list[str]:
    body = script.body
    problems = []
    if "</script" in body.lower() or "<!--" in body or "<" in body:
        problems.append(f"unescaped '<' in a JSON-LD block: {body[:200]!r}")
    try:
        json.loads(body)
    except ValueError:
        problems.append(f"JSON-LD block is not valid JSON: {body[:200]!r}")
    return problems


#: The public site's own script files (static names), loaded with ``<script src defer>``.
SITE_SCRIPTS = ("kb/report-passage.js",)


def script_problems(
    html: str,
    *,
    own_scripts: bool = False,
    style_attributes: bool = False,
    site_scripts: frozenset[str] | None = None,
) -> list[str]:
    """Everything in ``html`` that could run script or restyle the page, as messages.

    ``site_scripts`` are the exact ``src`` of the public site's own static script files,
    allowed with an empty body (default: ``SITE_SCRIPTS``, the article page's passage
    reporter); no other script runs on a public page.

    ``own_scripts`` allows ``<script src="/…">`` files served by the site itself (the admin's
    JavaScript) and JSON data blocks (``json_script``), never inline script bodies, plus
    the admin's own inline SVG icons (still without event handlers or script URLs) and
    style sheets in <head>. ``style_attributes``
    allows style="" (the admin, whose Content-Security-Policy permits inline styles).
    """
    if site_scripts is None:
        site_scripts = frozenset(static(name) for name in SITE_SCRIPTS)
    allowed = frozenset({"svg", "style"}) if own_scripts else frozenset()
    parser = _InertnessParser(style_attributes=style_attributes, allowed=allowed)
    parser.feed(html)
    parser.close()
    problems = list(parser.found.problems)
    for script in parser.found.scripts:
        kind = script.attrs.get("type", "").lower()
        src = script.attrs.get("src")
        if kind == "application/ld+json" and src is None:
            problems.extend(_check_jsonld(script))
        elif own_scripts and kind == "application/json" and src is None:
            # A data block (Django's json_script): never run, and its body escapes "<".
            if "<" in script.body:
                problems.append(f"data block with markup in its body: {script.attrs}")
        elif (own_scripts and src and src.startswith("/") and not src.startswith("//")) or (
            src in site_scripts
        ):
            if script.body.strip():
                problems.append(f"script element with both src and a body: {script.attrs}")
        else:
            problems.append(f"executable script element {script.attrs} {script.body[:200]!r}")
    return problems


def jsonld_blocks(html: str) -> list[dict]:
    """The decoded JSON-LD data blocks of a page."""
    parser = _InertnessParser(style_attributes=True)
    parser.feed(html)
    parser.close()
    return [
        json.loads(s.body)
        for s in parser.found.scripts
        if s.attrs.get("type", "").lower() == "application/ld+json"
    ]
