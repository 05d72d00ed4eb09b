"""The editorial desk's admin site.

``DeskSite`` is the project's default admin site (``config.apps.DeskAdminConfig`` names it in
``default_site``), so ``admin.site`` is a ``DeskSite`` and every ``@admin.register`` lands
here. The desk's pages that belong to no model (the review dashboard) are URLs of the site
itself, and the admin index gets the dashboard's compact panel, without patching Django's
site at import time.

This module lives outside the ``kb.admin`` package on purpose: Django imports
``default_site`` while it sets ``admin.site`` up, and importing ``kb.admin`` at that moment
would register the model admins on a site that is then replaced. The dashboard code is
imported when its URL or the index is first used.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path


class DeskSite(admin.AdminSite):
    site_header = "Editorial desk"
    site_title = "Editorial desk"
    index_title = "Condition library"

    def get_urls(self):
        from kb.admin.dashboard import dashboard_view

        def dashboard(request):
            return dashboard_view(request, site=self)

        # Before the site's own patterns: their catch-all would otherwise answer first.
        return [
            path("kb/dashboard/", self.admin_view(dashboard), name="kb_dashboard"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        """The usual index, with the review panel for those who may read conditions."""
        from kb.admin.dashboard import index_panel

        return super().index(
            request, extra_context={"review_panel": index_panel(request), **(extra_context or {})}
        )
