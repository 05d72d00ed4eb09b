"""Export → import into an empty database → export is byte-identical; bad files change
nothing and say what is wrong."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kb import workflow
from kb.models import Condition, Reference, Revision, Section
from kb.portability import dumps, export_library
from tests.factories import make_live
from tests.portability.conftest import wipe

pytestmark = pytest.mark.django_db


def test_round_trip_is_byte_identical(library, tmp_path):
    first = tmp_path / "first.json"
    second = tmp_path / "second.json"
    call_command("export_content", str(first))
    wipe()
    assert not Condition.objects.exists()
    call_command("import_content", str(first))
    call_command("export_content", str(second))
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text())
    assert {c["slug"] for c in data["conditions"]} == {"cfs", "gone-now", "draft-only"}
    assert data["format"] == "kb-library" and data["version"] == 1


def test_imported_library_behaves(library, tmp_path, client):
    path = tmp_path / "lib.json"
    call_command("export_content", str(path))
    wipe()
    call_command("import_content", str(path))
    assert client.get("/conditions/cfs/").status_code == 200
    assert client.get("/conditions/gone-now/").status_code == 410
    assert client.get("/conditions/gone/").status_code in (301, 410)
    live = Condition.objects.get(slug="cfs").published_revision
    assert list(live.citations.values_list("reference__key", flat=True)) == ["jansen1991"]
    with pytest.raises(Exception):  # noqa: B017 - the guard must still hold after import
        Section.objects.filter(revision=live).update(body="x")


def _broken(library, mutate):
    data = export_library()
    mutate(data)
    return dumps(data)


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d.update(version=99), "version"),
        (lambda d: d["conditions"][0]["revisions"][0].update(status="published"),
         "conditions[0].revisions[0].status"),
        (lambda d: d["conditions"][0]["revisions"][0].update(created_by="ghost"),
         "not in the users list"),
        (lambda d: d["conditions"][0].update(published_revision=2),
         "published_revision: must name an approved revision"),
        (lambda d: d["conditions"][0]["revisions"][0]["sections"][0].update(kind="poem"),
         "sections[0].kind"),
        (lambda d: d["conditions"][0]["revisions"][0]["reviews"][0].update(
            next_review_due="2000-01-01"), "next_review_due"),
        (lambda d: d["conditions"][1].update(slug=d["conditions"][0]["slug"]), "appears twice"),
        (lambda d: d["conditions"][0]["events"][0].update(created_at="yesterday"),
         "ISO 8601"),
    ],
)  # fmt: skip
def test_malformed_import_refused_and_nothing_written(library, tmp_path, mutate, message):
    text = _broken(library, mutate)
    wipe()
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(CommandError) as info:
        call_command("import_content", str(path))
    assert message in str(info.value)
    assert "Nothing was imported" in str(info.value)
    assert not Condition.objects.exists()
    assert not Revision.objects.exists()
    assert not Reference.objects.exists()


def test_not_json_refused(tmp_path, db):
    path = tmp_path / "bad.json"
    path.write_text("{ this is not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_content", str(path))


def test_missing_file_refused(tmp_path, db):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_content", str(tmp_path / "nope.json"))


def test_import_refuses_existing_conditions(library, tmp_path):
    path = tmp_path / "lib.json"
    call_command("export_content", str(path))
    before = Revision.objects.count()
    with pytest.raises(CommandError, match="already exist"):
        call_command("import_content", str(path))
    assert Revision.objects.count() == before


def test_a_merge_and_a_note_for_readers_survive_export_and_import(
    library, author, reviewer, publisher, tmp_path, client
):
    dup = make_live(author=author, reviewer=reviewer, slug="cfs-duplicate", name="CFS twin")
    workflow.merge(
        condition=dup.condition,
        into=library.condition,
        by=publisher,
        reason="Duplicate.",
        public_reason="Now part of the main article.",
    )
    path = tmp_path / "lib.json"
    call_command("export_content", str(path))
    wipe()
    call_command("import_content", str(path))
    merged = Condition.objects.get(slug="cfs-duplicate")
    assert merged.merged_into.slug == "cfs"
    assert merged.withdrawn_public_reason == "Now part of the main article."
    response = client.get("/conditions/cfs-duplicate/")
    assert (response.status_code, response["Location"]) == (301, "/conditions/cfs/")


def test_comments_are_exported_and_restored(library, tmp_path):
    data = export_library()
    (cfs,) = [c for c in data["conditions"] if c["slug"] == "cfs"]
    sent_back = cfs["revisions"][-1]
    assert [
        (c["body"], c["section"], c["thread"], c["resolves"]) for c in sent_back["comments"]
    ] == [
        ("Which study is this?", 0, None, False),
        ("The 1991 series.", 0, 0, False),
        ("Thanks.", 0, 0, True),
        ("Shorten the summary.", None, None, False),
    ]
    assert sent_back["comments"][0]["quote"] == "Gonçalves"
    path = tmp_path / "lib.json"
    path.write_text(dumps(data))
    wipe()
    call_command("import_content", str(path))
    from kb.selectors import comment_threads

    revision = Revision.objects.get(condition__slug="cfs", number=2)
    first, second = comment_threads(revision=revision)
    assert first.comment.section == revision.sections.get()
    assert [r.body for r in first.replies] == ["The 1991 series."]
    assert first.resolution.author.username == "rita" and not second.is_resolved


@pytest.mark.parametrize(
    "change,message",
    [
        ({"thread": 7}, "names no earlier thread"),
        ({"section": 5}, "names no section of this revision"),
        ({"body": "", "resolves": False}, "a comment needs text"),
        ({"author": "ghost"}, "is not in the users list"),
    ],
)
def test_bad_comments_are_refused_with_their_place(library, tmp_path, change, message):
    def mutate(data):
        (cfs,) = [c for c in data["conditions"] if c["slug"] == "cfs"]
        cfs["revisions"][-1]["comments"][1].update(change)

    path = tmp_path / "bad.json"
    path.write_text(_broken(library, mutate))
    wipe()
    with pytest.raises(CommandError, match=r"comments\[1\]") as refused:
        call_command("import_content", str(path))
    assert message in str(refused.value)
    assert not Condition.objects.exists()
