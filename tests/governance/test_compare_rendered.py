"""The compare view a clinician reads in seconds: a one-line summary, changed sections
first with the rendered text marked word by word, unchanged sections collapsed, side by
side or inline, and links (and keys) from one change to the next."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from kb import services, workflow
from kb.compare import (
    RevisionSnapshot,
    SectionSnapshot,
    author_label,
    compare_revisions,
    diff_html,
    load_snapshots,
)
from kb.models import Revision
from tests.factories import ReferenceFactory, make_live


def section(kind: str, heading: str, body: str) -> SectionSnapshot:
    return SectionSnapshot(kind=kind, kind_label=kind.title(), heading=heading, body=body)


def snapshot(number, sections, keys=(), authors=None, **fields) -> RevisionSnapshot:
    return RevisionSnapshot(
        number=number,
        status_label="draft",
        name=fields.pop("name", "Cramp"),
        summary=fields.pop("summary", "A summary."),
        sections=tuple(sections),
        citation_keys=tuple(keys),
        reference_authors=authors or {},
        **fields,
    )


OVERVIEW = section("overview", "Overview", "Muscles **twitch** and cramp.")
CAUSES = section("causes", "Causes", "Often no cause is found.")
SYMPTOMS = section("symptoms", "Symptoms", "- twitching\n- cramps")
TREATMENT = section("treatment", "Treatment", "Stretching helps [@a].")


class _Balance(HTMLParser):
    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def well_formed(html: str) -> bool:
    parser = _Balance()
    parser.feed(html)
    return parser.ok and not parser.stack


# --- the summary --------------------------------------------------------------------------


def test_summary_counts_sections_citations_and_fields():
    old = snapshot(1, [OVERVIEW, CAUSES, TREATMENT], keys=["a", "x"])
    new = snapshot(
        2,
        [
            section("overview", "Overview", "Muscles twitch [@b]."),
            section("causes", "Causes", "A cause is rarely found [@c; @d]."),
            TREATMENT,
            section("prognosis", "Outlook", "Good."),
        ],
        keys=["b", "c", "d", "a"],
        summary="A new summary.",
    )
    comparison = compare_revisions(old=old, new=new)
    assert comparison.summary_text == (
        "2 sections changed, 1 added; 3 citations added, 1 removed; summary changed"
    )


def test_summary_of_a_one_section_edit_and_of_no_change():
    old = snapshot(1, [OVERVIEW, CAUSES])
    new = snapshot(2, [OVERVIEW, section("causes", "Causes", "Rarely found.")])
    assert compare_revisions(old=old, new=new).summary_text == "1 section changed"
    assert compare_revisions(old=old, new=old).summary_text == "No differences"


def test_changed_sections_come_first_and_unchanged_apart():
    old = snapshot(1, [OVERVIEW, CAUSES, SYMPTOMS])
    new = snapshot(2, [OVERVIEW, section("causes", "Causes", "Rarely."), SYMPTOMS])
    comparison = compare_revisions(old=old, new=new)
    assert [r.new.heading for r in comparison.changed_sections] == ["Causes"]
    assert [r.new.heading for r in comparison.unchanged_sections] == ["Overview", "Symptoms"]


# --- the rendered text --------------------------------------------------------------------


def test_rendered_text_keeps_formatting_and_marks_only_words():
    old = snapshot(
        1, [section("overview", "Overview", "The **cramps** get worse.\n\n- one\n- two")]
    )
    new = snapshot(
        2, [section("overview", "Overview", "The **spasms** get worse.\n\n- one\n- three")]
    )
    diff = compare_revisions(old=old, new=new).sections[0].rendered

    assert "<strong><del>cramps</del></strong>" in diff.old_html
    assert "<strong><ins>spasms</ins></strong>" in diff.new_html
    assert "<li><del>two</del></li>" in diff.old_html
    assert "<li><del>two</del><ins>three</ins></li>" in diff.inline_html
    assert "**" not in diff.new_html and "- one" not in diff.new_html
    for html in (diff.old_html, diff.new_html, diff.inline_html):
        assert well_formed(html), html


def test_citations_show_as_their_numbers_and_authors():
    old = snapshot(1, [TREATMENT], keys=["a"], authors={"a": "Jansen et al."})
    new = snapshot(
        2,
        [section("treatment", "Treatment", "Stretching helps [@a; @b].")],
        keys=["a", "b"],
        authors={"a": "Jansen et al.", "b": "Lee"},
    )
    diff = compare_revisions(old=old, new=new).sections[0].rendered
    assert "[1 Jansen et al.]" in diff.old_html
    assert "[1 Jansen et al.<ins>; 2 Lee</ins>]" in diff.new_html
    assert "@a" not in diff.new_html


def test_added_and_removed_sections_are_wholly_marked():
    old = snapshot(1, [OVERVIEW, CAUSES])
    new = snapshot(2, [OVERVIEW, section("prognosis", "Outlook", "Usually good.")])
    rows = {(r.new or r.old).heading: r for r in compare_revisions(old=old, new=new).sections}
    assert "<ins>Usually good.</ins>" in rows["Outlook"].rendered.new_html
    assert "<del>Often no cause is found.</del>" in rows["Causes"].rendered.old_html


def test_author_typed_html_is_escaped_in_the_rendered_diff():
    old = snapshot(1, [section("overview", "Overview", "Safe.")])
    new = snapshot(2, [section("overview", "Overview", "Safe <script>alert(1)</script>.")])
    diff = compare_revisions(old=old, new=new).sections[0].rendered
    for html in (diff.new_html, diff.inline_html):
        assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_changed_entity_is_never_split():
    diff = diff_html(old="<p>a &lt; b</p>", new="<p>a &gt; b</p>")
    assert "<del>&lt;</del>" in diff.old_html and "<ins>&gt;</ins>" in diff.new_html


def test_author_labels():
    assert author_label([{"family": "Jansen"}]) == "Jansen"
    assert author_label([{"family": "Jansen"}, {"family": "Lee"}]) == "Jansen and Lee"
    assert author_label([{"family": "A"}, {"literal": "WHO"}, {"family": "C"}]) == "A et al."
    assert author_label([]) == ""


def test_author_label_reads_a_literal_et_al_as_more_authors():
    """A truncated CSL-JSON list ends in {"literal": "et al."}; it is not a second author."""
    assert author_label([{"family": "Filippakis"}, {"literal": "et al."}]) == "Filippakis et al."
    assert author_label([{"family": "Jansen"}, {"literal": "et al"}]) == "Jansen et al."
    assert author_label([{"family": "A"}, {"family": "B"}, {"literal": "Et Al."}]) == "A et al."


# --- pure ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_comparison_reads_nothing_from_the_database(
    author, reviewer, django_assert_num_queries
):
    ReferenceFactory(key="jansen1991", authors=[{"family": "Jansen"}, {"family": "Lee"}])
    body = [{"kind": "overview", "heading": "Overview", "body": "Rare [@jansen1991]."}]
    live = make_live(author=author, reviewer=reviewer, sections=body)
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    services.update_revision(
        revision=draft,
        by=author,
        expected_version=draft.lock_version,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Very rare [@jansen1991]."}],
    )
    revisions = list(Revision.objects.select_related("condition").order_by("number"))
    snapshots = load_snapshots(revisions=revisions)

    with django_assert_num_queries(0):
        comparison = compare_revisions(old=snapshots[live.pk], new=snapshots[draft.pk])
        html = comparison.sections[0].rendered.new_html

    assert "[1 Jansen and Lee]" in html and "<ins>Very rare</ins>" in html


# --- the page -----------------------------------------------------------------------------


@pytest.fixture
def one_section_edit(author, reviewer):
    live = make_live(
        author=author,
        reviewer=reviewer,
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Muscles twitch."},
            {"kind": "symptoms", "heading": "Symptoms", "body": "Cramps at night."},
            {"kind": "treatment", "heading": "Treatment", "body": "Stretching."},
        ],
    )
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    services.update_revision(
        revision=draft,
        by=author,
        expected_version=draft.lock_version,
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Muscles twitch."},
            {"kind": "symptoms", "heading": "Symptoms", "body": "Cramps **mostly** at night."},
            {"kind": "treatment", "heading": "Treatment", "body": "Stretching."},
        ],
    )
    return live


def compare_url(live, **params) -> str:
    url = reverse("admin:kb_condition_compare", args=[live.condition_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.mark.django_db
def test_page_summary_changed_first_and_unchanged_collapsed(client, reviewer, one_section_edit):
    client.force_login(reviewer)
    html = client.get(compare_url(one_section_edit)).content.decode()

    assert "1 section changed." in html
    changed = html.index('id="change-1"')
    collapsed = html.index('<details class="compare-unchanged">')
    assert changed < collapsed
    assert "Unchanged sections (2): Overview, Treatment" in html
    assert "<strong><ins>mostly</ins></strong>" in html
    assert 'class="compare-columns"' in html  # side by side by default
    assert "kb/desk-compare.js" in html and "<script>" not in html.split("</head>")[1]


@pytest.mark.django_db
def test_inline_view_is_a_query_parameter(client, reviewer, author, one_section_edit):
    client.force_login(reviewer)
    html = client.get(compare_url(one_section_edit, view="inline")).content.decode()
    assert 'class="compare-inline compare-body"' in html
    assert 'class="compare-columns"' not in html
    assert 'href="?from=1&amp;to=2&amp;view=side"' in html
    assert 'aria-current="true">Inline</a>' in html


@pytest.mark.django_db
def test_changes_link_to_each_other(client, reviewer, author):
    live = make_live(
        author=author,
        reviewer=reviewer,
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "One."},
            {"kind": "symptoms", "heading": "Symptoms", "body": "Two."},
        ],
    )
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    services.update_revision(
        revision=draft,
        by=author,
        expected_version=draft.lock_version,
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "One changed."},
            {"kind": "symptoms", "heading": "Symptoms", "body": "Two changed."},
        ],
    )
    client.force_login(reviewer)
    html = client.get(compare_url(live)).content.decode()
    assert "2 sections changed." in html
    assert 'href="#change-2">Next change</a>' in html
    assert 'href="#change-1">Previous change</a>' in html
    assert 'href="#change-1">First change</a>' in html
