"""The editorial desk: Django admin classes that call the services and the workflow.

One module per model family; admin classes stay thin and never assign a status.
"""

from kb.admin import conditions, dashboard, events, feedback, references, revisions  # noqa: F401
