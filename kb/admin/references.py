"""The shared reference library in the desk."""

from __future__ import annotations

from django.contrib import admin

from kb.models import Reference


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = ("key", "title", "year", "kind", "doi", "pmid", "retracted")
    list_filter = ("kind", "retracted", "year")
    search_fields = ("key", "title", "authors", "doi", "pmid", "container_title")
