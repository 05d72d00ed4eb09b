"""Fixtures for background work: the database task backend, and a worker run in the test."""

from __future__ import annotations

import pytest


@pytest.fixture
def database_tasks(settings):
    """Tasks are stored as rows (as in production) instead of running at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def run_tasks():
    """Run every stored task that is due now, as ``manage.py db_worker`` would; returns how
    many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    def run(limit: int = 100) -> int:
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        )
        ran = 0
        while ran < limit:
            result = DBTaskResult.objects.ready().order_by("enqueued_at").first()
            if result is None:
                return ran
            result.claim(worker.worker_id)
            worker.run_task(result)
            ran += 1
        raise AssertionError(f"more than {limit} tasks: a task keeps enqueueing itself")

    return run


@pytest.fixture
def make_due():
    """Bring every deferred task forward to now (instead of waiting for its back-off)."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    def due() -> int:
        return (
            DBTaskResult.objects.filter(status="READY", run_after__gt=timezone.now())
            .exclude(run_after=get_date_max())
            .update(run_after=timezone.now())
        )

    return due


@pytest.fixture
def partner(db):
    from accounts.models import Partner

    return Partner.objects.create(name="North Clinic", contact_email="web@north.example")
