"""The "Add condition" form asks for the name first and fills the web address from it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from kb.admin.forms import NewConditionForm

pytestmark = pytest.mark.django_db


def test_name_comes_before_the_web_address():
    assert list(NewConditionForm().fields)[:2] == ["name", "slug"]


def test_the_slug_follows_the_name():
    form = NewConditionForm()
    assert json.loads(form.prepopulated_fields_json()) == [
        {
            "id": "#id_slug",
            "name": "slug",
            "dependency_ids": ["#id_name"],
            "dependency_list": ["name"],
            "maxLength": 120,
            "allowUnicode": False,
        }
    ]


def test_the_add_page_loads_the_admin_prepopulate_script(client, author):
    client.force_login(author)
    page = client.get(reverse("admin:kb_condition_add")).content.decode()
    assert "admin/js/prepopulate.js" in page
    assert 'id="django-admin-prepopulated-fields-constants"' in page
    assert "admin/js/prepopulate_init.js" in page
    assert page.index('id="id_name"') < page.index('id="id_slug"')
