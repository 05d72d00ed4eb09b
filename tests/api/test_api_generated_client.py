"""Clients generated from the served schema follow the README's sync recipe against a live
server, with no hand-written HTTP: the key in `X-API-Key` as `create_partner_key` prints
it, pages by cursor, details with their ETag, a 304 on revalidation, HEAD, the changes feed
after a cursor, and the infobutton look-up; then it registers a webhook endpoint (the
nudge of sync step 6), lists it, has a test event sent to it and deletes it.

openapi-python-client is the one the README shows; openapi-generator's Python client (its
pip package carries the jar, and needs a Java runtime) is checked on the same recipe.
Each skips when its generator is not installed, unless REQUIRE_VALIDATORS is set (CI).
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pytest
from standardwebhooks import Webhook

from accounts.models import Partner, PartnerAPIKey
from kb import workflow
from kb.models import ConditionCode
from tests.factories import make_live
from tests.webhook_receiver import Receiver

GENERATOR = "openapi-python-client"
PACKAGE = "kb_partner_client"
CONFIG = f"package_name_override: {PACKAGE}\nproject_name_override: kb-partner-client\n"


def search_path() -> str:
    """PATH with this interpreter's scripts first (the generator runs ruff from there)."""
    return f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def tool(name: str) -> str:
    """The installed command ``name``; skips without it, unless REQUIRE_VALIDATORS is set."""
    found = shutil.which(name, path=search_path())
    if found:
        return found
    if os.environ.get("REQUIRE_VALIDATORS"):
        pytest.fail(f"REQUIRE_VALIDATORS is set but {name} is not installed.")
    pytest.skip(f"{name} not installed (pip install -r requirements-dev.txt)")


def generate_client(*, schema_url: str, where: Path):
    """Generate the client from the served schema; any generator warning fails the test."""
    (where / "config.yaml").write_text(CONFIG)
    env = {**os.environ, "PATH": search_path()}
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [
            tool(GENERATOR),
            "generate",
            "--url",
            schema_url,
            "--config",
            "config.yaml",
            "--meta",
            "none",
            "--output-path",
            PACKAGE,
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        cwd=where,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Warning" not in result.stdout, result.stdout[-4000:]
    return import_fresh(PACKAGE, where=where)


def import_fresh(package: str, *, where: Path):
    sys.path.insert(0, str(where))
    try:
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[name]
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(where))


def next_params(url: str | None) -> dict | None:
    """The query of a `next` link as keyword arguments of the generated call."""
    if not url:
        return None
    query = parse_qs(urlsplit(url).query)
    return {k: (int(v[0]) if k in ("page", "page_size") else v[0]) for k, v in query.items()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_generated_client_runs_the_sync_recipe(
    live_server, author, reviewer, publisher, tmp_path, settings
):
    for n in range(5):
        make_live(author=author, reviewer=reviewer, slug=f"condition-{n}", name=f"Condition {n}")
    ConditionCode.objects.create(
        condition=article_condition("condition-2"), system="ICD-10", code="G12.21"
    )
    partner = Partner.objects.create(name="Generated", throttle_rate="100000/minute")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="generated client")

    generate_client(schema_url=f"{live_server.url}/api/v1/schema/", where=tmp_path)
    from kb_partner_client import AuthenticatedClient, Client
    from kb_partner_client.api.changes import changes_list
    from kb_partner_client.api.conditions import (
        conditions_list,
        conditions_retrieve,
        conditions_retrieve_head,
    )

    # The default (Bearer) is refused; the documented configuration is accepted.
    bearer = AuthenticatedClient(base_url=live_server.url, token=key)
    assert conditions_list.sync_detailed(client=bearer).status_code == 401
    assert conditions_list.sync_detailed(client=Client(base_url=live_server.url)).status_code == 401
    client = AuthenticatedClient(
        base_url=live_server.url, token=key, auth_header_name="X-API-Key", prefix=""
    )

    # 1. The changes feed so far: keep the cursor of the last entry.
    cursor, params = None, {"page_size": 2}
    while params is not None:
        page = changes_list.sync(client=client, **params)
        cursor = page.results[-1].cursor if page.results else cursor
        params = next_params(page.next_)
    assert cursor

    # 2. Initial load: walk the list by cursor, fetch each article with its ETag.
    copies: dict[str, tuple[str, object]] = {}
    params, pages = {"page_size": 2}, 0
    while params is not None:
        listed = conditions_list.sync_detailed(client=client, **params)
        assert listed.status_code == 200
        assert listed.headers["etag"] and listed.headers["last-modified"]
        pages += 1
        for item in listed.parsed.results:
            detail = conditions_retrieve.sync_detailed(client=client, slug=item.slug)
            assert detail.status_code == 200
            copies[item.slug] = (detail.headers["etag"], detail.parsed)
        params = next_params(listed.parsed.next_)
    assert pages == 3
    assert set(copies) == {f"condition-{index}" for index in range(5)}

    # Revalidation: 304 with no body; HEAD answers the validators alone.
    etag, article = copies["condition-0"]
    again = conditions_retrieve.sync_detailed(client=client, slug="condition-0", if_none_match=etag)
    assert again.status_code == 304
    assert again.content == b""
    head = conditions_retrieve_head.sync_detailed(client=client, slug="condition-0")
    assert head.status_code == 200
    assert head.headers["etag"] == etag

    # The infobutton look-up, as an EHR would make it.
    from kb_partner_client.api.infobutton import infobutton_retrieve
    from kb_partner_client.models import InfobuttonRetrieveMainSearchCriteriaVCs as Oid

    knowledge = infobutton_retrieve.sync(
        client=client,
        main_search_criteria_v_cs=Oid("2.16.840.1.113883.6.90"),
        main_search_criteria_v_c="g12.21",
    )
    [entry] = knowledge.feed.entry
    assert entry.title.field_value == "Condition 2"
    assert entry.link[0].href.endswith("/conditions/condition-2/")

    # 3. Later: a publication and a withdrawal reach the partner through the feed.
    make_live(author=author, reviewer=reviewer, slug="condition-new", name="Condition new")
    workflow.withdraw(condition=article_condition("condition-1"), by=publisher, reason="Outdated")
    params = {"after": cursor}
    while params is not None:
        page = changes_list.sync(client=client, **params)
        for change in page.results:
            if change.action in ("published", "updated"):
                fresh = conditions_retrieve.sync_detailed(client=client, slug=change.slug)
                copies[change.slug] = (fresh.headers["etag"], fresh.parsed)
            elif change.action == "withdrawn":
                for slug in [change.slug, *change.former_slugs]:
                    copies.pop(slug, None)
            cursor = change.cursor
        params = next_params(page.next_)
    live = {item.slug for item in conditions_list.sync(client=client, page_size=100).results}
    assert set(copies) == live
    assert "condition-new" in live and "condition-1" not in live

    # 4. Webhooks as the nudge: register a receiver, list it, test it, delete it.
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver is on loopback
    settings.KB_WEBHOOKS_ALLOW_HTTP = True
    receiver = Receiver()
    try:
        check_webhooks(client=client, receiver=receiver)
    finally:
        receiver.close()


def check_webhooks(*, client, receiver) -> None:
    from kb_partner_client.api.webhooks import (
        webhooks_create,
        webhooks_destroy,
        webhooks_list,
        webhooks_test,
    )
    from kb_partner_client.models import EndpointRequest, Error, EventsEnum

    created = webhooks_create.sync_detailed(
        client=client,
        body=EndpointRequest(url=receiver.url, events=[EventsEnum.ARTICLE_PUBLISHED]),
    )
    assert created.status_code == 201
    endpoint = created.parsed
    assert endpoint.secret.startswith("whsec_")
    [listed] = webhooks_list.sync(client=client)
    assert (listed.id, listed.url, listed.events) == (endpoint.id, receiver.url, endpoint.events)
    assert not hasattr(listed, "secret")

    refused = webhooks_create.sync_detailed(
        client=client,
        body=EndpointRequest(url="https://0.invalid/", events=[EventsEnum.ARTICLE_PUBLISHED]),
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, Error) and refused.parsed.code == "unsafe_url"

    sent = webhooks_test.sync_detailed(client=client, id=endpoint.id)
    assert sent.status_code == 202
    # make run's tasks run in-process: the test event has reached the receiver by now.
    [request] = receiver.requests
    event = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    assert event["type"] == "webhook.test"
    assert request["headers"]["webhook-id"] == sent.parsed.message_id

    assert webhooks_destroy.sync_detailed(client=client, id=endpoint.id).status_code == 204
    assert webhooks_list.sync(client=client) == []
    assert webhooks_destroy.sync_detailed(client=client, id=endpoint.id).status_code == 404


def article_condition(slug: str):
    from kb.models import Condition

    return Condition.objects.get(slug=slug)


OPENAPI_GENERATOR = "openapi-generator-cli"
GENERATOR_PACKAGE = "kb_partner_gen"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_openapi_generator_client_runs_the_sync_recipe(live_server, author, reviewer, tmp_path):
    if not shutil.which("java"):
        if os.environ.get("REQUIRE_VALIDATORS"):
            pytest.fail("REQUIRE_VALIDATORS is set but no Java runtime is installed.")
        pytest.skip("openapi-generator needs a Java runtime (apt-get install default-jre)")
    for n in range(3):
        make_live(author=author, reviewer=reviewer, slug=f"condition-{n}", name=f"Condition {n}")
    partner = Partner.objects.create(name="Generated", throttle_rate="100000/minute")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="generated client")
    schema = tmp_path / "schema.yaml"
    schema.write_bytes(urlopen(f"{live_server.url}/api/v1/schema/").read())  # noqa: S310
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [
            tool(OPENAPI_GENERATOR),
            "generate",
            "-i",
            str(schema),
            "-g",
            "python",
            "-o",
            str(tmp_path / "client"),
            "--package-name",
            GENERATOR_PACKAGE,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    generated = import_fresh(GENERATOR_PACKAGE, where=tmp_path / "client")

    configuration = generated.Configuration(host=live_server.url, api_key={"PartnerApiKey": key})
    with generated.ApiClient(configuration) as api_client:
        conditions = generated.ConditionsApi(api_client)
        changes = generated.ChangesApi(api_client)
        cursor = changes.changes_list(page_size=100).results[-1].cursor
        copies, params = {}, {"page_size": 2}
        while params is not None:
            page = conditions.conditions_list(**params)
            for item in page.results:
                answer = conditions.conditions_retrieve_with_http_info(item.slug)
                copies[item.slug] = answer.headers["ETag"]
            params = next_params(page.next)
        assert set(copies) == {"condition-0", "condition-1", "condition-2"}
        # This generator raises for every status outside 2xx; a 304 is one of them.
        with pytest.raises(generated.ApiException) as not_modified:
            conditions.conditions_retrieve(slug="condition-0", if_none_match=copies["condition-0"])
        assert not_modified.value.status == 304
        assert changes.changes_list(after=cursor).results == []
