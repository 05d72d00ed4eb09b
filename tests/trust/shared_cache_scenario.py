"""Run by test_shared_cache.py: one database (a SQLite file) served with a shared Redis.

``python shared_cache_scenario.py NAME`` migrates the database, publishes one article
whose text names NAME, reads its page twice and prints ``own=…`` and ``other=…``.
"""

from __future__ import annotations

import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from accounts.roles import AUTHOR, MEDICAL_REVIEWER  # noqa: E402
from tests.factories import UserFactory, make_live  # noqa: E402

name, other = sys.argv[1], sys.argv[2]
setup_test_environment()
call_command("migrate", verbosity=0)
author = UserFactory(username="alice", role=AUTHOR)
reviewer = UserFactory(username="rita", role=MEDICAL_REVIEWER)
make_live(
    author=author, reviewer=reviewer, slug="article", name=f"{name} article",
    sections=[{"kind": "overview", "heading": "Overview", "body": f"Text only in {name}."}],
)  # fmt: skip
reader = Client()
pages = [reader.get("/conditions/article/").content.decode() for _ in range(2)]
print(f"own={all(f'Text only in {name}.' in page for page in pages)}")
print(f"other={any(f'Text only in {other}.' in page for page in pages)}")
