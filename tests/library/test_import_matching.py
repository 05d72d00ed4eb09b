"""Which imported records are the same work as a library record, and how fast that is found.

Title and year alone are not identity (two "Correction" notices of one year are different
works): a record is matched only when first author, journal or book and, where both give
them, volume, issue and first page agree too. A weaker match is imported and reported as a
possible duplicate for a person to merge, never dropped.
"""

from __future__ import annotations

import pytest
from django.db.models.signals import post_init

from kb.models import Reference
from kb.reference_import import import_references
from tests.factories import ReferenceFactory

pytestmark = pytest.mark.django_db


def ris(*, title, year, author="", journal="", volume="", issue="", pages="", doi=""):
    lines = ["TY  - JOUR"]
    if author:
        lines.append(f"AU  - {author}")
    lines += [f"TI  - {title}", f"PY  - {year}"]
    for tag, value in (("JO", journal), ("VL", volume), ("IS", issue), ("SP", pages)):
        if value:
            lines.append(f"{tag}  - {value}")
    if doi:
        lines.append(f"DO  - {doi}")
    lines.append("ER  - ")
    return "\n".join(lines) + "\n\n"


@pytest.fixture
def carvalho():
    return ReferenceFactory(
        key="existing",
        title="Cramps, Muscle Pain, and Fasciculations: Not Always Benign?",
        authors=[{"family": "de Carvalho", "given": "M"}],
        container_title="Neurology",
        year=2004,
        volume="63",
        issue="4",
        pages="721-3",
        doi=None,
        pmid=None,
    )


def test_same_work_spelled_differently_is_matched(carvalho):
    text = ris(
        title="Cramps, muscle pain, and fasciculations: not always benign?",
        year=2004,
        author="De Carvalho, M.",
        journal="NEUROLOGY.",
        volume="63",
        pages="721-723",
    )
    report = import_references(text=text, filename="x.ris")
    assert (report.created, report.matched) == (0, 1)
    line = report.lines[0]
    assert line.key == "existing"
    assert "first author" in line.reason and "journal" in line.reason


def test_missing_volume_and_pages_do_not_stop_a_match(carvalho):
    text = ris(
        title="Cramps, muscle pain, and fasciculations: not always benign?",
        year=2004,
        author="de Carvalho, M",
        journal="Neurology",
    )
    report = import_references(text=text, filename="x.ris")
    assert (report.created, report.matched) == (0, 1)


def test_two_corrections_of_one_year_are_two_works():
    ReferenceFactory(
        key="correction2020",
        title="Correction",
        year=2020,
        doi=None,
        authors=[{"family": "Smith", "given": "J"}],
        container_title="Lancet",
    )
    text = ris(title="Correction", year=2020, author="Jones, K", journal="BMJ")
    report = import_references(text=text, filename="x.ris")
    assert (report.created, report.matched) == (1, 0)
    line = report.lines[0]
    assert line.duplicate_of == "correction2020"
    assert "Possible duplicate of [correction2020]" in line.reason
    assert Reference.objects.filter(title="Correction").count() == 2
    assert report.possible_duplicates == 1
    assert "1 possible duplicate" in report.summary()


def test_columns_in_different_issues_are_different_works():
    ReferenceFactory(
        key="chair2019",
        title="Chairman's report",
        year=2019,
        doi=None,
        authors=[{"family": "Brown", "given": "A"}],
        container_title="ACNR",
        volume="19",
        issue="1",
        pages="3",
    )
    text = ris(
        title="Chairman’s report",
        year=2019,
        author="Brown, A",
        journal="ACNR",
        volume="19",
        issue="2",
        pages="3",
    )
    report = import_references(text=text, filename="x.ris")
    assert (report.created, report.matched) == (1, 0)
    assert report.lines[0].duplicate_of == "chair2019"


def test_article_and_conference_abstract_of_one_title_are_two_works(carvalho):
    text = ris(
        title="Cramps, muscle pain, and fasciculations: not always benign?",
        year=2004,
        author="de Carvalho, M",
        journal="Muscle Nerve Suppl",
        pages="S12",
    )
    report = import_references(text=text, filename="x.ris")
    assert (report.created, report.matched) == (1, 0)
    assert report.lines[0].duplicate_of == "existing"


def test_different_first_page_is_a_possible_duplicate(carvalho):
    text = ris(
        title="Cramps, muscle pain, and fasciculations: not always benign?",
        year=2004,
        author="de Carvalho, M",
        journal="Neurology",
        volume="63",
        pages="800-1",
    )
    report = import_references(text=text, filename="x.ris")
    assert (report.created, report.matched) == (1, 0)


def test_identifiers_still_match_whatever_the_rest(carvalho):
    ReferenceFactory(key="withdoi", doi="10.1000/xyz", title="Another", year=2001)
    report = import_references(
        text=ris(title="Different", year=1999, doi="10.1000/XYZ"), filename="x.ris"
    )
    assert (report.created, report.matched) == (0, 1)
    assert report.lines[0].key == "withdoi"


def test_command_reports_possible_duplicates(tmp_path, capsys):
    from django.core.management import call_command

    ReferenceFactory(key="correction2020", title="Correction", year=2020, doi=None)
    path = tmp_path / "c.ris"
    path.write_text(ris(title="Correction", year=2020, author="Jones, K", journal="BMJ"))
    call_command("import_references", str(path))
    assert "possible duplicate of [correction2020]" in capsys.readouterr().out.lower()


# --- speed: candidates come from an index, not from a scan of the year --------------------


def test_title_key_is_kept_by_save_and_bulk_update():
    ref = ReferenceFactory(title="Cramps, Muscle Pain: NOT always benign?")
    assert ref.title_key == "cramps muscle pain not always benign"
    ref.title = "Another title"
    ref.save()
    ref.refresh_from_db()
    assert ref.title_key == "another title"
    Reference.objects.filter(pk=ref.pk).update(title="Third — title")
    ref.refresh_from_db()
    assert ref.title_key == "third title"


def test_records_read_per_import_do_not_grow_with_the_year(django_assert_max_num_queries):
    """A full year in the library must not be read for each record (it was: quadratic)."""
    Reference.objects.bulk_create(
        Reference(
            key=f"y{i}",
            title=f"Study number {i} of cramps",
            year=2001,
            authors=[{"family": f"Author{i}"}],
        )
        for i in range(300)
    )
    text = "".join(
        ris(title=f"New study {i} of twitching", year=2001, author=f"New{i}, A", journal="Brain")
        for i in range(20)
    )
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(count, sender=Reference)
    try:
        with django_assert_max_num_queries(20 * 4):  # constant per record, written in bulk
            report = import_references(text=text, filename="x.ris")
    finally:
        post_init.disconnect(count, sender=Reference)
    assert report.created == 20
    assert len(loaded) <= 20 * 3  # the record built, at most a couple read back: not the year


def test_a_record_breaking_a_table_rule_is_skipped_with_a_plain_reason():
    """The database refuses the batch; it is saved again record by record, so only the
    faulty record is skipped, with its reason, and the others of its batch are kept."""
    from kb.refdata import ReferenceData
    from kb.reference_import import _Writer

    lines = []
    writer = _Writer(user=None, lines=lines)
    writer.add(6, ReferenceData(title="Fine date", year=2001, month=12), "")
    writer.add(7, ReferenceData(title="Odd date", year=2001, month=13), "")
    writer.add(8, ReferenceData(title="Also fine", year=2001), "")
    writer.flush()
    outcomes = {line.position: (line.outcome, line.reason) for line in lines}
    assert outcomes[6][0] == outcomes[8][0] == "created"
    assert outcomes[7] == ("skipped", "The month must be a number from 1 to 12.")
    assert set(Reference.objects.values_list("title", flat=True)) == {"Fine date", "Also fine"}


def test_records_of_one_file_match_each_other():
    """A record is matched against the records before it in the same file, written or
    still waiting to be written together."""
    text = ris(title="Same study", year=2001, author="Smith, J", journal="Brain") * 2
    text += ris(title="Same study", year=2001, author="Jones, K", journal="Gut")
    report = import_references(text=text, filename="x.ris")
    assert [line.outcome for line in report.lines] == ["created", "matched", "created"]
    first = report.lines[0].key
    assert report.lines[1].key == first and report.lines[2].duplicate_of == first
    assert len({line.key for line in report.lines}) == 2


def test_keys_generated_in_one_batch_do_not_collide():
    text = "".join(ris(title=f"Paper {i}", year=2001, author="Smith, J") for i in range(4))
    report = import_references(text=text, filename="x.ris")
    keys = [line.key for line in report.lines]
    assert report.created == 4 and len(set(keys)) == 4
    assert set(Reference.objects.values_list("key", flat=True)) == set(keys)
