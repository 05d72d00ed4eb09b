"""The revision form's sections and the desk's forms in Chromium: up/down buttons, a new
section at the end, removing asks once, the slug follows the name, the lists fit 1280 px,
and axe-core finds no serious or critical violation on the revision form.

Screenshots go to test-artifacts/ (and to SHOTS_DIR when set) for people to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.roles import AUTHOR, MEDICAL_REVIEWER
from kb.models import Condition, Revision
from tests.browser import test_accessibility
from tests.browser.test_editorial_flow import sign_in
from tests.factories import ReferenceFactory, UserFactory, make_draft, make_live

violations = test_accessibility.violations
axe_path = test_accessibility.axe_path  # the fixture that finds axe-core

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "Muscles cramp and twitch [@hart2002]."},
    {"kind": "causes", "heading": "Causes", "body": "Often no cause is found."},
    {"kind": "treatment", "heading": "Treatment", "body": "Stretching helps."},
]


@pytest.fixture
def browser_context_args(browser_context_args):
    """axe-core is injected as a script tag, so this context ignores the CSP (the desk's own
    scripts are static files, and test_editorial_flow.py runs the desk under the policy)."""
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def shots(artifacts) -> list[Path]:
    folders = [artifacts]
    if os.environ.get("SHOTS_DIR"):
        folders.append(Path(os.environ["SHOTS_DIR"]))
        folders[-1].mkdir(parents=True, exist_ok=True)
    return folders


def shoot(page, shots: list[Path], name: str) -> None:
    for folder in shots:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.fixture
def draft(db):
    author = UserFactory(username="writer", role=AUTHOR)
    ReferenceFactory(key="hart2002", title="Phenotypic variants of nerve hyperexcitability")
    return make_draft(author=author, slug="cramp", name="Cramp", sections=SECTIONS)


def order_in_page(page) -> list[tuple[str, str]]:
    return [
        tuple(row)
        for row in page.evaluate(
            """() => Array.from(document.querySelectorAll('#sections-group .inline-related'))
             .filter(row => !row.classList.contains('empty-form'))
             .map(row => [row.querySelector('[name$="-heading"]').value,
                          row.querySelector('[name$="-position"]').value])"""
        )
    ]


def test_revision_form_has_no_serious_violations(live_server, page, draft, axe_path, shots):
    base = live_server.url
    sign_in(page, base, "writer")
    page.goto(f"{base}/admin/kb/condition/add/")
    shoot(page, shots, "desk-condition-add-1280")
    found = violations(page, axe_path)
    assert not found, f"add condition: {found}"

    page.goto(f"{base}/admin/kb/revision/{draft.pk}/change/")
    page.wait_for_selector(".kb-move-up")
    shoot(page, shots, "desk-revision-form-1280")
    found = violations(page, axe_path)
    assert not found, f"revision form: {found}"

    page.click("text=Add another Section")
    page.wait_for_selector("#sections-4")
    found = violations(page, axe_path)
    assert not found, f"revision form with an added section: {found}"


def test_up_and_down_buttons_move_a_section_and_the_order_is_saved(live_server, page, draft):
    base = live_server.url
    sign_in(page, base, "writer")
    page.goto(f"{base}/admin/kb/revision/{draft.pk}/change/")
    page.get_by_role("button", name="Move “Treatment” up").click()
    assert order_in_page(page)[:3] == [("Overview", "10"), ("Treatment", "20"), ("Causes", "30")]
    # The focus stays on the button pressed, and the move is announced.
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == (
        "Move “Treatment” up"
    )
    expect(page.locator("#kb-sections-status")).to_contain_text("section 2 of")
    page.get_by_role("button", name="Move “Overview” down").click()
    assert [h for h, _ in order_in_page(page)[:3]] == ["Treatment", "Overview", "Causes"]
    assert page.get_by_role("button", name="Move “Treatment” up").is_disabled()

    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    saved = Revision.objects.get(pk=draft.pk).sections.order_by("position", "id")
    assert [s.heading for s in saved] == ["Treatment", "Overview", "Causes"]


def test_an_added_section_goes_at_the_end_with_the_next_usual_kind(live_server, page, draft):
    base = live_server.url
    sign_in(page, base, "writer")
    page.goto(f"{base}/admin/kb/revision/{draft.pk}/change/")
    page.fill("#id_sections-1-position", "35")  # a number the author typed stays as typed
    page.click("text=Add another Section")
    new = page.locator("#sections-4")
    assert page.locator("#id_sections-1-position").input_value() == "35"
    # Overview and causes are written; symptoms comes next in the usual order. The blank
    # section the server offers (#sections-3) proposed it already, so the added one goes on.
    assert page.locator("#id_sections-3-kind").input_value() == "symptoms"
    assert new.locator("select[name$='-kind']").input_value() == "diagnosis"
    assert new.locator("input[name$='-position']").input_value() == "50"
    new.locator("input[name$='-heading']").fill("Diagnosis")
    new.locator("textarea[name$='-body']").fill("A nerve test confirms it.")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    saved = Revision.objects.get(pk=draft.pk).sections.order_by("position", "id")
    assert [(s.heading, s.kind) for s in saved] == [
        ("Overview", "overview"),
        ("Treatment", "treatment"),
        ("Causes", "causes"),
        ("Diagnosis", "diagnosis"),
    ]


def test_removing_a_section_asks_once(live_server, page, draft):
    base = live_server.url
    sign_in(page, base, "writer")
    page.goto(f"{base}/admin/kb/revision/{draft.pk}/change/")
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    box = page.locator("#id_sections-1-DELETE")
    box.click()
    assert asked == ["Remove “Causes” from this revision when you save?"]
    assert not box.is_checked()
    box.click()
    assert len(asked) == 2 and box.is_checked()
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert len(asked) == 2  # saving does not ask again
    saved = Revision.objects.get(pk=draft.pk).sections.order_by("position", "id")
    assert [s.heading for s in saved] == ["Overview", "Treatment"]


def test_the_web_address_follows_the_name(live_server, page, draft):
    base = live_server.url
    sign_in(page, base, "writer")
    page.goto(f"{base}/admin/kb/condition/add/")
    page.locator("#id_name").press_sequentially("Isaacs' Syndrome")
    assert page.locator("#id_slug").input_value() == "isaacs-syndrome"
    page.fill("#id_summary", "Overactive nerves keep muscles working.")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/kb/revision/\d+/change/$"))
    assert Condition.objects.filter(slug="isaacs-syndrome").exists()


@pytest.mark.parametrize("model", ["condition", "reference"])
def test_the_lists_show_every_column_at_1280px(live_server, page, draft, shots, model):
    reviewer = UserFactory(username="doctor", role=MEDICAL_REVIEWER)
    make_live(
        author=draft.created_by,
        reviewer=reviewer,
        slug="cramp-fasciculation-syndrome",
        name="Cramp-fasciculation syndrome",
    )
    for n in range(3):
        ReferenceFactory(
            key=f"longdoi{n}",
            title="Cramp-fasciculation syndrome in adults: a long-term follow-up study",
            doi=f"10.1016/j.neuromuscular-disorders.2020.01.00{n}",
            pmid=f"3198765{n}",
        )
    # A superuser sees every column, the action checkboxes too: the widest list there is.
    UserFactory(username="chief", role=AUTHOR, is_superuser=True)
    base = live_server.url
    sign_in(page, base, "chief")
    page.goto(f"{base}/admin/kb/{model}/")
    shoot(page, shots, f"desk-{model}-list-1280")
    hidden = page.evaluate(
        """() => {
            const box = document.querySelector('#changelist .results');
            const page = document.documentElement;
            return [box.scrollWidth - box.clientWidth, page.scrollWidth - page.clientWidth];
        }"""
    )
    assert hidden == [0, 0], f"the {model} list is cut off by {hidden} px"
