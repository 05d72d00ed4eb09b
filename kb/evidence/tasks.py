"""The nightly evidence watch task (enqueued once a day by ``enqueue_periodic``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_evidence_watch() -> dict:
    """Re-check cited DOIs and PMIDs; returns what was checked and how many findings opened."""
    from kb.evidence import watch

    report = watch.run()
    return {
        "skipped": report.skipped,
        "checked_dois": report.checked_dois,
        "checked_pmids": report.checked_pmids,
        "opened": len(report.opened),
        "errors": report.errors[:20],
    }
