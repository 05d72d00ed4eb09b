"""Help for authors while writing a section: its readability report in the revision form.

The scores stored with the section when it was last saved are shown (``kb.readability``);
a section saved before scores were kept is scored on the spot, without writing. An unsaved
section shows where its scores will appear.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.html import format_html

from kb.models import Section
from kb.readability import Readability, score


def readability_html(*, section: Section) -> str:
    if section.pk is None:
        return format_html(
            '<div class="desk-readability">{}</div>',
            "Scores appear in the live preview as you type, and here after saving.",
        )
    scores = Readability.from_json(section.readability) or score(body=section.body)
    return render_to_string("admin/kb/revision/_readability.html", {"scores": scores})
