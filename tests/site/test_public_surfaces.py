"""Home, A–Z, print, sitemap, robots, feed, JSON-LD, HTTP caching and reader feedback."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils.http import http_date

from kb import workflow
from kb.models import Feedback
from tests.factories import ReferenceFactory, make_draft, make_live

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def live(author, reviewer):
    ReferenceFactory(key="hart2002", doi="10.1093/brain/awf192", title="Phenotypic variants")
    return make_live(
        author=author,
        reviewer=reviewer,
        slug="neuromyotonia",
        name="Neuromyotonia",
        also_known_as=["Isaacs' syndrome"],
        sections=[{"kind": "overview", "heading": "Overview", "body": "Nerves [@hart2002]."}],
    )


def test_home_has_search_letters_and_recently_reviewed(client, live):
    html = client.get("/").content.decode()
    assert 'role="search"' in html and 'name="q"' in html
    assert 'href="/conditions/#letter-N"' in html
    assert "Recently reviewed" in html and "Neuromyotonia" in html


def test_a_to_z_lists_names_and_other_names(client, live, author):
    make_draft(author=author, slug="hidden", name="Hidden draft")
    html = client.get("/conditions/").content.decode()
    assert '<h2 id="letter-N">N</h2>' in html
    assert '<h2 id="letter-I">I</h2>' in html
    assert (
        'Isaacs&#x27; syndrome: see <a href="/conditions/neuromyotonia/">Neuromyotonia</a>' in html
    )
    assert "Hidden draft" not in html


@pytest.mark.parametrize("count", [5, 500])
def test_a_to_z_query_count_is_flat(client, author, reviewer, django_assert_max_num_queries, count):
    for i in range(count):
        make_live(author=author, reviewer=reviewer, slug=f"c-{i}", name=f"Condition {i}",
                  also_known_as=[f"Other {i}"])  # fmt: skip
    with django_assert_max_num_queries(2):  # the publication state, the names
        response = client.get("/conditions/")
    assert response.content.decode().count("/conditions/c-") == 2 * count


def test_print_view_expands_references_and_prints_dates(client, live):
    response = client.get("/conditions/neuromyotonia/print/")
    html = response.content.decode()
    review = live.reviews.get()
    assert response.status_code == 200
    assert "http://127.0.0.1:8000/conditions/neuromyotonia/" in html
    assert review.next_review_due.strftime("%-d %B %Y") in html
    assert "https://doi.org/10.1093/brain/awf192" in html
    assert "Report an inaccuracy" not in html


def test_print_view_404_410_301(client, live, publisher):
    from kb.services import rename_condition

    assert client.get("/conditions/nothing/print/").status_code == 404
    rename_condition(condition=live.condition, new_slug="isaacs", by=publisher)
    response = client.get("/conditions/neuromyotonia/print/")
    assert (response.status_code, response["Location"]) == (301, "/conditions/isaacs/print/")
    workflow.withdraw(condition=live.condition, by=publisher, reason="Checking.")
    assert client.get("/conditions/isaacs/print/").status_code == 410


def test_robots_points_to_sitemap(client, db):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_sitemap_lists_published_with_publication_time(client, live, author):
    make_draft(author=author, slug="hidden")
    root = ET.fromstring(client.get("/sitemap.xml").content)
    entries = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod") for u in root}
    url = "http://127.0.0.1:8000/conditions/neuromyotonia/"
    assert entries[url].text == live.published_at.isoformat()
    assert not any("hidden" in loc for loc in entries)


def test_feed_has_one_entry_per_publication_with_change_note(client, live, author2, reviewer2):
    new = workflow.start_new_draft(condition=live.condition, by=author2)
    new.change_note = "Added treatment advice."
    new.save()
    workflow.submit(revision=new, by=author2)
    workflow.approve(revision=new, by=reviewer2)
    response = client.get("/feeds/updates/")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert "Added treatment advice." in entries[0].find(f"{ATOM}summary").text
    assert entries[0].find(f"{ATOM}link").get("href").startswith("http://127.0.0.1:8000/")


def test_jsonld_carries_review_fields(client, live):
    html = client.get("/conditions/neuromyotonia/").content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    review = live.reviews.get()
    assert data["@type"] == "MedicalWebPage"
    assert data["about"] == {"@type": "MedicalCondition", "name": "Neuromyotonia",
                             "alternateName": ["Isaacs' syndrome"]}  # fmt: skip
    assert data["lastReviewed"] == review.reviewed_on.isoformat()
    assert data["reviewedBy"]["name"] == "Dr Rita Reviewer"
    assert data["datePublished"] == live.published_at.isoformat()
    assert '<link rel="canonical" href="http://127.0.0.1:8000/conditions/neuromyotonia/">' in html
    assert 'property="og:title" content="Neuromyotonia"' in html


def test_jsonld_cannot_be_broken_out_of(client, author, reviewer):
    make_live(author=author, reviewer=reviewer, name="</script><script>alert(1)</script>")
    html = client.get("/conditions/test-condition/").content.decode()
    assert "</script><script>alert(1)" not in html


def test_conditional_requests_get_304(client, live, settings):
    settings.PUBLIC_CACHE_SECONDS = 120
    first = client.get("/conditions/neuromyotonia/")
    assert first["Cache-Control"] == "public, max-age=120"
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get("/conditions/neuromyotonia/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert (
        client.get("/conditions/neuromyotonia/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    )
    old = http_date((live.published_at - dt.timedelta(days=1)).timestamp())
    assert client.get("/conditions/neuromyotonia/", HTTP_IF_MODIFIED_SINCE=old).status_code == 200


def test_etag_changes_with_a_new_publication(client, live, author2, reviewer2):
    etag = client.get("/conditions/neuromyotonia/")["ETag"]
    new = workflow.start_new_draft(condition=live.condition, by=author2)
    workflow.submit(revision=new, by=author2)
    workflow.approve(revision=new, by=reviewer2)
    response = client.get("/conditions/neuromyotonia/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_etag_changes_when_a_cited_reference_is_retracted(client, live, reviewer2):
    from kb.models import Reference

    etag = client.get("/conditions/neuromyotonia/")["ETag"]
    ref = Reference.objects.get(key="hart2002")
    workflow.set_retraction(reference=ref, by=reviewer2, retracted=True, note="Journal notice.")
    response = client.get("/conditions/neuromyotonia/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert "This publication has been retracted." in response.content.decode()


# --- reader feedback --------------------------------------------------------------------------


def test_feedback_is_stored_and_routed_to_the_approver(client, live, reviewer):
    url = "/conditions/neuromyotonia/report/"
    page = client.get(url + "?revision=1")
    assert page.status_code == 200 and 'name="csrfmiddlewaretoken"' in page.content.decode()
    response = client.post(url, {"message": "The dose in the treatment section looks wrong.",
                                 "contact": "reader@example.org", "revision": "1"})  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("/report/thanks/")
    fb = Feedback.objects.get()
    assert (fb.condition, fb.revision, fb.assigned_to) == (live.condition, live, reviewer)
    assert fb.status == "new"


def test_feedback_on_an_older_revision_is_routed_to_its_approver(
    client, live, reviewer, author2, reviewer2
):
    new = workflow.start_new_draft(condition=live.condition, by=author2)
    workflow.submit(revision=new, by=author2)
    workflow.approve(revision=new, by=reviewer2)
    client.post("/conditions/neuromyotonia/report/",
                {"message": "Seen on the old page: typo.", "revision": "1"})  # fmt: skip
    fb = Feedback.objects.get()
    assert (fb.revision.number, fb.assigned_to) == (1, reviewer)


def test_feedback_cannot_name_a_revision_that_was_never_public(
    client, live, reviewer, author2, reviewer2
):
    import datetime as dt

    from django.utils import timezone

    scheduled = workflow.start_new_draft(condition=live.condition, by=author2)
    workflow.submit(revision=scheduled, by=author2)
    workflow.approve(
        revision=scheduled, by=reviewer2, go_live_at=timezone.now() + dt.timedelta(days=2)
    )
    client.post("/conditions/neuromyotonia/report/",
                {"message": "Naming the scheduled one.", "revision": "2"})  # fmt: skip
    fb = Feedback.objects.get()
    assert (fb.revision.number, fb.assigned_to) == (1, reviewer)


@pytest.mark.parametrize(
    "data,error",
    [
        ({"message": ""}, "Tell us what is wrong"),
        ({"message": "short"}, "at least 10 characters"),
        ({"message": "A long enough message.", "contact": "not-an-email"}, "Enter an e-mail"),
    ],
)
def test_feedback_validation(client, live, data, error):
    response = client.post("/conditions/neuromyotonia/report/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html and "There is a problem" in html
    assert not Feedback.objects.exists()


def test_feedback_honeypot_is_thanked_and_ignored(client, live):
    response = client.post("/conditions/neuromyotonia/report/",
                           {"message": "Buy cheap things now.", "website": "x"})  # fmt: skip
    assert response.status_code == 302
    assert not Feedback.objects.exists()


def test_feedback_rate_limited_per_ip(client, live, settings):
    settings.FEEDBACK_RATE_PER_HOUR = 2
    data = {"message": "Something is not right here."}
    for _ in range(2):
        assert client.post("/conditions/neuromyotonia/report/", data).status_code == 302
    response = client.post("/conditions/neuromyotonia/report/", data)
    assert response.status_code == 429
    assert Feedback.objects.count() == 2
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert other.post("/conditions/neuromyotonia/report/", data).status_code == 302


def test_feedback_needs_csrf_token(live):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/conditions/neuromyotonia/report/", {"message": "No token here."})
    assert response.status_code == 403
    assert not Feedback.objects.exists()


def test_feedback_admin_my_feedback_filter(client, live, reviewer, reviewer2):
    Feedback.objects.create(condition=live.condition, revision=live, assigned_to=reviewer,
                            message="Mine to look at.")  # fmt: skip
    Feedback.objects.create(condition=live.condition, revision=live, assigned_to=reviewer2,
                            message="Someone else's.")  # fmt: skip
    client.force_login(reviewer)
    html = client.get("/admin/kb/feedback/", {"assigned": "mine"}).content.decode()
    assert "Mine to look at." in html and "Someone else" not in html
    fb = Feedback.objects.get(message="Mine to look at.")
    response = client.post(f"/admin/kb/feedback/{fb.pk}/change/",
                           {"status": "resolved", "triage_note": "Fixed in revision 2.",
                            "assigned_to": reviewer.pk})  # fmt: skip
    assert response.status_code == 302
    fb.refresh_from_db()
    assert fb.status == "resolved"


def test_unknown_pages_are_friendly(client, db):
    response = client.get("/conditions/no-such/report/")
    assert response.status_code == 404


def test_report_thanks_is_404_where_nothing_is_or_was_live(client, live, publisher):
    assert client.get("/conditions/neuromyotonia/report/thanks/").status_code == 200
    assert client.get("/conditions/no-such-thing/report/thanks/").status_code == 404


def test_report_thanks_after_a_withdrawal_still_thanks(client, live, publisher):
    workflow.withdraw(condition=live.condition, by=publisher, reason="Checking.")
    assert client.get("/conditions/neuromyotonia/report/thanks/").status_code == 200


def test_report_thanks_under_a_former_slug_redirects(client, live, publisher):
    from kb.services import rename_condition

    rename_condition(condition=live.condition, new_slug="isaacs", by=publisher)
    response = client.get("/conditions/neuromyotonia/report/thanks/")
    assert response.status_code == 301
    assert response["Location"] == "/conditions/isaacs/report/thanks/"


@pytest.mark.parametrize(
    "path", ["/conditions/nothing/", "/no-such-page/", "/conditions/nothing/report/"]
)
def test_not_found_answers_say_they_must_be_revalidated(client, live, settings, path):
    """A 404 carries Cache-Control, but no cache may keep it: the article may go live."""
    response = client.get(path)
    assert response.status_code == 404
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "no-cache"} <= directives
    assert not any(d.startswith("max-age") for d in directives)
