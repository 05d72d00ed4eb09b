"""Top-level URLs: the editorial desk (admin) and the public site."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Editorial desk"
admin.site.site_title = "Editorial desk"
admin.site.index_title = "Condition library"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("kb.urls")),
]
