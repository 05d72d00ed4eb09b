"""Signed webhooks to partners (Standard Webhooks).

- ``models``: endpoints partners register, and one delivery row per event and endpoint.
- ``events``: what becomes an event (receivers on the rows the workflow writes).
- ``ssrf``: which addresses a delivery may go to.
- ``delivery``: signing and sending one delivery, and what a failure does.
- ``services``: registering and removing endpoints, test events, sending again.
- ``tasks``: the background tasks that run deliveries.

A webhook is a nudge: the partner changes feed (``/api/v1/changes/``) stays the truth.
"""
