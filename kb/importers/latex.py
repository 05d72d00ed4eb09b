"""LaTeX to Unicode for BibTeX values, with pylatexenc (the library bibtexparser decodes with).

Why a context of our own: pylatexenc's default drops any macro it does not know together
with its argument, so Zotero's ``{\\textless}5 years`` became "5 years", ``\\mbox{...}`` and
``{\\BibTeX}`` vanished. We add the text macros reference managers write, drop font and
spacing commands (``{\\em ...}``), and keep the text of every other macro: its arguments, or
its name when it stands alone.

Sub- and superscripts (``HbA\\textsubscript{1c}``) become plain text ("HbA1c"): that is how
PubMed writes them, and it keeps titles searchable and comparable across formats.
"""

from __future__ import annotations

import unicodedata

from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)

_GREEK_LETTERS = (
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi",
    "chi", "psi", "omega",
)  # fmt: skip


def _greek(name: str, *, capital: bool) -> str:
    """The Greek letter for a textgreek macro name: "alpha" -> "α" (Unicode spells "lamda")."""
    case = "CAPITAL" if capital else "SMALL"
    return unicodedata.lookup(f"GREEK {case} LETTER {name.upper().replace('LAMBDA', 'LAMDA')}")


_LAYOUT_MACROS = (
    "protect", "relax", "allowbreak", "nobreak", "xspace", "ignorespaces", "noindent",
    "unskip", "null", "leavevmode", "centering", "raggedright", "normalfont", "selectfont",
    "displaystyle", "textstyle", "em", "it", "bf", "rm", "sc", "sl", "tt", "sf", "bfseries",
    "mdseries", "itshape", "upshape", "slshape", "scshape", "sffamily", "ttfamily",
    "rmfamily", "tiny", "scriptsize", "footnotesize", "small", "normalsize", "large", "Large",
    "LARGE", "huge", "Huge",
)  # fmt: skip
"""Font switches and spacing commands: they carry no text ("{\\em in vivo}" -> "in vivo")."""

_BREAK_MACROS = (
    "par", "newline", "linebreak", "break", "pagebreak", "newpage", "clearpage", "hfill",
    "hfil", "vfill", "smallskip", "medskip", "bigskip",
)  # fmt: skip
"""Line and page breaks: a space in a one-line field."""

_TEXT_MACROS: list[MacroTextSpec] = [
    *(MacroTextSpec(name, discard=True) for name in _LAYOUT_MACROS),
    *(MacroTextSpec(name, " ") for name in _BREAK_MACROS),
    MacroTextSpec("LaTeXe", "LaTeX2e"),
    MacroTextSpec("textless", "<"),
    MacroTextSpec("textgreater", ">"),
    MacroTextSpec("textbar", "|"),
    MacroTextSpec("textunderscore", "_"),
    MacroTextSpec("textquotedbl", '"'),
    MacroTextSpec("textmicro", "µ"),
    *(MacroTextSpec(f"text{name}", _greek(name, capital=False)) for name in _GREEK_LETTERS),
    *(
        MacroTextSpec(f"text{name.capitalize()}", _greek(name, capital=True))
        for name in _GREEK_LETTERS
    ),
]
"""What pylatexenc does not know: layout commands, breaks, and the text macros that Zotero,
JabRef and textgreek write."""


def _unknown_macro(n, l2tobj) -> str:
    """The text of a macro nobody defined: its arguments, or its name if it has none.

    pylatexenc does not know the arguments of an unknown macro, so a braced group after it
    (``\\foreignword{enzyme}``) is converted on its own; the name is then left out.
    """
    arguments = [a for a in (n.nodeargd.argnlist if n.nodeargd else []) if a is not None]
    if arguments:
        return "".join(l2tobj.nodelist_to_text([a]) for a in arguments)
    following = n.parsing_state.s[n.pos + n.len : n.pos + n.len + 1]
    if following == "{":
        return ""
    return n.macroname + (n.macro_post_space or "")


def _context():
    context = get_default_latex_context_db()
    context.add_context_category("reference-managers", prepend=True, macros=_TEXT_MACROS)
    context.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=_unknown_macro))
    return context


DECODER = LatexNodes2Text(latex_context=_context(), math_mode="text")
"""The decoder ``bibtex.decode_latex`` hands to bibtexparser's ``LatexDecodingMiddleware``."""
