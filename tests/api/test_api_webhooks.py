"""``/api/v1/webhooks/``: a partner's endpoints through the API, as the schema documents
them: the error shape of every other endpoint, the secret in the registration's answer
only (and never cached), a test event on request, and ids out of range answered 404."""

from __future__ import annotations

import pytest
from standardwebhooks import Webhook

from accounts.models import Partner, PartnerAPIKey
from kb.webhooks import services
from kb.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

LIST = "/api/v1/webhooks/"


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def register(api, url: str, events=("article.published",)):
    return api.post(LIST, {"url": url, "events": list(events)}, content_type="application/json")


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code"}, body
    assert body["code"] == code and body["detail"]
    return body


def test_schema_documents_the_webhook_operations(schema):
    paths = schema["paths"]
    statuses = {
        (path, method): set(paths[path][method]["responses"])
        for path, method in [
            ("/api/v1/webhooks/", "get"),
            ("/api/v1/webhooks/", "post"),
            ("/api/v1/webhooks/{id}/", "delete"),
            ("/api/v1/webhooks/{id}/test/", "post"),
        ]
    }
    common = {"401", "403", "405", "406", "429"}
    assert statuses[("/api/v1/webhooks/", "get")] == common | {"200"}
    assert statuses[("/api/v1/webhooks/", "post")] == common | {"201", "400", "415"}
    assert statuses[("/api/v1/webhooks/{id}/", "delete")] == common | {"204", "404"}
    assert statuses[("/api/v1/webhooks/{id}/test/", "post")] == common | {"202", "404", "409"}
    # Every error is the one error shape, as on the read endpoints.
    for (path, method), codes in statuses.items():
        for code in codes - {"200", "201", "202", "204"}:
            content = paths[path][method]["responses"][code]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (path, code)
    # 401 and 429 carry their headers, like everywhere else.
    created = paths["/api/v1/webhooks/"]["post"]["responses"]
    assert "WWW-Authenticate" in created["401"]["headers"]
    assert "Retry-After" in created["429"]["headers"]
    # The id is bounded, so no generated id can overflow the database's integer.
    [id_param] = paths["/api/v1/webhooks/{id}/"]["delete"]["parameters"]
    assert id_param["schema"]["minimum"] == 1 and id_param["schema"]["maximum"] > 1


def test_schema_shows_the_secret_in_the_registration_answer_only(schema):
    components = schema["components"]["schemas"]
    post = schema["paths"]["/api/v1/webhooks/"]["post"]
    request = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer = post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    listed = schema["paths"]["/api/v1/webhooks/"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]["items"]["$ref"]
    request_component = components[request.rsplit("/", 1)[1]]
    assert set(request_component["properties"]) == {"url", "events"}
    assert set(request_component["required"]) == {"url", "events"}
    assert request_component["properties"]["events"]["minItems"] == 1
    answer_component = components[answer.rsplit("/", 1)[1]]
    assert "secret" in answer_component["required"]
    assert "once" in answer_component["properties"]["secret"]["description"]
    assert "secret" not in components[listed.rsplit("/", 1)[1]]["properties"]
    assert post["requestBody"]["content"].keys() == {"application/json"}


def test_register_answers_the_secret_once_and_never_caches_it(api, receiver):
    created = register(api, receiver.url)
    assert created.status_code == 201, created.content
    assert created.json()["secret"].startswith("whsec_")
    assert created["Cache-Control"] == "no-store"
    listed = api.get(LIST)
    assert listed.status_code == 200
    assert listed["Cache-Control"] == "no-store"
    assert [set(item) for item in listed.json()] == [
        {"id", "url", "events", "active", "disabled_reason", "created_at"}
    ]
    head = api.head(LIST)
    assert head.status_code == 200 and head.content == b""


def test_refused_urls_answer_400_in_the_error_shape(api, settings):
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = False
    settings.KB_WEBHOOKS_ALLOW_HTTP = False
    assert_error(register(api, "https://127.0.0.1/hooks"), 400, "unsafe_url")
    assert_error(register(api, "http://partner.example/hooks"), 400, "unsafe_url")
    body = assert_error(register(api, "https://127.0.0.1/", events=["nope"]), 400, "invalid_choice")
    assert body["detail"].startswith("events")
    assert_error(register(api, "https://127.0.0.1/", events=[]), 400, "empty")
    assert_error(api.post(LIST, "{", content_type="application/json"), 400, "parse_error")
    assert_error(
        api.post(LIST, "url=x", content_type="application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    )
    assert not WebhookEndpoint.objects.exists()


def test_ids_out_of_range_or_of_another_partner_answer_404(api, receiver):
    other = Partner.objects.create(name="Other")
    endpoint, _ = services.register_endpoint(
        partner=other, url=receiver.url, events=["article.published"]
    )
    for pk in (endpoint.pk, 2**63, 10**30):
        assert_error(api.delete(f"{LIST}{pk}/"), 404, "not_found")
        assert_error(api.post(f"{LIST}{pk}/test/"), 404, "not_found")
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_test_event_is_signed_with_the_secret_and_delivered(
    api, receiver, django_capture_on_commit_callbacks
):
    created = register(api, receiver.url).json()
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(f"{LIST}{created['id']}/test/")
    assert sent.status_code == 202, sent.content
    assert sent.json()["event_type"] == "webhook.test"
    [request] = receiver.requests
    event = Webhook(created["secret"]).verify(request["body"], request["headers"])
    assert event["type"] == "webhook.test"
    assert request["headers"]["webhook-id"] == sent.json()["message_id"]
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_test_event_to_a_switched_off_endpoint_is_409(api, receiver):
    created = register(api, receiver.url).json()
    WebhookEndpoint.objects.filter(pk=created["id"]).update(active=False)
    assert_error(api.post(f"{LIST}{created['id']}/test/"), 409, "endpoint_inactive")
    assert not WebhookDelivery.objects.exists()


def test_delete_then_the_endpoint_is_gone(api, receiver):
    created = register(api, receiver.url).json()
    assert api.delete(f"{LIST}{created['id']}/").status_code == 204
    assert api.get(LIST).json() == []
    assert_error(api.delete(f"{LIST}{created['id']}/"), 404, "not_found")


def test_without_a_key_every_webhook_call_is_401(client):
    partner = Partner.objects.create(name="Keyed")
    PartnerAPIKey.objects.create_key(partner=partner, name="k")
    for response in (
        client.get(LIST),
        client.post(LIST, {}, content_type="application/json"),
        client.delete(f"{LIST}1/"),
        client.post(f"{LIST}1/test/"),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"]


def test_the_list_shows_only_the_callers_endpoints_and_never_a_secret(api, receiver):
    other = Partner.objects.create(name="Other")
    theirs, their_secret = services.register_endpoint(
        partner=other, url=receiver.url, events=["article.published"]
    )
    mine = register(api, receiver.url).json()
    listed = api.get(LIST)
    assert listed.status_code == 200 and listed["Cache-Control"] == "no-store"
    assert [item["id"] for item in listed.json()] == [mine["id"]]
    assert mine["secret"] not in listed.content.decode()
    assert their_secret not in listed.content.decode()
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()
