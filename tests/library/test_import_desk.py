"""A desk upload completes and shows its report, or writes nothing; big files go to the
management command."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kb import reference_import
from kb.models import Reference

pytestmark = pytest.mark.django_db


def ris_file(count: int, *, name: str = "refs.ris"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "".join(
        f"TY  - JOUR\nAU  - Author{i}, A\nTI  - Study number {i}\nJO  - Brain\nPY  - 2001\n"
        "ER  - \n\n"
        for i in range(count)
    )
    return SimpleUploadedFile(name, text.encode(), content_type="application/x-research-info")


def test_upload_that_fails_half_way_writes_nothing(client, author, monkeypatch):
    """A failure after some records were saved (a bug, a lost connection, the worker
    killed at its timeout) leaves the library as it was, not half imported."""
    monkeypatch.setattr(reference_import, "BATCH_SIZE", 1)  # each record written at once
    real = reference_import.find_match
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuntimeError("worker timeout")
        return real(**kwargs)

    monkeypatch.setattr(reference_import, "find_match", failing)
    client.raise_request_exception = False
    client.force_login(author)
    response = client.post(reverse("admin:kb_reference_import"), {"file": ris_file(5)})
    assert response.status_code == 500
    assert len(calls) == 3
    assert not Reference.objects.exists()


def test_upload_with_too_many_records_is_refused_and_points_to_the_command(
    client, author, settings
):
    settings.REFERENCE_IMPORT_MAX_RECORDS = 3
    client.force_login(author)
    response = client.post(reverse("admin:kb_reference_import"), {"file": ris_file(4)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 records" in html and "at most 3" in html
    assert "import_references" in html
    assert not Reference.objects.exists()


def test_upload_over_the_size_limit_is_refused_and_points_to_the_command(client, author, settings):
    settings.REFERENCE_IMPORT_MAX_BYTES = 100
    client.force_login(author)
    response = client.post(reverse("admin:kb_reference_import"), {"file": ris_file(3)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "import_references" in html
    assert not Reference.objects.exists()


def test_upload_within_the_limits_imports_everything(client, author, settings):
    settings.REFERENCE_IMPORT_MAX_RECORDS = 3
    client.force_login(author)
    response = client.post(reverse("admin:kb_reference_import"), {"file": ris_file(3)})
    assert response.status_code == 200
    assert "3 created" in response.content.decode()
    assert Reference.objects.count() == 3


def test_the_command_has_no_record_limit(tmp_path, settings, capsys):
    from django.core.management import call_command

    settings.REFERENCE_IMPORT_MAX_RECORDS = 3
    path = tmp_path / "refs.ris"
    path.write_bytes(ris_file(5).read())
    call_command("import_references", str(path))
    assert Reference.objects.count() == 5
