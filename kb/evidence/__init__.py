"""The evidence watch: finds retractions, withdrawals, corrections and expressions of
concern of cited publications by itself, and leaves the decision to a medical reviewer.

- ``models``: a finding on a reference, open until a reviewer confirms or dismisses it.
- ``sources``: Crossref and PubMed E-utilities, read politely (rate limit, User-Agent).
- ``watch``: which references are checked, and what becomes a finding.
- ``services``: confirming (a retraction then goes public at once, ``workflow.set_retraction``)
  and dismissing (with a note).
- ``tasks``: the nightly task (``enqueue_periodic`` enqueues it once a day).
"""
