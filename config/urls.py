"""Top-level URLs: the editorial desk (admin), the partner API and the public site."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from config.env import env_bool

admin.site.site_header = "Editorial desk"
admin.site.site_title = "Editorial desk"
admin.site.index_title = "Condition library"

#: Public 404s carry the same short Cache-Control as other public answers.
handler404 = "kb.views.errors.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("kb.api.urls")),
    path("", include("kb.urls")),
]

if env_bool("BENCH_HELLO", False):
    # The benchmark's baseline (``make bench``): the cheapest answer that still passes through
    # the whole middleware stack. Off unless the benchmark starts the server with it.
    def bench_hello(request):
        return HttpResponse("hello", content_type="text/plain")

    urlpatterns.insert(0, path("_bench/hello/", bench_hello, name="bench-hello"))
