"""Factories for tests. Content is made through the real services and workflow, so tests
exercise the same paths as the editorial desk."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from kb import services, workflow
from kb.models import Reference

DEFAULT_SECTIONS = [
    {"kind": "overview", "heading": "Overview", "body": "An overview paragraph."},
    {"kind": "symptoms", "heading": "Symptoms", "body": "- twitching\n- cramps"},
]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name")
    credentials = "MD"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(ensure_role(extracted))
        self.save()


def ensure_role(name: str) -> Group:
    """The role group; re-created if a transactional test flushed the migration's rows."""
    group = Group.objects.filter(name=name).first()
    if group is None:
        from django.apps import apps

        from accounts.roles import sync_roles

        sync_roles(apps)
        group = Group.objects.get(name=name)
    return group


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    key = factory.Sequence(lambda n: f"ref{n}")
    kind = "journal"
    authors = factory.LazyFunction(lambda: [{"family": "Jansen", "given": "PH"}])
    title = factory.Sequence(lambda n: f"A study of muscle twitching number {n}")
    container_title = "Neurology"
    year = 2004
    volume = "63"
    issue = "4"
    pages = "721-3"


def fresh(user):
    """The same user with an empty permission cache (after role changes)."""
    return get_user_model().objects.get(pk=user.pk)


def make_draft(
    *,
    author,
    slug: str = "test-condition",
    name: str = "Test condition",
    summary: str = "A test summary.",
    sections=None,
    also_known_as=None,
):
    return services.create_condition(
        slug=slug,
        name=name,
        summary=summary,
        also_known_as=also_known_as or [],
        sections=DEFAULT_SECTIONS if sections is None else sections,
        by=author,
    )


def make_in_review(*, author, **kwargs):
    revision = make_draft(author=author, **kwargs)
    workflow.submit(revision=revision, by=author)
    return revision


def make_in_review_citing_lost_keys(*, author, keys: list[str], **kwargs):
    """A revision in review whose text cites ``keys`` that no longer name a record.

    Submission refuses unknown keys (I7), so the records exist when the draft is
    submitted; their keys are then changed in the library, which leaves the text in review
    citing keys approval must still refuse.
    """
    records = [ReferenceFactory(key=key) for key in keys]
    revision = make_in_review(author=author, **kwargs)
    for record in records:
        record.key = f"{record.key}-rekeyed"
        record.save()
    return revision


def make_live(*, author, reviewer, **kwargs):
    revision = make_in_review(author=author, **kwargs)
    workflow.approve(revision=revision, by=reviewer)
    return revision
