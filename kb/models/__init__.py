"""Models of the knowledge base, one concern per module (as Wagtail's models package).

- ``condition``: the stable identity and URL of one article, withdrawal, old slugs.
- ``revision``: one version of an article, its status and optimistic lock.
- ``section``: the ordered parts of a revision.
- ``reference`` and ``citation``: the shared reference library and what each revision cites.
- ``codes``: clinical codes (ICD-10, ICD-11, SNOMED CT, MeSH) partners look conditions up by.
- ``changes``: the public log of publications and withdrawals partners sync from.
- ``notification``: the e-mail outbox, sent after commit.
- ``search``: each approved revision's search document, written once.
- ``rendition``: each approved revision's HTML and reference list, rendered once.
- ``rendered_page``: a live article's whole page, rendered once under the key it shows.
- ``publication``: the database's identity and publication sequence, what decides freshness.
- ``feedback``: readers' reports of inaccuracies.
- ``ratelimit``: fixed-window request counts when no Redis is configured (``kb.ratelimit``).
- ``review``: dated clinical sign-offs (I8).
- ``events``: the append-only workflow log (I4).
- ``comments``: the review conversation on a revision, anchored to sections (append-only).
- ``immutability``: the guards that keep approved content and the log unchanged (I2, I4).
"""

from kb.evidence.models import EvidenceFinding
from kb.models.changes import ChangeAction, PublicChange
from kb.models.citation import Citation
from kb.models.codes import CodeSystem, ConditionCode
from kb.models.comments import SectionComment
from kb.models.condition import Condition, ConditionSlug
from kb.models.events import WorkflowEvent
from kb.models.feedback import Feedback, FeedbackStatus
from kb.models.notification import Notification, NotificationKind
from kb.models.periodic import PeriodicRun
from kb.models.publication import PublicationState
from kb.models.ratelimit import RateLimitCounter
from kb.models.reference import Reference, ReferenceAction, ReferenceEvent, ReferenceKind
from kb.models.rendered_page import RenderedPage
from kb.models.rendition import Rendition
from kb.models.review import Review
from kb.models.revision import ChangeClass, Revision, RevisionStatus
from kb.models.search import SearchDocument
from kb.models.section import Section, SectionKind
from kb.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ChangeAction",
    "Citation",
    "CodeSystem",
    "Condition",
    "ConditionCode",
    "ConditionSlug",
    "EvidenceFinding",
    "Feedback",
    "FeedbackStatus",
    "Notification",
    "PeriodicRun",
    "NotificationKind",
    "RateLimitCounter",
    "PublicChange",
    "PublicationState",
    "Reference",
    "ReferenceAction",
    "ReferenceEvent",
    "ReferenceKind",
    "RenderedPage",
    "Rendition",
    "ChangeClass",
    "Review",
    "Revision",
    "RevisionStatus",
    "SearchDocument",
    "Section",
    "SectionComment",
    "SectionKind",
    "WorkflowEvent",
    "WebhookDelivery",
    "WebhookEndpoint",
]
