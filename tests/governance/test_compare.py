"""Comparing two revisions: the pure comparison and the side-by-side page of the desk."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kb import services, workflow
from kb.compare import (
    Change,
    RevisionSnapshot,
    SectionSnapshot,
    compare_revisions,
    diff_words,
    load_snapshots,
)
from kb.models import Revision
from tests.factories import ReferenceFactory, UserFactory, make_draft, make_live


def section(kind: str, heading: str, body: str) -> SectionSnapshot:
    return SectionSnapshot(kind=kind, kind_label=kind.title(), heading=heading, body=body)


def snapshot(number: int = 1, *, sections=(), **fields) -> RevisionSnapshot:
    defaults = {"status_label": "approved", "name": "Cramp syndrome", "summary": "A summary."}
    return RevisionSnapshot(number=number, sections=tuple(sections), **{**defaults, **fields})


OVERVIEW = section("overview", "Overview", "Muscles twitch and cramp.")
CAUSES = section("causes", "Causes", "Often no cause is found.")
SYMPTOMS = section("symptoms", "Symptoms", "Twitching, cramps and stiffness.")
TREATMENT = section("treatment", "Treatment", "Stretching helps many people.")


def by_heading(comparison) -> dict[str, object]:
    return {(row.new or row.old).heading: row for row in comparison.sections}


# --- sections ----------------------------------------------------------------------------


def test_added_removed_moved_changed_and_unchanged_sections():
    old = snapshot(1, sections=[OVERVIEW, CAUSES, SYMPTOMS, TREATMENT])
    edited_symptoms = section("symptoms", "Symptoms", "Twitching, cramps and tiredness.")
    outlook = section("prognosis", "Outlook", "Most people stay well.")
    # Treatment moves to the top, Causes is dropped, Symptoms is edited, Outlook is new.
    new = snapshot(2, sections=[TREATMENT, OVERVIEW, edited_symptoms, outlook])

    rows = by_heading(compare_revisions(old=old, new=new))

    assert rows["Overview"].change == Change.UNCHANGED
    assert rows["Overview"].label == "Unchanged"
    assert rows["Causes"].change == Change.REMOVED
    assert rows["Causes"].label == "Removed"
    assert rows["Causes"].new is None
    assert rows["Treatment"].change == Change.MOVED
    assert rows["Treatment"].label == "Moved from position 4 to 1"
    assert rows["Symptoms"].change == Change.CHANGED
    assert rows["Symptoms"].label == "Changed"
    assert rows["Outlook"].change == Change.ADDED
    assert rows["Outlook"].label == "Added"
    assert rows["Outlook"].old is None


def test_sections_listed_in_new_order_with_removed_ones_where_they_were():
    old = snapshot(1, sections=[OVERVIEW, CAUSES, SYMPTOMS])
    new = snapshot(2, sections=[OVERVIEW, SYMPTOMS])

    rows = compare_revisions(old=old, new=new).sections

    assert [(r.new or r.old).heading for r in rows] == ["Overview", "Causes", "Symptoms"]
    assert [r.change for r in rows] == [Change.UNCHANGED, Change.REMOVED, Change.UNCHANGED]


def test_inserting_a_section_does_not_mark_the_ones_below_as_moved():
    old = snapshot(1, sections=[OVERVIEW, SYMPTOMS, TREATMENT])
    new = snapshot(2, sections=[CAUSES, OVERVIEW, SYMPTOMS, TREATMENT])

    comparison = compare_revisions(old=old, new=new)

    assert comparison.section_counts == {
        "added": 1,
        "removed": 0,
        "moved": 0,
        "changed": 0,
        "unchanged": 3,
    }


def test_edited_and_moved_section_says_both():
    old = snapshot(1, sections=[OVERVIEW, SYMPTOMS, TREATMENT])
    moved = section("treatment", "Treatment", "Stretching helps most people.")
    new = snapshot(2, sections=[moved, OVERVIEW, SYMPTOMS])

    row = by_heading(compare_revisions(old=old, new=new))["Treatment"]

    assert row.change == Change.CHANGED
    assert row.moved
    assert row.label == "Changed and moved from position 3 to 1"


def test_only_the_changed_words_are_marked():
    old = snapshot(1, sections=[section("overview", "Overview", "The cramps get worse at night.")])
    new = snapshot(2, sections=[section("overview", "Overview", "The spasms get worse at night.")])

    row = compare_revisions(old=old, new=new).sections[0]

    assert row.body.deleted == ("cramps",)
    assert row.body.inserted == ("spasms",)
    assert row.body.old_html == "The <del>cramps</del> get worse at night."
    assert row.body.new_html == "The <ins>spasms</ins> get worse at night."
    assert not row.heading.changed


def test_word_diff_marks_a_rewritten_phrase_and_keeps_punctuation_outside():
    diff = diff_words(
        old="Muscle twitching, often in the calves.", new="Muscle twitching, mostly in the feet."
    )

    assert diff.deleted == ("often", "calves")
    assert diff.inserted == ("mostly", "feet")
    assert diff.new_html == "Muscle twitching, <ins>mostly</ins> in the <ins>feet</ins>."


def test_script_in_section_text_is_escaped_inside_the_diff():
    old = snapshot(1, sections=[section("overview", "Overview", "Safe text.")])
    new = snapshot(
        2,
        sections=[section("overview", "Overview <b>", 'Safe <script>alert("x")</script> text.')],
    )

    row = compare_revisions(old=old, new=new).sections[0]

    assert "<script>" not in row.body.new_html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in row.body.new_html
    assert "<ins>" in row.body.new_html
    assert "<b>" not in row.heading.new_html
    assert "&lt;b&gt;" in row.heading.new_html


def test_renamed_standard_heading_is_the_same_section():
    old = snapshot(1, sections=[OVERVIEW, SYMPTOMS])
    renamed = section("symptoms", "Symptoms and signs", SYMPTOMS.body)
    new = snapshot(2, sections=[OVERVIEW, renamed])

    rows = compare_revisions(old=old, new=new).sections

    assert [r.change for r in rows] == [Change.UNCHANGED, Change.CHANGED]
    assert rows[1].heading.inserted == ("and signs",)
    assert not rows[1].body.changed


def test_custom_sections_pair_by_text_not_by_kind_alone():
    case = section("custom", "Case report", "A runner had cramps in both calves for a year.")
    renamed_case = section("custom", "A case", "A runner had cramps in both calves for two years.")
    unrelated = section("custom", "Living with it", "Support groups meet every month.")
    old = snapshot(1, sections=[OVERVIEW, case])
    new = snapshot(2, sections=[OVERVIEW, unrelated, renamed_case])

    rows = by_heading(compare_revisions(old=old, new=new))

    assert rows["A case"].change == Change.CHANGED
    assert rows["A case"].old == case
    assert rows["Living with it"].change == Change.ADDED


def test_a_section_whose_kind_changed_is_removed_and_added():
    old = snapshot(1, sections=[section("causes", "Triggers", "Exercise and cold.")])
    new = snapshot(2, sections=[section("symptoms", "Triggers", "Exercise and cold.")])

    changes = [r.change for r in compare_revisions(old=old, new=new).sections]

    assert sorted(changes) == [Change.ADDED, Change.REMOVED]


def test_repeated_headings_pair_in_reading_order():
    first = section("custom", "Notes", "First note.")
    second = section("custom", "Notes", "Second note.")
    old = snapshot(1, sections=[first, second])
    new = snapshot(2, sections=[first, section("custom", "Notes", "Second note, edited.")])

    rows = compare_revisions(old=old, new=new).sections

    assert [r.change for r in rows] == [Change.UNCHANGED, Change.CHANGED]
    assert rows[1].body.inserted == (", edited",)


# --- metadata and citations --------------------------------------------------------------


def test_metadata_changes():
    old = snapshot(1, name="Cramp syndrome", also_known_as=("CFS", "Cramp-fasciculation"))
    new = snapshot(
        2,
        name="Cramp-fasciculation syndrome",
        summary="A summary, shorter.",
        also_known_as=("CFS", "Benign cramp syndrome"),
    )

    comparison = compare_revisions(old=old, new=new)

    assert comparison.metadata_changed
    assert comparison.name.changed
    assert comparison.name.diff.deleted == ()
    assert comparison.name.diff.inserted == ("-fasciculation",)
    assert comparison.summary.diff.inserted == (", shorter",)
    assert comparison.also_known_as.added == ("Benign cramp syndrome",)
    assert comparison.also_known_as.removed == ("Cramp-fasciculation",)


def test_citation_changes_by_reference_key():
    old = snapshot(1, citation_keys=("tahmoush1991", "jansen1991"))
    new = snapshot(
        2,
        citation_keys=("jansen1991", "hart2002"),
        reference_titles={"hart2002": "Phenotypic variants"},
    )

    comparison = compare_revisions(old=old, new=new)

    assert [(c.key, c.change) for c in comparison.citations] == [
        ("jansen1991", Change.UNCHANGED),
        ("hart2002", Change.ADDED),
        ("tahmoush1991", Change.REMOVED),
    ]
    assert [c.key for c in comparison.citations_added] == ["hart2002"]
    assert comparison.citations_added[0].title == "Phenotypic variants"
    assert [c.key for c in comparison.citations_removed] == ["tahmoush1991"]


def test_identical_revisions_have_no_changes():
    old = snapshot(1, sections=[OVERVIEW, SYMPTOMS], citation_keys=("a1",))
    new = snapshot(2, sections=[OVERVIEW, SYMPTOMS], citation_keys=("a1",))

    comparison = compare_revisions(old=old, new=new)

    assert not comparison.has_changes
    assert not comparison.metadata_changed
    assert {r.change for r in comparison.sections} == {Change.UNCHANGED}
    assert all(not r.body.changed for r in comparison.sections)


# --- loading from the database ------------------------------------------------------------


def start_and_edit(*, live: Revision, by, sections: list[dict], **fields) -> Revision:
    draft = workflow.start_new_draft(condition=live.condition, by=by)
    return services.update_revision(
        revision=draft, by=by, expected_version=draft.lock_version, sections=sections, **fields
    )


@pytest.mark.django_db
def test_snapshots_cite_recorded_references_when_approved_and_text_keys_in_drafts(author, reviewer):
    ReferenceFactory(key="jansen1991", title="Cramp-fasciculation syndrome")
    ReferenceFactory(key="hart2002", title="Phenotypic variants")
    live = make_live(
        author=author,
        reviewer=reviewer,
        sections=[{"kind": "overview", "heading": "Overview", "body": "Rare [@jansen1991]."}],
    )
    draft = start_and_edit(
        live=live,
        by=author,
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Rare [@hart2002]. [@nowhere]"}
        ],
    )

    snapshots = load_snapshots(revisions=Revision.objects.filter(pk__in=[live.pk, draft.pk]))

    assert snapshots[live.pk].citation_keys == ("jansen1991",)
    assert snapshots[live.pk].status_label == "approved, live"
    assert snapshots[draft.pk].citation_keys == ("hart2002", "nowhere")
    assert snapshots[draft.pk].reference_titles == {"hart2002": "Phenotypic variants"}
    comparison = compare_revisions(old=snapshots[live.pk], new=snapshots[draft.pk])
    assert [c.key for c in comparison.citations_added] == ["hart2002", "nowhere"]
    assert [c.key for c in comparison.citations_removed] == ["jansen1991"]


# --- the page in the desk -----------------------------------------------------------------


def compare_page(condition_id: int, **params) -> str:
    url = reverse("admin:kb_condition_compare", args=[condition_id])
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{url}?{query}" if query else url


@pytest.fixture
def live_and_draft(author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    draft = start_and_edit(
        live=live,
        by=author,
        sections=[
            {"kind": "symptoms", "heading": "Symptoms", "body": "- twitching\n- cramps"},
            {"kind": "overview", "heading": "Overview", "body": "An overview <script>x</script>."},
            {"kind": "prognosis", "heading": "Outlook", "body": "Usually good."},
        ],
        summary="A shorter test summary.",
    )
    return live, draft


@pytest.mark.django_db
def test_default_pair_is_the_draft_against_live(client, reviewer, live_and_draft):
    live, draft = live_and_draft
    client.force_login(reviewer)

    response = client.get(compare_page(live.condition_id))

    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison.old.number, comparison.new.number) == (live.number, draft.number)
    html = response.content.decode()
    assert "Revision 1 (approved, live)" in html
    assert "Revision 2 (draft)" in html
    assert "Changed and moved from position 1 to 2" in html
    assert "Added" in html and "Changed" in html
    assert "<ins>shorter</ins>" in html
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    # The choice form lists every revision, with the pair preselected.
    assert response.context["form"].initial == {"from": 1, "to": 2}


@pytest.mark.django_db
def test_without_an_open_revision_the_two_latest_are_compared(client, author, reviewer):
    live = make_live(author=author, reviewer=reviewer)
    second = start_and_edit(
        live=live, by=author, sections=[{"kind": "overview", "heading": "Overview", "body": "B"}]
    )
    workflow.submit(revision=second, by=author)
    workflow.approve(revision=second, by=reviewer)
    client.force_login(reviewer)

    comparison = client.get(compare_page(live.condition_id)).context["comparison"]

    assert (comparison.old.number, comparison.new.number) == (1, 2)


@pytest.mark.django_db
def test_a_single_revision_has_nothing_to_compare(client, author):
    draft = make_draft(author=author)
    client.force_login(author)

    response = client.get(compare_page(draft.condition_id))

    assert response.status_code == 200
    assert response.context["comparison"] is None
    assert "nothing to compare" in response.content.decode()


@pytest.mark.django_db
def test_explicit_pair_in_either_direction(client, reviewer, live_and_draft):
    live, draft = live_and_draft
    client.force_login(reviewer)

    response = client.get(compare_page(live.condition_id, **{"from": 2, "to": 1}))

    comparison = response.context["comparison"]
    assert (comparison.old.number, comparison.new.number) == (2, 1)
    assert comparison.summary.diff.deleted == ("shorter",)


@pytest.mark.django_db
def test_revision_of_another_condition_is_not_found(client, author, reviewer, live_and_draft):
    live, _ = live_and_draft
    other = make_live(author=author, reviewer=reviewer, slug="other", name="Other")
    second = start_and_edit(
        live=other, by=author, sections=[{"kind": "overview", "heading": "O", "body": "x"}]
    )
    workflow.submit(revision=second, by=author)
    workflow.approve(revision=second, by=reviewer)
    third = workflow.start_new_draft(condition=other.condition, by=author)
    assert third.number == 3  # exists for the other condition only
    client.force_login(reviewer)

    assert client.get(compare_page(live.condition_id, **{"from": 1, "to": 3})).status_code == 404
    assert client.get(compare_page(999999, **{"from": 1, "to": 2})).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"from": "abc", "to": "1"},
        {"from": "1", "to": "-2"},
        {"from": "1.5", "to": "2"},
        {"from": "²", "to": "1"},
        {"from": "0", "to": "1"},
        {"from": "1", "to": "99999999999999999999"},
        {"from": "1"},
        {"to": ""},
    ],
)
def test_bad_revision_numbers_are_a_bad_request(client, reviewer, live_and_draft, params):
    live, _ = live_and_draft
    client.force_login(reviewer)

    response = client.get(compare_page(live.condition_id, **params))

    assert response.status_code == 400
    assert b"Choose two revisions" in response.content


@pytest.mark.django_db
def test_compare_needs_staff_with_view_revision(client, nobody, live_and_draft):
    live, _ = live_and_draft
    url = compare_page(live.condition_id)

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert reverse("admin:login") in anonymous.url

    client.force_login(nobody)  # staff, but no permissions
    assert client.get(url).status_code == 403

    outsider = UserFactory(is_staff=False, role="Medical reviewer")
    client.force_login(outsider)
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_compare_costs_the_same_queries_for_2_or_40_sections(client, author, reviewer):
    def queries_for(slug: str, count: int) -> int:
        ReferenceFactory(key=f"{slug}ref")
        sections = [
            {"kind": "custom", "heading": f"Part {n}", "body": f"Text {n} [@{slug}ref]."}
            for n in range(count)
        ]
        live = make_live(author=author, reviewer=reviewer, slug=slug, sections=sections)
        start_and_edit(live=live, by=author, sections=[*sections[1:], sections[0]])
        client.force_login(reviewer)
        client.get(compare_page(live.condition_id))  # warm caches (session, content types)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(compare_page(live.condition_id))
        assert response.status_code == 200
        assert len(response.context["comparison"].sections) == count
        return len(captured)

    assert queries_for("small", 2) == queries_for("large", 40)


@pytest.mark.django_db
def test_compare_links_on_revision_page_and_history(client, author, reviewer, live_and_draft):
    live, draft = live_and_draft
    client.force_login(reviewer)
    compare = compare_page(live.condition_id, **{"from": 1, "to": 2}).replace("&", "&amp;")

    draft_page = client.get(reverse("admin:kb_revision_change", args=[draft.pk]))
    assert "Compare with live" in draft_page.content.decode()
    assert compare in draft_page.content.decode()

    condition_page = client.get(reverse("admin:kb_condition_change", args=[live.condition_id]))
    html = condition_page.content.decode()
    assert compare in html
    assert "compare with live" in html
    assert reverse("admin:kb_condition_compare", args=[live.condition_id]) in html
