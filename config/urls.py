"""Top-level URLs: the editorial desk (admin), the partner API and the public site."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path

from config.env import env_bool
from kb.api.views import UnknownEndpointView

#: Public 404s carry the same short Cache-Control as other public answers.
handler404 = "kb.views.errors.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("kb.api.urls")),
    # Every other address under /api/ (any version, any character, with or without the
    # slash) answers the API's JSON error shape, never the site's HTML 404.
    re_path(r"^api(?:/[\s\S]*)?$", UnknownEndpointView.as_view(), name="api-unknown"),
    path("", include("kb.urls")),
]

if env_bool("BENCH_HELLO", False):
    # The benchmark's baseline (``make bench``): the cheapest answer that still passes through
    # the whole middleware stack. Off unless the benchmark starts the server with it.
    def bench_hello(request):
        return HttpResponse("hello", content_type="text/plain")

    urlpatterns.insert(0, path("_bench/hello/", bench_hello, name="bench-hello"))
