"""The API against its own OpenAPI schema with schemathesis (``--checks all``): no server
error, no status or body the schema does not describe, bounded in time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from accounts.models import Partner, PartnerAPIKey
from kb import workflow
from kb.models import ConditionCode
from tests.factories import ReferenceFactory, make_draft, make_live
from tests.webhook_receiver import Receiver

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
MAX_TIME_SECONDS = 45

# Every check runs with its defaults but two additions:
# - a well-formed request for a withdrawn condition answers 410, which the contract
#   requires and the schema documents (a partner must delete its copy). The stateful phase
#   reaches a withdrawn slug through the changes feed, and schemathesis's default list of
#   "accepted" statuses for valid requests has no 410;
# - registering a webhook endpoint answers 400 `unsafe_url` for a URL the SSRF check refuses
#   (its host does not resolve, or resolves to an address webhooks may not go to): whether
#   a URL is acceptable depends on DNS, which a schema cannot express, so for that one
#   operation 400 is an accepted answer to valid data. Half of its requests use the URL of
#   a local receiver instead (a dictionary), so registered endpoints are then tested and
#   deleted through the schema's links.
# Every other status outside those lists still fails the run.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "410", "429", "5xx"]

[dictionaries.webhook_urls]
values = ["{receiver_url}"]

[[operations]]
include-path = "/api/v1/webhooks/"
include-method = "POST"
parameters = {{ "body.url" = {{ dictionary = "webhook_urls", probability = 0.5 }} }}

[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
"""


# serialized_rollback: like every transactional test here, so that the flush after it does
# not re-create content types that a later serialized_rollback test restores again.
@pytest.mark.schemathesis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_conforms_to_its_schema(live_server, author, reviewer, publisher, tmp_path, settings):
    ReferenceFactory(key="jansen1991", doi="10.1000/xyz", pmid="123", url="https://example.org/")
    cfs = make_live(
        author=author,
        reviewer=reviewer,
        slug="cramp-fasciculation-syndrome",
        name="Cramp-fasciculation syndrome",
        sections=[{"kind": "overview", "heading": "Overview", "body": "Cramps [@jansen1991]."}],
    )
    ConditionCode.objects.create(condition=cfs.condition, system="ICD-10", code="G12.21")
    gone = make_live(author=author, reviewer=reviewer, slug="withdrawn", name="Withdrawn")
    workflow.withdraw(condition=gone.condition, by=publisher, reason="Outdated")
    make_draft(author=author, slug="draft-only")
    partner = Partner.objects.create(name="Schema check", throttle_rate="100000/minute")
    _, key = PartnerAPIKey.objects.create_key(partner=partner, name="schemathesis")

    # The receiver is on loopback: allowed here for it (random URLs still do not resolve).
    settings.KB_WEBHOOKS_ALLOW_PRIVATE = True
    settings.KB_WEBHOOKS_ALLOW_HTTP = True
    receiver = Receiver()
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(receiver_url=receiver.url))
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [
                str(SCHEMATHESIS),
                "--config-file",
                str(config),
                "run",
                f"{live_server.url}/api/v1/schema/",
                "--checks",
                "all",
                "-H",
                f"X-API-Key: {key}",
                "--max-time",
                str(MAX_TIME_SECONDS),
                "--seed",
                "1",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=MAX_TIME_SECONDS * 4,
        )
    finally:
        receiver.close()
    report = result.stdout[-8000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "Server error" not in report, report
