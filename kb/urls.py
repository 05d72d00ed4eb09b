"""Public site URLs."""

from django.urls import path

from kb.views import articles, home

app_name = "kb"

urlpatterns = [
    path("", home.index, name="home"),
    path("conditions/", home.index, name="conditions"),
    path("conditions/<slug:slug>/", articles.article, name="article"),
]
