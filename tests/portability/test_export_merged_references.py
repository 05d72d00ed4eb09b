"""An export keeps which records were merged into which, and the import restores it."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from kb.models import Reference, ReferenceAction, ReferenceEvent
from kb.reference_merge import merge_references
from tests.factories import ReferenceFactory
from tests.portability.conftest import wipe as _wipe

pytestmark = pytest.mark.django_db


def test_merged_records_survive_a_round_trip(reviewer, tmp_path):
    keep = ReferenceFactory(key="hart2002", title="Cramps")
    twin = ReferenceFactory(key="hart2002b", title="Cramps")
    merge_references(keep=keep, merge=twin, by=reviewer, note="Same paper.")
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_content", str(first))
    data = json.loads(first.read_text())
    by_key = {r["key"]: r for r in data["references"]}
    assert by_key["hart2002b"]["merged_into"] == "hart2002"
    assert by_key["hart2002"]["merged_into"] is None

    _wipe()
    call_command("import_content", str(first))
    assert Reference.objects.get(key="hart2002b").merged_into.key == "hart2002"
    assert ReferenceEvent.objects.filter(action=ReferenceAction.MERGED_INTO).count() == 1
    call_command("export_content", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_an_export_naming_an_unknown_merge_target_is_refused(reviewer, tmp_path):
    from django.core.management.base import CommandError

    ReferenceFactory(key="hart2002b", title="Cramps")
    path = tmp_path / "lib.json"
    call_command("export_content", str(path))
    data = json.loads(path.read_text())
    data["references"][0]["merged_into"] = "nosuchkey"
    path.write_text(json.dumps(data))
    _wipe()
    with pytest.raises(CommandError, match="merged_into"):
        call_command("import_content", str(path))
    assert not Reference.objects.exists()
