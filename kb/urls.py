"""Public site URLs."""

from django.urls import path

from kb.views import articles, feedback, home, search, syndication

app_name = "kb"

urlpatterns = [
    path("", home.index, name="home"),
    path("conditions/", home.a_to_z_view, name="conditions"),
    path("conditions/<slug:slug>/", articles.article, name="article"),
    path("conditions/<slug:slug>/print/", articles.print_view, name="article_print"),
    path("conditions/<slug:slug>/report/", feedback.feedback, name="feedback"),
    path("conditions/<slug:slug>/report/thanks/", feedback.thanks, name="feedback_thanks"),
    path("search/", search.search, name="search"),
    path("sitemap.xml", syndication.sitemap, name="sitemap"),
    path("robots.txt", syndication.robots, name="robots"),
    path("favicon.ico", syndication.favicon, name="favicon"),
    path("feeds/updates/", syndication.updates_feed, name="feed"),
]
