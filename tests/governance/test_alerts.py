"""E-mail beyond the workflow's moves: a retracted citation reaches the reviewers of the
live articles citing it; a reader report reaches the reviewer it is assigned to."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.urls import reverse

from accounts.roles import MEDICAL_REVIEWER
from kb import workflow
from kb.alerts import retraction_recipients
from kb.models import Notification, NotificationKind
from tests.factories import ReferenceFactory, UserFactory, make_draft, make_in_review, make_live

pytestmark = pytest.mark.django_db
ALERTS = (NotificationKind.RETRACTION, NotificationKind.READER_REPORT)
CITING = [{"kind": "overview", "heading": "Overview", "body": "Nerves fire [@hart2002]."}]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://kb.example.org"
    settings.KB_PUBLISHER_NAME = "Clearview Health Library"


@pytest.fixture
def ref(db):
    return ReferenceFactory(key="hart2002", title="Phenotypic variants of hyperexcitability")


@pytest.fixture
def flagger(db):
    return UserFactory(username="fiona", display_name="Dr Fiona Flag", role=MEDICAL_REVIEWER)


def test_retraction_emails_the_reviewers_of_live_citing_articles(
    author, reviewer, reviewer2, flagger, ref, mailoutbox, django_capture_on_commit_callbacks
):
    first = make_live(author=author, reviewer=reviewer, slug="a", name="Alpha", sections=CITING)
    second = make_live(author=author, reviewer=reviewer, slug="b", name="Beta", sections=CITING)
    make_live(author=author, reviewer=reviewer2, slug="c", name="Gamma")  # cites nothing
    make_in_review(author=author, slug="d", name="Delta", sections=CITING)  # not live
    with django_capture_on_commit_callbacks(execute=True):
        workflow.set_retraction(reference=ref, by=flagger, retracted=True, note="Journal notice.")
    assert [m.to for m in mailoutbox] == [["rita@example.org"]]
    message = mailoutbox[0]
    assert message.subject == (
        "[Clearview Health Library] Retracted reference cited in 2 live articles: hart2002"
    )
    link = "http://kb.example.org" + reverse("admin:kb_revision_change", args=[first.pk])
    assert link in message.body and "Journal notice." in message.body
    assert "Alpha (revision 1)" in message.body and "Beta (revision 1)" in message.body
    assert "Delta" not in message.body and "Gamma" not in message.body
    assert "Dr Fiona Flag flagged" in message.body
    assert "&quot;" not in message.body and "&#x27;" not in message.body  # plain text
    assert Notification.objects.get(kind__in=ALERTS).kind == NotificationKind.RETRACTION
    assert second.pk  # both listed in one message


def test_the_flagger_is_not_told_about_their_own_flag(author, reviewer, ref):
    make_live(author=author, reviewer=reviewer, sections=CITING)
    assert retraction_recipients(reference=ref, actor=reviewer) == {}
    workflow.set_retraction(reference=ref, by=reviewer, retracted=True, note="Notice.")
    assert not Notification.objects.filter(kind__in=ALERTS).exists()


def test_unflagging_tells_nobody(author, reviewer, flagger, ref):
    make_live(author=author, reviewer=reviewer, sections=CITING)
    workflow.set_retraction(reference=ref, by=flagger, retracted=True, note="Notice.")
    workflow.set_retraction(reference=ref, by=flagger, retracted=False, note="Wrong paper.")
    assert Notification.objects.filter(kind__in=ALERTS).count() == 1


def test_a_reviewer_who_reconfirmed_is_told_too(author, reviewer, reviewer2, flagger, ref):
    live = make_live(author=author, reviewer=reviewer, sections=CITING)
    workflow.reconfirm(condition=live.condition, by=reviewer2, note="Still right.")
    workflow.set_retraction(reference=ref, by=flagger, retracted=True, note="Notice.")
    assert sorted(n.recipient.username for n in Notification.objects.filter(kind__in=ALERTS)) == [
        "ravi",
        "rita",
    ]


def test_a_failed_flag_leaves_no_message(author, reviewer, flagger, ref):
    make_live(author=author, reviewer=reviewer, sections=CITING)
    with pytest.raises(Exception, match="note"):
        workflow.set_retraction(reference=ref, by=flagger, retracted=True, note=" ")
    assert not Notification.objects.filter(kind__in=ALERTS).exists()


def test_reader_report_emails_the_assigned_reviewer(
    client, author, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    make_live(author=author, reviewer=reviewer, slug="neuromyotonia", name="Neuromyotonia")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/conditions/neuromyotonia/report/",
            {"message": "The dose looks ten times too high.", "passage": "200 mg"},
        )
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == ["rita@example.org"]
    assert message.subject == "[Clearview Health Library] Reader report: Neuromyotonia"
    assert "The dose looks ten times too high." in message.body and "200 mg" in message.body
    assert "http://kb.example.org/admin/kb/feedback/" in message.body


def test_reader_report_with_nobody_assigned_sends_nothing(client, author, reviewer):
    live = make_live(author=author, reviewer=reviewer, slug="neuromyotonia")
    reviewer.is_active = False
    reviewer.save()
    client.post("/conditions/neuromyotonia/report/", {"message": "Something is off here."})
    assert live.feedback.count() == 1
    assert not Notification.objects.filter(kind__in=ALERTS).exists()


@pytest.mark.parametrize("name", ["retraction", "reader_report"])
def test_wording_lives_in_templates(name):
    for part in ("subject", "body"):
        assert get_template(f"kb/email/{name}_{part}.txt")


def test_draft_of_no_interest(author):
    assert make_draft(author=author)  # a draft cites nothing live: nobody to tell
