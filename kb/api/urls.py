"""``/api/v1/``: conditions, manifest, changes feed, infobutton look-up, webhook endpoints,
OpenAPI schema and docs."""

from django.urls import path

from kb.api import views, webhooks

app_name = "partner_api"

urlpatterns = [
    path("conditions/", views.ConditionListView.as_view(), name="condition-list"),
    path("conditions/<slug:slug>/", views.ConditionDetailView.as_view(), name="condition-detail"),
    path("changes/", views.ChangeListView.as_view(), name="change-list"),
    path("manifest/", views.ManifestView.as_view(), name="manifest"),
    path("infobutton/", views.InfobuttonView.as_view(), name="infobutton"),
    path("webhooks/", webhooks.WebhookEndpointListView.as_view(), name="webhook-list"),
    path("webhooks/<int:id>/", webhooks.WebhookEndpointDetailView.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:id>/test/", webhooks.WebhookEndpointTestView.as_view(), name="webhook-test"
    ),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.DocsView.as_view(url_name="partner_api:schema"), name="docs"),
]
# Any other address under /api/ is answered by views.UnknownEndpointView (config/urls.py).
