"""Run in a subprocess by test_replica_routing.py with two SQLite files as two aliases.

Prints one line per check as ``name=value`` for the test to assert on.
"""

from __future__ import annotations

import os
import shutil
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.roles import AUTHOR, MEDICAL_REVIEWER, PUBLISHER  # noqa: E402
from kb import services, workflow  # noqa: E402
from kb.models import Feedback  # noqa: E402
from tests.factories import UserFactory  # noqa: E402

setup_test_environment()
print(f"aliases={','.join(sorted(settings.DATABASES))}")
call_command("migrate", verbosity=0)
author = UserFactory(username="alice", role=AUTHOR)
author2 = UserFactory(username="arthur", role=AUTHOR)
reviewer = UserFactory(username="rita", role=MEDICAL_REVIEWER, is_staff=True)
reviewer2 = UserFactory(username="ravi", role=MEDICAL_REVIEWER, is_staff=True)
first = services.create_condition(
    slug="cramp", name="Replica name", summary="S.", also_known_as=[], by=author,
    sections=[{"kind": "overview", "heading": "Overview", "body": "Text."}],
)  # fmt: skip
workflow.submit(revision=first, by=author)
workflow.approve(revision=first, by=reviewer)


def replicate() -> None:
    """ "Replication": the replica becomes a copy of the primary as it is now."""
    connections.close_all()
    shutil.copyfile(settings.DATABASES["default"]["NAME"], settings.DATABASES["replica"]["NAME"])


replicate()
# Mark the replica's copy (not a change the primary knows of) to see who answers.
with connections["replica"].cursor() as cursor:
    cursor.execute("UPDATE kb_revision SET summary = 'Read from the replica.'")
reader = Client()
page = reader.get("/conditions/cramp/").content.decode()
print(f"caught_up_replica_used={'Read from the replica.' in page}")

# A publication the replica has not received yet: it is behind, so the primary answers.
draft = workflow.start_new_draft(condition=first.condition, by=author2)
services.update_revision(
    revision=draft, by=author2, expected_version=draft.lock_version, name="Primary name"
)
workflow.submit(revision=draft, by=author2)
workflow.approve(revision=draft, by=reviewer2)

page = reader.get("/conditions/cramp/").content.decode()
print(f"lagging_replica_skipped={'Primary name' in page and 'Replica name' not in page}")
az = reader.get("/conditions/").content.decode()
print(f"a_to_z_from_primary={'Primary name' in az}")

editor = Client()
editor.force_login(reviewer2)
desk = editor.get(f"/admin/kb/revision/{draft.pk}/change/")
print(f"desk_status={desk.status_code}")
print(f"desk_from_primary={'Primary name' in desk.content.decode()}")
signed_in_public = editor.get("/conditions/cramp/").content.decode()
print(f"signed_in_reader_from_primary={'Primary name' in signed_in_public}")

response = reader.post(
    "/conditions/cramp/report/",
    {"message": "The dose in the treatment section looks wrong.", "contact": ""},
)
with connections["default"].cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM kb_feedback")
    primary_feedback = cursor.fetchone()[0]
with connections["replica"].cursor() as cursor:
    cursor.execute("SELECT COUNT(*) FROM kb_feedback")
    replica_feedback = cursor.fetchone()[0]
print(f"feedback_status={response.status_code}")
print(f"feedback_on_primary={primary_feedback}")
print(f"feedback_on_replica={replica_feedback}")
print(f"feedback_model_count_default={Feedback.objects.using('default').count()}")

# Caught up again, then a withdrawal the replica has not received: never served from it.
replicate()
publisher = UserFactory(username="paula", role=PUBLISHER)
workflow.withdraw(condition=first.condition, by=publisher, reason="Unsafe advice.")
print(f"withdrawn_status={reader.get('/conditions/cramp/').status_code}")
print(
    f"withdrawn_api_of_replica_hidden={'cramp' not in reader.get('/conditions/').content.decode()}"
)
