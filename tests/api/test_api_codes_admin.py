"""Clinical codes are edited with the condition in the editorial desk and found by
partners through ``?code=``."""

from __future__ import annotations

import pytest

from tests.factories import make_live

pytestmark = pytest.mark.django_db


def _form_data(response) -> dict:
    """The change form's current values, as the browser would post them back."""
    data = {}
    admin_form = response.context["adminform"].form
    for name, field in admin_form.fields.items():
        value = admin_form.initial.get(name, field.initial)
        if name == "related":
            data[name] = [getattr(v, "pk", v) for v in (value or [])]
        elif value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for field in formset.management_form:
            data[f"{formset.prefix}-{field.name}"] = field.value()
    return data


def test_publisher_adds_a_code_and_partners_find_the_condition(
    client, api, author, reviewer, publisher
):
    live = make_live(author=author, reviewer=reviewer, slug="cfs", name="CFS")
    client.force_login(publisher)
    url = f"/admin/kb/condition/{live.condition_id}/change/"
    page = client.get(url)
    assert "Clinical codes" in page.content.decode()
    data = _form_data(page)
    prefix = next(
        i.formset.prefix
        for i in page.context["inline_admin_formsets"]
        if i.formset.model.__name__ == "ConditionCode"
    )
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-system": "ICD-10",
            f"{prefix}-0-code": " G12.21 ",
            f"{prefix}-0-display": "Display text",
            f"{prefix}-0-condition": str(live.condition_id),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for i in response.context["inline_admin_formsets"] for f in i.formset.forms
    ]
    found = api.get("/api/v1/conditions/", {"code": "ICD-10|G12.21"}).json()["results"]
    assert [c["slug"] for c in found] == ["cfs"]
    codes = api.get("/api/v1/conditions/cfs/").json()["codes"]
    assert codes == [{"system": "ICD-10", "code": "G12.21", "display": "Display text"}]
