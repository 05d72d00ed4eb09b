"""The evidence watch, with recorded Crossref and PubMed answers: findings open flags that a
medical reviewer confirms (public at once, with a webhook) or dismisses with a note."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from kb.evidence import services, sources, watch
from kb.evidence.models import EvidenceFinding, FindingKind, FindingStatus
from kb.exceptions import ContentProblems, NotPermitted, TransitionNotAllowed
from kb.models import Reference
from kb.webhooks import services as webhook_services
from tests.factories import ReferenceFactory, make_live

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> dict:
    return json.loads((RECORDED / name).read_text())


class Services:
    """Crossref and PubMed as recorded: answers by DOI / the PubMed batch; logs each URL."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.works = {
            "10.1000/twitch.2004.17": recorded("crossref_work_retracted.json"),
            "10.1000/asthma.2019.3": recorded("crossref_work_corrected.json"),
            "10.1000/sound.2021.1": recorded("crossref_work_clean.json"),
        }

    def __call__(self, url: str):
        self.urls.append(url)
        if url.startswith(sources.PUBMED_ESUMMARY):
            return recorded("pubmed_esummary.json")
        for doi, answer in self.works.items():
            if sources.crossref_url(doi) == url:
                return answer
        return None  # Crossref answers 404 for an unknown DOI


@pytest.fixture
def recorded_services(settings, monkeypatch):
    settings.KB_EVIDENCE_WATCH = True
    settings.KB_EVIDENCE_CONTACT_EMAIL = "evidence@clearview.example"
    settings.KB_EVIDENCE_CROSSREF_INTERVAL = 0
    settings.KB_EVIDENCE_PUBMED_INTERVAL = 0
    fake = Services()
    monkeypatch.setattr(sources, "fetch_json", fake)
    return fake


@pytest.fixture
def cited(author, reviewer):
    """A live article citing three references (one retracted per Crossref and PubMed, one
    corrected, one sound) and a reference no live article cites."""
    ReferenceFactory(key="twitch2004", doi="10.1000/twitch.2004.17", pmid="15326245")
    ReferenceFactory(key="asthma2019", doi="10.1000/asthma.2019.3", pmid="31234567")
    ReferenceFactory(key="sound2021", doi="10.1000/sound.2021.1")
    ReferenceFactory(key="uncited", doi="10.1000/uncited")
    body = "Text [@twitch2004], [@asthma2019] and [@sound2021]."
    return make_live(
        author=author, reviewer=reviewer, slug="twitching", name="Muscle twitching",
        sections=[{"kind": "overview", "heading": "Overview", "body": body}],
    )  # fmt: skip


def findings() -> list[tuple[str, str, str]]:
    return sorted(
        EvidenceFinding.objects.values_list("reference__key", "source", "kind")
    )  # fmt: skip


def test_the_watch_opens_findings_from_crossref_and_pubmed(recorded_services, cited):
    report = watch.run()

    assert findings() == [
        ("asthma2019", "crossref", FindingKind.CORRECTION),
        ("asthma2019", "crossref", FindingKind.EXPRESSION_OF_CONCERN),
        ("twitch2004", "crossref", FindingKind.RETRACTION),
        ("twitch2004", "pubmed", FindingKind.RETRACTION),
    ]
    assert report.checked_dois == 3 and report.checked_pmids == 2
    retraction = EvidenceFinding.objects.get(source="crossref", kind=FindingKind.RETRACTION)
    assert "Retraction Watch" in retraction.summary
    assert "10.1000/twitch.2004.17.retraction" in retraction.summary
    assert retraction.status == FindingStatus.OPEN
    # Nothing public changes by itself.
    assert not Reference.objects.filter(retracted=True).exists()
    # Politely: the contact address goes with every request; uncited references are skipped.
    assert all("evidence%40clearview.example" in url for url in recorded_services.urls)
    assert not any("uncited" in url for url in recorded_services.urls)
    assert "mailto:evidence@clearview.example" in sources.user_agent()


def test_a_second_run_opens_nothing_new(recorded_services, cited):
    watch.run()
    finding = EvidenceFinding.objects.filter(kind=FindingKind.CORRECTION).get()
    finding.status, finding.decision_note = FindingStatus.DISMISSED, "Typo in a table."
    finding.save()

    assert watch.run().opened == []
    assert EvidenceFinding.objects.count() == 4
    assert EvidenceFinding.objects.get(pk=finding.pk).status == FindingStatus.DISMISSED


def test_the_switch_turns_the_watch_off(recorded_services, cited, settings):
    settings.KB_EVIDENCE_WATCH = False
    assert watch.run().skipped
    assert recorded_services.urls == []
    assert not EvidenceFinding.objects.exists()


def test_requests_are_rate_limited():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = sources.RateLimiter(0.34, sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        limiter.wait()
    assert slept == [pytest.approx(0.34), pytest.approx(0.34)]


def test_a_correction_cannot_be_confirmed_and_a_dismissal_needs_a_note(
    recorded_services, cited, reviewer, author
):
    watch.run()
    correction = EvidenceFinding.objects.get(kind=FindingKind.CORRECTION)
    with pytest.raises(TransitionNotAllowed, match="not a retraction"):
        services.confirm_finding(finding=correction, by=reviewer, note="Looks bad.")
    with pytest.raises(ContentProblems):
        services.dismiss_finding(finding=correction, by=reviewer, note=" ")
    with pytest.raises(NotPermitted):
        services.dismiss_finding(finding=correction, by=author, note="Not mine to judge.")
    services.dismiss_finding(finding=correction, by=reviewer, note="Typo in table 2 only.")
    correction.refresh_from_db()
    assert correction.status == FindingStatus.DISMISSED and correction.decided_by == reviewer


def test_dashboard_shows_open_findings(recorded_services, cited, client, reviewer):
    watch.run()
    client.force_login(reviewer)
    page = client.get(reverse("admin:kb_dashboard")).content.decode()
    assert "Evidence watch: open findings</a> (4)" in page
    assert "Expression of concern" in page


def test_recorded_retraction_to_finding_to_confirmation_to_notice_and_webhook(
    recorded_services,
    cited,
    client,
    reviewer,
    receiver,
    partner,
    django_capture_on_commit_callbacks,
):
    from standardwebhooks import Webhook

    from kb.evidence.tasks import run_evidence_watch

    _, secret = webhook_services.register_endpoint(
        partner=partner, url=receiver.url, events=["reference.retracted"]
    )
    run_evidence_watch.enqueue()  # the nightly task (immediate backend in tests)
    finding = EvidenceFinding.objects.get(source="crossref", kind=FindingKind.RETRACTION)

    client.force_login(reviewer)
    url = reverse("admin:kb_evidencefinding_change", args=[finding.pk])
    assert "Confirm: flag the reference as retracted" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"decision": "confirm", "note": "Checked the journal's notice."})
    assert answer.status_code == 302, answer.content.decode()[:2000]

    finding.refresh_from_db()
    assert finding.status == FindingStatus.CONFIRMED
    reference = Reference.objects.get(key="twitch2004")
    assert reference.retracted and "Checked the journal's notice." in reference.retraction_note
    public = client.get(reverse("kb:article", args=["twitching"])).content.decode()
    assert "This publication has been retracted." in public

    assert len(receiver.requests) == 1
    event = Webhook(secret).verify(receiver.requests[0]["body"], receiver.requests[0]["headers"])
    assert event["type"] == "reference.retracted"
    assert event["data"]["slug"] == "twitching"
    assert event["data"]["reference"]["doi"] == "10.1000/twitch.2004.17"
