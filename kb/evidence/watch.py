"""One run of the evidence watch: which references are checked, what becomes a finding.

Checked: every reference cited by a live article and not already flagged as retracted,
by DOI against Crossref and by PMID against PubMed. A notice seen before (open, confirmed
or dismissed) opens nothing new, so the nightly run is idempotent. A source that fails is
logged and the run goes on with the others; the next night tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction

from kb.evidence import sources
from kb.evidence.models import EvidenceFinding, FindingKind, FindingSource
from kb.models import Reference

logger = logging.getLogger(__name__)


@dataclass
class WatchReport:
    checked_dois: int = 0
    checked_pmids: int = 0
    opened: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped: bool = False


def watched_references():
    """References cited by a live article, not flagged as retracted yet."""
    from kb.selectors import published_revisions

    return (
        Reference.objects.filter(
            citations__revision__in=published_revisions().values("pk"), retracted=False
        )
        .distinct()
        .order_by("pk")
    )


def _open(*, reference, source: str, notice: sources.Notice, report: WatchReport) -> None:
    try:
        with transaction.atomic():
            finding, created = EvidenceFinding.objects.get_or_create(
                reference=reference,
                source=source,
                kind=notice.kind,
                notice=notice.notice,
                defaults={"summary": notice.summary[:500]},
            )
    except IntegrityError:  # a concurrent run opened it
        return
    if created:
        report.opened.append(finding.pk)


def run(*, fetch=None, limiter_factory=sources.RateLimiter) -> WatchReport:
    """Check every watched reference once; returns what was checked and opened."""
    report = WatchReport()
    if not settings.KB_EVIDENCE_WATCH:
        report.skipped = True
        return report
    fetch = fetch or sources.fetch_json
    references = list(watched_references())

    crossref = limiter_factory(settings.KB_EVIDENCE_CROSSREF_INTERVAL)
    for reference in references:
        if not reference.doi:
            continue
        crossref.wait()
        try:
            answer = fetch(sources.crossref_url(reference.doi))
        except Exception as exc:  # one bad answer must not stop the watch
            logger.warning("Crossref check of %s failed: %s", reference.doi, exc)
            report.errors.append(f"crossref {reference.doi}: {exc}")
            continue
        report.checked_dois += 1
        for notice in sources.crossref_notices(reference.doi, answer):
            _open(reference=reference, source=FindingSource.CROSSREF, notice=notice, report=report)

    by_pmid = {reference.pmid: reference for reference in references if reference.pmid}
    pmids = sorted(by_pmid)
    pubmed = limiter_factory(settings.KB_EVIDENCE_PUBMED_INTERVAL)
    for start in range(0, len(pmids), sources.PUBMED_BATCH):
        batch = pmids[start : start + sources.PUBMED_BATCH]
        pubmed.wait()
        try:
            answer = fetch(sources.pubmed_url(batch))
        except Exception as exc:
            logger.warning("PubMed check of %s PMIDs failed: %s", len(batch), exc)
            report.errors.append(f"pubmed: {exc}")
            continue
        report.checked_pmids += len(batch)
        for pmid in sorted(sources.pubmed_retracted(answer)):
            if pmid in by_pmid:
                notice = sources.Notice(
                    kind=FindingKind.RETRACTION,
                    notice=pmid,
                    summary=f"PubMed lists PMID {pmid} as a Retracted Publication",
                )
                _open(
                    reference=by_pmid[pmid],
                    source=FindingSource.PUBMED,
                    notice=notice,
                    report=report,
                )
    return report
