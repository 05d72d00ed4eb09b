"""The caching layer: one place that makes public answers fast, and never decides them.

The models know nothing of it. They advance the database's publication sequence in the
transaction of every public change (``kb.models.publication``) and send
``public_content_changed`` after commit. This package

- reads the database's identity and sequence once per request (``state``): one small
  query on the primary, the one thing that decides whether a cached answer is current;
- keeps answers in one store (``store``): a bounded copy in this process in front of the
  shared cache (Redis when configured), every key carrying the database identity and one
  version setting, every entry an expiry; a cache that is lost, rolled back, stopped or
  shared with another database can only make an answer slower;
- answers keyed requests (``answers``): validators, 304s and the rendered body, one
  pipeline for the article page and the partner API's detail.
"""
