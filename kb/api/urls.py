"""``/api/v1/``: conditions, manifest, changes feed, OpenAPI schema and its offline docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kb.api import views

app_name = "partner_api"

urlpatterns = [
    path("conditions/", views.ConditionListView.as_view(), name="condition-list"),
    path("conditions/<slug:slug>/", views.ConditionDetailView.as_view(), name="condition-detail"),
    path("changes/", views.ChangeListView.as_view(), name="change-list"),
    path("manifest/", views.ManifestView.as_view(), name="manifest"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="partner_api:schema"),
        name="docs",
    ),
    # Unknown addresses ending in "/" answer JSON 404s; without the slash, the usual
    # redirect to the slashed address still happens first.
    re_path(r"^.*/$", views.UnknownEndpointView.as_view(), name="unknown"),
]
