"""How long the desk's comparison of two 20-section revisions takes (target: ≤ 200 ms).

Pure work only (``kb.compare.compare_revisions`` on snapshots, rendering every section's
Markdown and marking the words of both sides): no database, so the figure is the same
whatever loaded the snapshots. Run: ``python bench/compare_speed.py``.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from kb.compare import RevisionSnapshot, SectionSnapshot, compare_revisions  # noqa: E402

PARAGRAPH = (
    "Muscle **cramps** and twitching are common and usually harmless [@ref{n}]. They are "
    "often worse after exercise, at night or with caffeine; see a doctor if they come with "
    "*weakness*, wasting or numbness [@ref{m}; @ref{n}].\n\n- stretch the muscle\n- drink "
    "enough fluids\n- avoid caffeine late in the day\n\n"
)


def revision(number: int, *, edited: bool) -> RevisionSnapshot:
    sections = []
    for i in range(20):
        body = "".join(PARAGRAPH.format(n=i, m=(i + 1) % 20) for _ in range(4))
        if edited and i % 3 == 0:
            body = body.replace("usually harmless", "almost always harmless", 2)
            body += "A new sentence about *magnesium* supplements [@ref99].\n"
        sections.append(SectionSnapshot("custom", "Other", f"Section {i}", body))
    keys = tuple(f"ref{i}" for i in range(20)) + (("ref99",) if edited else ())
    return RevisionSnapshot(
        number=number,
        status_label="draft",
        name="Cramp",
        summary="A summary.",
        sections=tuple(sections),
        citation_keys=keys,
        reference_authors=dict.fromkeys(keys, "Jansen et al."),
    )


def main() -> None:
    old, new = revision(1, edited=False), revision(2, edited=True)
    compare_revisions(old=old, new=new)  # warm up (imports, regex compilation)
    times = []
    for _ in range(15):
        start = time.perf_counter()
        comparison = compare_revisions(old=old, new=new)
        for row in comparison.sections:  # the template reads these
            shown = (row.rendered.old_html, row.rendered.new_html, row.rendered.inline_html)
            assert all(isinstance(html, str) for html in shown)
        times.append((time.perf_counter() - start) * 1000)
    words = sum(len(s.body.split()) for s in new.sections)
    print(
        f"20 sections, {words} words per revision: median {statistics.median(times):.1f} ms, "
        f"max {max(times):.1f} ms over {len(times)} runs"
    )


if __name__ == "__main__":
    main()
