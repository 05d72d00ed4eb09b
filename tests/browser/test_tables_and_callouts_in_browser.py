"""An article with a table and the four callouts, in Chromium under the site's real CSP:
each box is a visible region named by its heading, the table keeps its header cells, the
page does not scroll sideways at 375 px, and in print every box keeps a black border (so
it survives black-and-white printing). Screenshots are saved for people to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import make_live

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
BODY = """\
| Medicine | Dose | Times a day |
|:---------|-----:|:-----------:|
| Carbamazepine | 200 mg | 2 |
| Phenytoin | 100 mg | 3 |

::: emergency Call 999 if
- you have difficulty breathing
:::

::: urgent Ask for an urgent GP appointment if
- the twitching spreads to other parts of your body
:::

::: non-urgent See a GP if
- cramps last longer than a week
:::

::: info
Most people's symptoms improve with treatment.
:::
"""
REGIONS = [
    ("emergency", "Immediate action required: Call 999 if"),
    ("urgent", "Urgent advice: Ask for an urgent GP appointment if"),
    ("non-urgent", "Non-urgent advice: See a GP if"),
    ("info", "Information"),
]


@pytest.fixture
def published(author, reviewer):
    return make_live(
        author=author,
        reviewer=reviewer,
        slug="neuromyotonia",
        name="Neuromyotonia",
        sections=[
            {"kind": "overview", "heading": "Overview", "body": "Nerves fire too often."},
            {"kind": "treatment", "heading": "Treatment", "body": BODY},
        ],
    )


def test_table_and_callouts_are_visible_and_print(live_server, page, published, artifacts):
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    url = f"{live_server.url}/conditions/neuromyotonia/"

    for width, label in ((1280, "desktop"), (375, "375px")):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        table = page.get_by_role("table")
        expect(table).to_be_visible()
        expect(table.get_by_role("columnheader", name="Medicine")).to_be_visible()
        expect(table.get_by_role("cell", name="200 mg")).to_have_css("text-align", "right")
        for kind, name in REGIONS:
            region = page.get_by_role("region", name=name)
            expect(region).to_be_visible()
            expect(region).to_have_class(f"callout callout-{kind}")
            expect(region.get_by_role("heading", level=3, name=name)).to_be_visible()
            expect(region).not_to_have_css("border-left-width", "0px")
        page.screenshot(path=str(artifacts / f"callouts-{label}.png"), full_page=True)
        scroll = page.evaluate("() => document.documentElement.scrollWidth")
        assert scroll <= width, f"scrolls sideways at {label} ({scroll}px)"

    # Colours differ on screen ...
    backgrounds = {
        page.locator(f".callout-{kind}").evaluate("el => getComputedStyle(el).backgroundColor")
        for kind, _ in REGIONS
    }
    assert len(backgrounds) == len(REGIONS)
    # ... and in print each box has a black border and no background.
    page.emulate_media(media="print")
    for kind, _ in REGIONS:
        box = page.locator(f".callout-{kind}")
        expect(box).to_have_css("border-top-color", "rgb(0, 0, 0)")
        expect(box).to_have_css("border-left-color", "rgb(0, 0, 0)")
        expect(box).to_have_css("background-color", "rgba(0, 0, 0, 0)")
    page.screenshot(path=str(artifacts / "callouts-print.png"), full_page=True)
    assert refused == []
