"""Reviewing in Chromium: the compare summary of a one-section edit and its keyboard
navigation, approval of text citing a retracted publication (refused without an
acknowledgement, recorded with it), the change class on the site and in the partner API,
and axe-core finding no serious or critical violation on the compare and approve pages.
Screenshots go to /tmp/shots-approve/."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.models import Partner, PartnerAPIKey
from kb import services, workflow
from kb.models import Review, Revision
from kb.models.review import ATTESTATION
from tests.factories import ReferenceFactory, make_in_review, make_live

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "correct-horse-battery"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path("/tmp/shots-approve")


@pytest.fixture
def browser_context_args(browser_context_args):
    """axe-core is injected as a script tag, which the desk's CSP rightly refuses; this
    context ignores CSP to audit accessibility (test_editorial_flow.py runs under it)."""
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.fixture
def axe_path():
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{AXE} is missing: run npm install.")
        pytest.skip("axe-core is not installed (npm install)")
    return AXE


def serious_violations(page, axe: Path) -> list[dict]:
    page.add_script_tag(path=str(axe))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))


def test_compare_summary_of_a_one_section_edit(
    live_server, page, author, reviewer, shots, axe_path
):
    live = make_live(
        author=author,
        reviewer=reviewer,
        slug="cramp",
        name="Cramp",
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Muscles **twitch** and cramp."},
            {"kind": "symptoms", "heading": "Symptoms", "body": "Cramps at night."},
            {"kind": "treatment", "heading": "Treatment", "body": "- stretching\n- fluids"},
        ],
    )
    draft = workflow.start_new_draft(condition=live.condition, by=author)
    services.update_revision(
        revision=draft,
        by=author,
        expected_version=draft.lock_version,
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Muscles **twitch** and cramp."},
            {"kind": "symptoms", "heading": "Symptoms", "body": "Cramps *mostly* at night."},
            {"kind": "treatment", "heading": "Treatment", "body": "- stretching\n- fluids"},
        ],
    )
    sign_in(page, live_server.url, "rita")
    page.goto(f"{live_server.url}/admin/kb/condition/{live.condition_id}/compare/")

    expect(page.locator("#compare-summary")).to_have_text("1 section changed.")
    expect(page.locator(".compare-change")).to_have_count(1)
    expect(page.locator(".compare-change ins")).to_have_text("mostly")
    expect(page.locator(".compare-change em ins")).to_have_count(1)  # formatting kept
    expect(page.locator("details.compare-unchanged")).not_to_have_attribute("open", "")
    page.screenshot(path=shots / "compare-side-by-side.png", full_page=True)
    assert serious_violations(page, axe_path) == []

    page.keyboard.press("n")  # the next change, from the keyboard
    expect(page).to_have_url(re.compile(r"#change-1$"))
    page.get_by_role("link", name="Inline").click()
    expect(page.locator(".compare-inline")).to_have_count(1)
    expect(page.locator(".compare-inline ins")).to_have_text("mostly")
    page.screenshot(path=shots / "compare-inline.png", full_page=True)
    assert serious_violations(page, axe_path) == []


def test_approval_citing_a_retraction_needs_an_acknowledgement(
    live_server, page, author, reviewer, shots, axe_path
):
    ReferenceFactory(
        key="wakefield1998", title="A retracted series", retracted=True,
        retraction_note="Retracted by the journal in 2010.",
    )  # fmt: skip
    revision = make_in_review(
        author=author,
        slug="cramp",
        name="Cramp",
        sections=[{"kind": "overview", "heading": "Overview", "body": "Claimed [@wakefield1998]."}],
    )
    sign_in(page, live_server.url, "rita")
    page.goto(f"{live_server.url}/admin/kb/revision/{revision.pk}/transition/approve/")
    checks = page.locator("#check-retracted")
    expect(checks).to_contain_text("flagged as retracted")
    expect(checks).to_contain_text("Retracted by the journal in 2010.")
    page.screenshot(path=shots / "approve-retracted.png", full_page=True)
    assert serious_violations(page, axe_path) == []

    page.get_by_label(ATTESTATION).check()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("acknowledge them with your reason")
    assert Revision.objects.get(pk=revision.pk).status == "in_review"
    page.screenshot(path=shots / "approve-refused.png", full_page=True)

    page.get_by_label(ATTESTATION).check()
    page.get_by_label("Why approve although it cites retracted publications").fill(
        "Cited only as the claim the text refutes."
    )
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Approve and publish: done.")
    review = Review.objects.get(revision=revision)
    assert review.retraction_acknowledgement == (
        "[@wakefield1998]: Cited only as the claim the text refutes."
    )
    assert review.attestation == ATTESTATION


def test_change_class_on_the_site_and_in_the_api(
    live_server, page, author, author2, reviewer, reviewer2, shots
):
    live = make_live(author=author, reviewer=reviewer, slug="cramp", name="Cramp")
    draft = workflow.start_new_draft(condition=live.condition, by=author2)
    draft.change_class = "correction"
    draft.change_note = "Fixed a broken link."
    draft.save()
    workflow.submit(revision=draft, by=author2)

    # The reviewer confirms the author's class on the approve page.
    sign_in(page, live_server.url, "ravi")
    page.goto(f"{live_server.url}/admin/kb/revision/{draft.pk}/transition/approve/")
    expect(page.get_by_label("Class of change")).to_have_value("correction")
    page.get_by_label(ATTESTATION).check()
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Approve and publish: done.")

    page.goto(f"{live_server.url}/conditions/cramp/")
    log = page.locator(".change-log")
    expect(log).to_contain_text("(Correction)")
    expect(log).to_contain_text("Fixed a broken link.")
    log.scroll_into_view_if_needed()
    page.screenshot(path=shots / "public-what-changed.png", full_page=True)

    partner = Partner.objects.create(name="North Clinic", contact_email="web@north.example")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="website")
    headers = {"Authorization": f"Api-Key {key}"}
    detail = page.request.get(f"{live_server.url}/api/v1/conditions/cramp/", headers=headers)
    assert detail.json()["change_class"] == "correction"
    feed = page.request.get(
        f"{live_server.url}/api/v1/changes/?change_class=clinical", headers=headers
    )
    assert [(c["revision"], c["change_class"]) for c in feed.json()["results"]] == [(1, "clinical")]


def test_confirm_still_accurate_shows_what_is_confirmed(
    live_server, page, author, reviewer, reviewer2, shots, axe_path
):
    ref = ReferenceFactory(key="hart2002", title="Phenotypic variants")
    live = make_live(
        author=author,
        reviewer=reviewer,
        slug="cramp",
        name="Cramp",
        sections=[{"kind": "overview", "heading": "Overview", "body": "Rare [@hart2002]."}],
    )
    workflow.set_retraction(reference=ref, by=reviewer, retracted=True, note="Retracted 2024.")
    sign_in(page, live_server.url, "ravi")
    page.goto(f"{live_server.url}/admin/kb/condition/{live.condition_id}/confirm-still-accurate/")
    expect(page.locator("#confirm-text-title")).to_have_text("What you are confirming")
    expect(page.get_by_role("link", name="Read the live text (revision 1)")).to_be_visible()
    expect(page.locator(".kb-retracted")).to_have_text("Flagged as retracted")
    page.screenshot(path=shots / "confirm-still-accurate.png", full_page=True)
    assert serious_violations(page, axe_path) == []

    page.get_by_label(ATTESTATION).check()
    page.get_by_label("What you checked").fill("Checked against the 2026 guideline.")
    page.get_by_role("button", name="Confirm still accurate").click()
    expect(page.locator(".messagelist")).to_contain_text("Confirmed still accurate.")
    review = Review.objects.get(kind="reconfirmation")
    assert review.attestation == ATTESTATION
