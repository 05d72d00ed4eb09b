"""A corpus of malformed files, each derived from a real export by one change.

Every one must be refused with the place in the file and what is wrong there, write
nothing, and never end in a traceback: the file is held to the rules of the models and
forms, whatever the database would or would not have caught.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from kb.models import Condition, Reference, Revision
from kb.portability import ImportRefused, dumps, export_library, import_library
from tests.portability.conftest import wipe

pytestmark = pytest.mark.django_db


def cond(d, i=0):
    return d["conditions"][i]


def rev(d, j=0):
    return cond(d)["revisions"][j]


def drop(obj, key):
    del obj[key]


def copy_reference(d, **changes):
    d["references"].append({**d["references"][0], **changes})


CORPUS = [
    ("slug with spaces",
     lambda d: cond(d).update(slug="a slug with spaces"), "conditions[0].slug:"),
    ("upper-case slug, refused by the desk's form",
     lambda d: cond(d).update(slug="Upper-Case"), "conditions[0].slug:"),
    ("names of the wrong type",
     lambda d: rev(d).update(also_known_as=[1, None, {"a": 1}]),
     "conditions[0].revisions[0].also_known_as[0]:"),
    ("position out of range",
     lambda d: rev(d)["sections"][0].update(position=2**40),
     "conditions[0].revisions[0].sections[0].position:"),
    ("negative position",
     lambda d: rev(d)["sections"][0].update(position=-1),
     "conditions[0].revisions[0].sections[0].position:"),
    ("over-long name",
     lambda d: rev(d).update(name="x" * 500), "conditions[0].revisions[0].name:"),
    ("year not a number",
     lambda d: d["references"][0].update(year="abc"), "references[0].year:"),
    ("month out of range",
     lambda d: d["references"][0].update(month=13), "references[0].month:"),
    ("impossible date",
     lambda d: rev(d)["reviews"][0].update(reviewed_on="2026-13-45"),
     "conditions[0].revisions[0].reviews[0].reviewed_on:"),
    ("impossible date-time",
     lambda d: cond(d).update(created_at="2026-13-45T10:00:00+00:00"),
     "conditions[0].created_at:"),
    ("missing key",
     lambda d: drop(rev(d), "summary"), "conditions[0].revisions[0].summary:"),
    ("number as text",
     lambda d: rev(d).update(lock_version="3"), "conditions[0].revisions[0].lock_version:"),
    ("heading null",
     lambda d: rev(d)["sections"][0].update(heading=None),
     "conditions[0].revisions[0].sections[0].heading:"),
    ("kind of the wrong type",
     lambda d: rev(d)["sections"][0].update(kind=["overview"]),
     "conditions[0].revisions[0].sections[0].kind:"),
    ("unknown reference",
     lambda d: rev(d)["citations"][0].update(key="nobody2000"),
     "conditions[0].revisions[0].citations[0].key:"),
    ("unknown user",
     lambda d: cond(d)["events"][0].update(actor="ghost"), "conditions[0].events[0].actor:"),
    ("duplicate slug",
     lambda d: cond(d, 1).update(slug=cond(d)["slug"]), "conditions[1].slug:"),
    ("former slug of one condition is the slug of another",
     lambda d: cond(d).update(old_slugs=[cond(d, 1)["slug"]]),
     "conditions[1].slug: 'draft-only' appears twice (also at conditions[0].old_slugs[0])"),
    ("duplicate DOI",
     lambda d: copy_reference(d, key="copy2000", pmid=None), "references[1].doi:"),
    ("not an e-mail address",
     lambda d: d["users"][0].update(email="not an address"), "users[0].email:"),
    ("over-long clinical code",
     lambda d: cond(d)["codes"][0].update(code="G" * 41), "conditions[0].codes[0].code:"),
    ("sequence out of range",
     lambda d: cond(d)["public_changes"][0].update(sequence=2**70),
     "conditions[0].public_changes[0].sequence:"),
    ("authors not a list",
     lambda d: d["references"][0].update(authors="Jansen PH"), "references[0].authors:"),
    ("not a URL",
     lambda d: d["references"][0].update(url="not a url"), "references[0].url:"),
    ("impossible date in an approved citation's snapshot",
     lambda d: rev(d)["citations"][0]["snapshot"].update(accessed_on="2026-13-45"),
     "conditions[0].revisions[0].citations[0].snapshot.accessed_on:"),
    ("authors of a snapshot not a list",
     lambda d: rev(d)["citations"][0]["snapshot"].update(authors={"family": "Jansen"}),
     "conditions[0].revisions[0].citations[0].snapshot.authors:"),
    ("list where an object belongs",
     lambda d: d.update(conditions={"slug": "x"}), "conditions:"),
    ("withdrawal reason of the wrong type",
     lambda d: cond(d, 1).update(withdrawn_reason=5), "conditions[1].withdrawn_reason:"),
]  # fmt: skip


@pytest.mark.parametrize("mutate,where", [pytest.param(m, w, id=name) for name, m, w in CORPUS])
def test_malformed_file_refused_with_its_place(library, tmp_path, mutate, where):
    data = export_library()
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(dumps(data), encoding="utf-8")
    wipe()
    with pytest.raises(CommandError) as info:  # a CommandError, never a traceback
        call_command("import_content", str(path))
    message = str(info.value)
    assert where in message, message
    assert "Nothing was imported" in message
    assert not Condition.objects.exists()
    assert not Revision.objects.exists()
    assert not Reference.objects.exists()
    assert not get_user_model().objects.exists()


def _leaves(value, path=()):
    """Every place in the file that holds a value (and every list and object itself)."""
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, (*path, index))


def _replaced(data, path, new):
    copy = json.loads(json.dumps(data))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return copy


def test_any_value_of_the_wrong_type_is_refused_or_imported(library):
    """Whatever one value of the file is replaced with, import ends in ImportRefused or
    imports: never another exception (which the command would show as a traceback)."""
    data = export_library()
    wipe()
    strange = [None, {}, "x", 2**70, True]
    unexpected = []
    for path in list(_leaves(data))[1:]:
        if path[0] in ("format", "version"):
            continue
        for new in strange:
            with transaction.atomic():
                try:
                    import_library(_replaced(data, path, new))
                except ImportRefused:
                    pass
                except Exception as exc:  # noqa: BLE001 - what this test looks for
                    unexpected.append(f"{path} = {new!r}: {type(exc).__name__}: {exc}")
                transaction.set_rollback(True)
    assert not unexpected, "\n".join(unexpected[:30])
