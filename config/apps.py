"""The project's configuration of Django's own apps."""

from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the editorial desk (``kb.admin_site.DeskSite``) as
    ``admin.site``, so ``@admin.register`` and ``admin.site.urls`` need no change."""

    default_site = "kb.admin_site.DeskSite"
