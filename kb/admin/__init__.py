"""The editorial desk: Django admin classes that call the services and the workflow.

One module per model family; admin classes stay thin and never assign a status.
"""

from kb.admin import (  # noqa: F401
    conditions,
    dashboard,
    events,
    evidence,
    feedback,
    references,
    revisions,
    tasks,
    webhooks,
)
